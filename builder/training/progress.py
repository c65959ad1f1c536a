"""Where a run stands, in one record that every part of the Train page reads.

The caption, the progress bar, the sidebar line and the runs table's live row all show
the epoch, the elapsed time and the state of the same ``Progress``, so they agree at
every redraw, during a replay too (``builder.training.playback``).
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.training import jobs

QUEUED, STARTING, TRAINING = "queued", "starting", "training"
PAUSING, PAUSED, STOPPING, REPLAYING = "pausing", "paused", "stopping", "replaying"
# How the sidebar and the runs table put each state before the epoch.
PHRASES = {
    STARTING: "starting, epoch {epoch} of {planned}",
    TRAINING: "training, epoch {epoch} of {planned}",
    PAUSING: "pausing after epoch {epoch} of {planned}",
    PAUSED: "paused after epoch {epoch} of {planned}",
    STOPPING: "stopping, epoch {epoch} of {planned}",
    REPLAYING: "replaying, epoch {epoch} of {planned}",
}


@dataclass(frozen=True)
class Progress:
    """A run as drawn at one redraw.

    ``epoch`` is the last epoch drawn and ``elapsed`` the run's elapsed time when that
    epoch reached the server (now, when every epoch that arrived is drawn); ``ahead``
    counts the epochs done but not drawn yet.
    """

    state: str
    epoch: int
    planned: int
    elapsed: float
    ahead: int = 0
    position: int | None = None

    @property
    def active(self) -> bool:
        """The run trains, waits, or is still being drawn."""
        return self.state not in jobs.ENDED

    @property
    def share(self) -> float:
        """The progress bar's fill, 0 to 1."""
        return min(1.0, self.epoch / max(self.planned, 1))

    def phrase(self) -> str:
        """``training, epoch 3 of 20`` (``queued, position 2`` in the queue)."""
        if self.state == QUEUED:
            return f"queued, position {self.position}" if self.position else "queued"
        pattern = PHRASES.get(self.state, self.state + ", epoch {epoch} of {planned}")
        return pattern.format(epoch=self.epoch, planned=self.planned)


def progress(job: jobs.Job, drawn: int | None = None) -> Progress:
    """The job's ``Progress`` with ``drawn`` of its epochs on screen (None: all of them)."""
    arrived = len(job.history)
    epoch = arrived if drawn is None else min(drawn, arrived)
    behind = epoch < arrived
    elapsed = job.elapsed_at(epoch) if behind else job.elapsed()
    return Progress(
        state=_state(job, behind, arrived),
        epoch=epoch,
        planned=job.epochs,
        elapsed=elapsed,
        ahead=arrived - epoch,
        position=job.position if job.state == jobs.QUEUED else None,
    )


def _state(job: jobs.Job, behind: bool, arrived: int) -> str:
    if job.state == jobs.QUEUED:
        return QUEUED
    if job.done:
        return REPLAYING if behind else job.state
    if job.stop_requested:
        return STOPPING
    if job.paused:
        return PAUSED
    if job.pause_requested:
        return PAUSING
    return STARTING if arrived == job.epochs_before else TRAINING
