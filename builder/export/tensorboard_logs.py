"""A run's epochs as a TensorBoard log folder, written without TensorFlow.

The layout is the one Keras' ``TensorBoard`` callback writes: a ``train`` and a
``validation`` run, scalars tagged ``epoch_loss``, ``epoch_accuracy`` (or ``epoch_mae`` …)
with the epoch as the step, so ``tensorboard --logdir tensorboard`` draws the curves the
Train page showed. The events are framed by TensorBoard's own record writer into memory:
its ``EventFileWriter`` would import TensorFlow (through ``tensorboard.compat.tf``),
which the server must never do.
"""

from __future__ import annotations

import io
import time

from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, types_pb2
from tensorboard.plugins.scalar import metadata
from tensorboard.summary.writer.record_writer import RecordWriter

FOLDER = "tensorboard"
# Not logged: the epoch is the step, and the seconds give each event its time.
NOT_SCALARS = ("epoch", "seconds")


def _scalar(tag: str, value: float, first: bool) -> summary_pb2.Summary.Value:
    """One scalar as ``tf.summary.scalar`` writes it: a float32 tensor for the scalars plugin
    (TensorBoard's fast loader skips doubles; Keras' logs are float32 anyway). TensorBoard
    reads a tag's plugin from its first value, so only that one carries it."""
    scalar = summary_pb2.Summary.Value(
        tag=tag, tensor=tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[value])
    )
    if first:
        scalar.metadata.CopyFrom(metadata.create_summary_metadata(display_name=tag, description=""))
    return scalar


def _event_file(events: list[event_pb2.Event], started: float) -> bytes:
    """The events in TFRecord framing, after the header event every event file starts with."""
    buffer = io.BytesIO()
    writer = RecordWriter(buffer)
    header = event_pb2.Event(wall_time=started, file_version="brain.Event:2")
    for event in [header, *events]:
        writer.write(event.SerializeToString())
    return buffer.getvalue()


def event_files(records: list[dict[str, float]], started: float | None = None) -> dict[str, bytes]:
    """The files of a TensorBoard log folder holding a run's per-epoch values.

    Args:
        records: one dict per epoch, numbered from 1 under ``"epoch"``
            (``builder.export.bundle.history_records``, or a ``Run``'s history); keys
            ``val_<name>`` go to the validation run as ``epoch_<name>``, the others to the
            train run. ``"seconds"`` since the start, when present, times each epoch.
        started: when training started (seconds since the epoch); now when omitted.

    Returns:
        ``{"tensorboard/train/events.out.tfevents.<time>.nn-builder.v2": bytes, ...}``;
        the validation file only when the run was validated. Empty without epochs.
    """
    started = time.time() if started is None else started
    runs: dict[str, list[event_pb2.Event]] = {"train": [], "validation": []}
    seen: set[tuple[str, str]] = set()
    for record in records:
        values: dict[str, list[summary_pb2.Summary.Value]] = {"train": [], "validation": []}
        for key, value in record.items():
            if key in NOT_SCALARS:
                continue
            run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            tag = f"epoch_{name}"
            values[run].append(_scalar(tag, float(value), first=(run, tag) not in seen))
            seen.add((run, tag))
        for run, scalars in values.items():
            if scalars:
                event = event_pb2.Event(
                    wall_time=started + float(record.get("seconds", 0.0)),
                    step=int(record["epoch"]),
                    summary=summary_pb2.Summary(value=scalars),
                )
                runs[run].append(event)
    name = f"events.out.tfevents.{int(started)}.nn-builder.v2"
    return {
        f"{FOLDER}/{run}/{name}": _event_file(events, started)
        for run, events in runs.items()
        if events
    }
