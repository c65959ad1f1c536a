"""Reading uploads in a short-lived process of their own, bounded in CPU time and memory.

A pattern that backtracks, a parser that trusts a file's claims: whatever slow or hungry
path a file finds, it must not hold the server. ``load_files_bounded`` forks the server
(cheap: the child shares pandas, already imported, and the file's bytes), caps the child's
CPU seconds and address space with ``setrlimit``, reads there with ``load_files``, and
sends the table back through a pipe. The server only waits on that pipe, which holds no
interpreter lock, so its other sessions and its health check go on. A file that needs
more than the caps stops only its own read, with a message naming the cap.

Forking, not spawning: a spawned child imports pandas again (about a second); a fork
of the server costs milliseconds and never imports TensorFlow (the server holds none).
Where there is no fork (Windows), files are read in the server as before.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import select
import signal
import threading
import time
from dataclasses import dataclass

import pandas as pd

from builder.config import HostLimits, load_limits
from builder.errors import DataError
from builder.tables.data import ReadOptions, ReadReport, load_files

# Wall-clock seconds allowed per CPU second: a busy server runs the child more slowly.
WALL_PER_CPU = 3
CHUNK = 1024 * 1024
TIMEOUT = b"timeout"  # no pickle starts so


@dataclass(frozen=True)
class ReadUsage:
    """What one read in a child process cost."""

    seconds: float  # from the fork to the table back in the server
    cpu_seconds: float  # the child's own user + system time
    peak_mb: float  # the child's peak resident memory (shared pages it touched included)


def load_files_bounded(
    files: list[tuple[str, bytes]],
    options: ReadOptions | None = None,
    stack_column: str = "source",
    stack_labels: dict[str, object] | None = None,
    limits: HostLimits | None = None,
) -> tuple[pd.DataFrame, list[ReadReport]]:
    """``load_files`` run in a child process with the host's read caps.

    Args: as ``load_files``.

    Returns:
        The table and a report per file.

    Raises:
        DataError: what ``load_files`` raises, or the read broke the CPU-time or memory cap.
    """
    return read_with_usage(files, options, stack_column, stack_labels, limits, measure=False)[0]


def read_with_usage(
    files: list[tuple[str, bytes]],
    options: ReadOptions | None = None,
    stack_column: str = "source",
    stack_labels: dict[str, object] | None = None,
    limits: HostLimits | None = None,
    measure: bool = True,
) -> tuple[tuple[pd.DataFrame, list[ReadReport]], ReadUsage | None]:
    """``load_files_bounded`` and what the read cost (``None`` where it ran in-process);
    a ``DataError`` it raises carries that cost as ``usage``.

    Args:
        measure: wait for the child to end to learn its cost; else, once it has answered,
            a thread collects it (its exit takes tens of milliseconds on a busy host).
    """
    limits = limits or load_limits()
    args = (files, options, stack_column, stack_labels, limits)
    if not hasattr(os, "fork"):
        return load_files(*args), None
    with _slot(limits.max_concurrent_reads):
        started = time.perf_counter()
        readable, writable = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: read, send, and leave without running the server's exit code
            os.close(readable)
            _child(writable, args, limits)
        os.close(writable)
        try:
            payload = _collect(readable, pid, limits)
        except BaseException:  # never leave a child reading for a caller who has gone
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        finally:
            os.close(readable)
    if payload and payload != TIMEOUT and not measure:
        threading.Thread(target=os.waitpid, args=(pid, 0), daemon=True).start()
        return _outcome(payload, 0, files, limits), None
    _, status, usage = os.wait4(pid, 0)
    cost = ReadUsage(
        seconds=time.perf_counter() - started,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
    )
    try:
        return _outcome(payload, status, files, limits), cost
    except DataError as error:
        error.usage = cost  # what the refused read cost, for benchmarks and tests
        raise


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _slot(count: int) -> threading.BoundedSemaphore:
    """The semaphore that lets ``count`` reads run at once (each may use the memory cap)."""
    with _slots_lock:
        return _slots.setdefault(count, threading.BoundedSemaphore(count))


def _child(writable: int, args: tuple, limits: HostLimits) -> None:
    """Run in the forked child: never returns."""
    code = 0
    try:
        # Hold none of the server's files: its sockets, nor the pipe of a read in another
        # thread, whose end of file must not wait for this child.
        os.closerange(3, writable)
        os.closerange(writable + 1, os.sysconf("SC_OPEN_MAX"))
        _quiet_signals()
        _cap(limits)
        try:
            result = ("table", load_files(*args))
        except DataError as error:
            result = ("error", str(error))
        except MemoryError:
            result = ("memory", None)
        except Exception as error:  # a flaw no check foresaw: a sentence, not a traceback
            result = ("failed", type(error).__name__)
        try:
            payload = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        with os.fdopen(writable, "wb") as pipe:
            pipe.write(payload)
    except BaseException:  # the child must reach os._exit whatever happens
        code = 1
    finally:
        os._exit(code)


def _quiet_signals() -> None:
    """Forget the server's signal handling: its wake-up pipe and its SIGTERM/SIGINT handlers."""
    # The forking thread is the child's main thread; should Python see it otherwise, the
    # server's handlers stay, harmless to a child that only reads and exits.
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)


def _cap(limits: HostLimits) -> None:
    """Cap the child's CPU seconds and its address space (on top of what it inherited)."""
    seconds = limits.read_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 2))
    inherited = _address_space()
    ceiling = inherited + limits.read_memory_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def _address_space() -> int:
    """The bytes of address space this process holds now (the fork inherits the server's)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _collect(readable: int, pid: int, limits: HostLimits) -> bytes:
    """Read the child's answer, killing it past the wall-clock allowance."""
    deadline = time.monotonic() + limits.read_seconds * WALL_PER_CPU
    chunks = []
    while True:
        left = deadline - time.monotonic()
        ready = select.select([readable], [], [], left)[0] if left > 0 else []
        if not ready:
            os.kill(pid, signal.SIGKILL)
            return TIMEOUT
        chunk = os.read(readable, CHUNK)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _outcome(payload: bytes, status: int, files: list, limits: HostLimits) -> tuple:
    """The table, or the DataError that says why there is none."""
    names = ", ".join(f"'{name}'" for name, _ in files)
    if payload == TIMEOUT:
        raise DataError(
            f"Reading {names} took longer than {limits.read_seconds * WALL_PER_CPU} s, this "
            "server's limit, and was stopped. Upload a smaller file or a sample of its rows."
        )
    if not payload:  # the child died before answering: a cap's signal, or a crash
        killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) in (
            signal.SIGXCPU,
            signal.SIGKILL,
        )
        raise DataError(
            f"Reading {names} needed more than {limits.read_seconds} s of computing, this "
            "server's limit, and was stopped. Upload a smaller file or a sample of its rows."
            if killed
            else f"Reading {names} failed: the reading process stopped without an answer. "
            "Save the file again as CSV and upload that."
        )
    kind, value = pickle.loads(payload)  # written by our own child, never by a user
    if kind == "table":
        return value
    if kind == "error":
        raise DataError(value)
    if kind == "memory":
        raise DataError(
            f"Reading {names} needed more than {limits.read_memory_mb:,} MB of memory, this "
            "server's limit, and was stopped. Upload a sample of its rows or fewer columns."
        )
    raise DataError(
        f"{names} could not be read as a table ({value}). Check that it is a CSV, TSV, TXT "
        "or XLSX file of rows and columns, save it again as CSV, and upload that."
    )
