"""Worker start-up: workers forked from the fork server against workers spawned afresh.

For each way of starting workers, in this one run: a pool of one warm worker is
created, then its worker is killed ``--replacements`` times and the pool's
replacement waited for. Reports the wall time until each worker is ready and the
CPU seconds all the pool's processes used, and the ratios between the two ways.

    python benchmarks/worker_start.py [--replacements 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.training import jobs
from tests.processes import cpu_seconds, descendants

WAYS = {
    "fork server": jobs.worker_context,
    "spawn": lambda: multiprocessing.get_context("spawn"),
}


def _wait_ready(pool: jobs.WorkerPool, not_pid: int | None) -> tuple[int, float]:
    """Wait until the pool has a warm worker other than ``not_pid``; its pid and the wait."""
    started = time.monotonic()
    while True:
        with pool._lock:
            ready = [w for w in pool._workers if w.ready and w.process.pid != not_pid]
        if ready:
            return ready[0].process.pid, time.monotonic() - started
        if time.monotonic() - started > 300:
            raise SystemExit("no worker became ready within 300 s")
        time.sleep(0.05)


def _descendants_cpu() -> float:
    """CPU seconds of this process's descendants, alive or reaped by them (Linux /proc).

    Workers forked by the fork server are its children, not ours: ``getrusage`` would
    count them only once the fork server itself had been reaped."""
    alive = sum(cpu_seconds(pid) for pid in descendants(os.getpid()))
    return alive + sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])


def measure(way: str, replacements: int) -> tuple[float, list[float], float]:
    """Run one way in a fresh process (a process has one fork server, started once)."""
    reader, writer = multiprocessing.get_context("spawn").Pipe(duplex=False)
    child = multiprocessing.get_context("spawn").Process(
        target=_measure_here, args=(way, replacements, writer)
    )
    child.start()
    result = reader.recv()
    child.join()
    return result


def _measure_here(way: str, replacements: int, writer) -> None:
    jobs.worker_context = WAYS[way]
    pool = jobs.WorkerPool(max_workers=1, warm_workers=1)
    pid, first = _wait_ready(pool, None)
    waits = []
    for _ in range(replacements):
        os.kill(pid, signal.SIGKILL)
        pid, waited = _wait_ready(pool, pid)
        waits.append(waited)
    cpu = _descendants_cpu()
    pool.shutdown()
    writer.send((first, waits, cpu))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replacements", type=int, default=3)
    args = parser.parse_args()
    results = {way: measure(way, args.replacements) for way in WAYS}
    print(f"{'workers':12} {'first ready s':>14} {'replacement s':>14} {'CPU s':>8}")
    for way, (first, waits, cpu) in results.items():
        mean = sum(waits) / len(waits)
        print(f"{way:12} {first:14.1f} {mean:14.1f} {cpu:8.1f}")
    (f_first, f_waits, f_cpu), (s_first, s_waits, s_cpu) = results.values()
    print(
        f"fork server / spawn: first ready {f_first / s_first:.2f}, "
        f"replacement {sum(f_waits) / sum(s_waits):.2f}, CPU {f_cpu / s_cpu:.2f}"
    )


if __name__ == "__main__":
    main()
