"""What the fork server imports once, before it forks any worker: TensorFlow and the worker code.

Each worker then starts as a fork of a process that has TensorFlow loaded but never ran
it, so a worker that replaces a crashed or grown one is ready after its warm-up alone,
not after another import (about 9 s of CPU on a classroom machine).
"""

from builder.worker.serve import background_priority, ignore_stop_signals, quiet_tensorflow

ignore_stop_signals()  # before the fork server forks anyone: no worker starts without it
background_priority()  # the import below must not slow the server's first pages
quiet_tensorflow()  # its environment (log level, XLA flags) must precede the import below

from builder.worker import tasks  # noqa: E402, F401
