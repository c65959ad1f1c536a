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
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
RAY = str(Path(sys.executable).with_name("ray"))
START_SECONDS = 300  # a node takes minutes on a busy two-core machine
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


def _node(args: list[str], log: Path) -> subprocess.Popen:
    # The actors must import this checkout's ``builder``, whatever is installed.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0"}
    env["PYTHONUNBUFFERED"] = "1"  # "Ray runtime started." reaches the log at once
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


def _started(node: subprocess.Popen, log: Path) -> bool:
    """Whether ``ray start`` says its node runs (registered with the cluster's GCS)."""
    text = log.read_text() if log.exists() else ""
    assert node.poll() is None, f"a Ray node did not start: {text[-1500:]}"
    return "Ray runtime started." in text


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
        # Its port answers before its node has registered: a driver joining then waits a
        # minute for the node, and gave up at load 40. `ray start` says when it has.
        log = temp / "head.log"
        wait_until(lambda: _started(nodes[0], log), "the Ray head to start", START_SECONDS, 0.2)
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
