"""Host limits in one place, with classroom-sized defaults.

Each limit can be overridden by an environment variable ``NNB_<NAME>``
(for example ``NNB_MAX_ROWS=50000``), so a teacher can size a server without
editing code.
"""

import os
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class HostLimits:
    """Caps that protect a shared server from one student's upload or network."""

    max_upload_mb: int = 50  # per file (Streamlit's server.maxUploadSize)
    max_upload_total_mb: int = 100  # the files of one upload together
    max_rows: int = 1_000_000
    max_columns: int = 500
    # Values in one table (rows x columns): 20 million float64 are 160 MB.
    max_cells: int = 20_000_000
    # Reading one upload: at most this many CPU seconds and MB of memory (it runs in a
    # short-lived process of its own, so a file that needs more stops only its own read),
    # and an .xlsx may unpack to at most this many MB.
    read_seconds: int = 60
    read_memory_mb: int = 2000
    max_concurrent_reads: int = 4  # more wait their turn: each may use read_memory_mb
    max_unzipped_mb: int = 500
    max_layers: int = 10
    max_units: int = 512
    max_epochs: int = 1000
    max_concurrent_trainings: int = max(1, os.cpu_count() or 1)
    max_job_seconds: int = 600
    # Each run leaves ~10 MB behind in a worker (TensorFlow keeps every compiled XLA
    # program); a worker that has grown by this much since it started is replaced.
    worker_memory_growth_mb: int = 100
    # What the server keeps of each browser's work (runs, models, the uploaded table):
    # at most this many MB, and only for a browser seen within this many days.
    workspace_mb: int = 200
    workspace_days: int = 30
    # An uploaded table goes into a run's download bundle up to this size.
    max_bundle_data_mb: int = 20
    # A class (the Class page): at most this many students, and it closes this many hours
    # after the teacher created it (then the server forgets it and its board).
    class_students: int = 40
    class_hours: int = 24
    # Open classes one browser (a teacher's workspace) may hold at once; the copy of the
    # table each class on an upload keeps counts against that workspace's ``workspace_mb``.
    classes_per_browser: int = 3
    # Wrong class codes or teacher keys from one client address within 10 minutes before
    # the address waits 10 minutes (``builder.classroom.limiter``): a whole class behind
    # one school address must stay under it.
    guesses_per_address: int = 100


def load_limits(environ: dict[str, str] | None = None) -> HostLimits:
    """Read the limits, letting ``NNB_<FIELD>`` environment variables override defaults.

    Args:
        environ: the environment to read; ``os.environ`` when omitted.

    Returns:
        The limits in force.

    Raises:
        ValueError: when an override is not a positive whole number.
    """
    environ = os.environ if environ is None else environ
    overrides = {}
    for field in fields(HostLimits):
        name = f"NNB_{field.name.upper()}"
        if name in environ:
            raw = environ[name]
            if not raw.strip().isdigit() or int(raw) < 1:
                raise ValueError(f"{name} must be a positive whole number. Received: {raw!r}")
            overrides[field.name] = int(raw)
    return HostLimits(**overrides)


@dataclass(frozen=True)
class JobBackend:
    """Where training jobs run: ``local`` (worker processes on this host) or ``ray``."""

    name: str = "local"
    ray_address: str = "auto"  # the Ray head, ``host:port``; "auto": one started on this host


JOB_BACKENDS = ("local", "ray")


def job_backend(environ: dict[str, str] | None = None) -> JobBackend:
    """Read ``NNB_JOB_BACKEND`` (``local``, the default, or ``ray``) and ``NNB_RAY_ADDRESS``.

    Raises:
        ValueError: when the backend is neither ``local`` nor ``ray``.
    """
    environ = os.environ if environ is None else environ
    name = environ.get("NNB_JOB_BACKEND", "local").strip().lower() or "local"
    if name not in JOB_BACKENDS:
        raise ValueError(
            f"NNB_JOB_BACKEND must be one of {', '.join(JOB_BACKENDS)}. "
            f"Received: {environ['NNB_JOB_BACKEND']!r}"
        )
    address = environ.get("NNB_RAY_ADDRESS", "").strip() or JobBackend.ray_address
    return JobBackend(name, address)
