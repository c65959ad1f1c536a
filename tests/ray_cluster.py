"""A Ray cluster on the loopback address, started by a test or benchmark and ended with it.

One head node without CPUs (so training lands on the workers, as on a real cluster
where the app's host only coordinates) and worker nodes of one CPU each, every node a
``ray start --block`` process of its own; on exit each of them and everything it
started is killed by process id, so nothing outlives the test and no other Ray on the
machine is touched. Ray's logs go to a temporary folder, removed on exit unless
``KEEP_RAY_LOGS=1`` is set (to read them after a failure).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.processes import descendants

ROOT = Path(__file__).resolve().parent.parent
RAY = str(Path(sys.executable).with_name("ray"))
START_SECONDS = 120
PER_NODE_PORTS = (
    "node-manager-port",
    "object-manager-port",
    "dashboard-agent-listen-port",
    "dashboard-agent-grpc-port",
    "runtime-env-agent-port",
    "metrics-export-port",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(address: str) -> bool:
    host, port = address.split(":")
    with socket.socket() as probe:
        return probe.connect_ex((host, int(port))) == 0


def _node(args: list[str], log: Path) -> subprocess.Popen:
    # The actors must import this checkout's ``builder``, whatever is installed.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0"}
    common = [
        "--block",
        "--node-ip-address=127.0.0.1",
        "--disable-usage-stats",
    ]
    # Several nodes share this host: each needs ports of its own, not Ray's fixed defaults.
    for port in PER_NODE_PORTS:
        common.append(f"--{port}={free_port()}")
    with log.open("w") as out:
        return subprocess.Popen(
            [RAY, "start", *args, *common], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def _end(node: subprocess.Popen) -> None:
    """Kill the node's ``ray start`` and every process it started, by id."""
    for pid in [*descendants(node.pid), node.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    node.wait(timeout=10)


def _wait_for_nodes(count: int, nodes: list[subprocess.Popen], logs: Path) -> None:
    import ray

    deadline = time.monotonic() + START_SECONDS
    while sum(node["Alive"] for node in ray.nodes()) < count:
        ended = [node.args for node in nodes if node.poll() is not None]
        assert not ended, f"a Ray node did not start: {ended}; logs in {logs}"
        assert time.monotonic() < deadline, f"the Ray workers never joined; logs in {logs}"
        time.sleep(0.2)


class LocalCluster:
    """A running cluster: its head's ``host:port`` and its processes."""

    def __init__(self, address: str, nodes: list[subprocess.Popen]):
        self.address, self._nodes = address, nodes

    def processes(self) -> list[int]:
        """Every process of the cluster: Ray's own and the actors'."""
        return [pid for node in self._nodes for pid in [node.pid, *descendants(node.pid)]]


@contextlib.contextmanager
def local_cluster(workers: int = 2):
    """Start a head and ``workers`` one-CPU worker nodes; yield a ``LocalCluster``."""
    import ray

    from builder.training.ray_pool import connect

    # Short: Ray's socket paths live under it and must fit in 107 characters.
    temp = Path(tempfile.mkdtemp(prefix="ray", dir="/tmp"))
    address = f"127.0.0.1:{free_port()}"
    head_args = ["--head", f"--port={address.split(':')[1]}", "--num-cpus=0"]
    head_args += ["--include-dashboard=false", f"--temp-dir={temp}"]
    head_args += [f"--ray-client-server-port={free_port()}"]
    nodes = [_node(head_args, temp / "head.log")]
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _listening(address):
            assert nodes[0].poll() is None, f"the Ray head did not start; see {temp / 'head.log'}"
            assert time.monotonic() < deadline, "the Ray head never answered"
            time.sleep(0.2)
        connect(address)
        # One at a time: nodes sharing a host and a session would otherwise pick the same ports.
        for number in range(workers):
            worker_args = [f"--address={address}", "--num-cpus=1"]
            nodes.append(_node(worker_args, temp / f"worker{number}.log"))
            _wait_for_nodes(2 + number, nodes, temp)
        yield LocalCluster(address, nodes)
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for node in reversed(nodes):
            _end(node)
        if not os.environ.get("KEEP_RAY_LOGS"):
            shutil.rmtree(temp, ignore_errors=True)
