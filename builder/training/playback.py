"""How many of a run's epochs the Train page shows: a replay at a pace a person can follow.

A small network trains its 20 epochs in a fraction of a second, so drawing every epoch
the moment it arrives shows an empty chart and then a finished one. The page draws
the epochs that have arrived no faster than ``watch_seconds`` a run, so the curves visibly
grow; every point drawn is a real epoch's logs, only drawn a little later. A run slower
than the replay is drawn as its epochs arrive.
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

# A run's epochs are drawn over at least this long, and at most this long however many
# there are (a 1,000-epoch run is not replayed for minutes).
SHORTEST_WATCH = 3.0
LONGEST_WATCH = 10.0
EPOCHS_PER_WATCH_SECOND = 25
# A redraw this long after the last one (the tab was hidden, or the student was on
# another page) catches up at once instead of replaying what was not watched.
CATCH_UP_GAP = 2.0


def watch_seconds(epochs: int) -> float:
    """How long the replay of a run of ``epochs`` epochs takes at least."""
    return min(LONGEST_WATCH, max(SHORTEST_WATCH, epochs / EPOCHS_PER_WATCH_SECOND))


def horizon(drawn: int, planned: int) -> int:
    """The epoch axis's end for a run that early stopping may end at any epoch.

    Planned epochs are only an upper bound then (1000 for a table of one's own, which
    typically stops after tens): an axis fixed at 1000 would squeeze the growing curve
    into a sliver at its left, and a replay paced by 1000 epochs would draw 50 of them
    in half a second. The axis instead ends at the next of 20, 50, 100, 200, 500 … with
    room for a quarter more epochs, never beyond the planned ones, and paces the replay.
    """
    decade = 10
    while True:
        for end in (2 * decade, 5 * decade, 10 * decade):
            if end >= drawn * 1.25 or end >= planned:
                return min(end, planned)
        decade *= 10


@dataclass
class Playback:
    """The replay of one job: how far it has been drawn, and when it was last drawn."""

    job_id: str
    position: float = 0.0  # epochs drawn, with the fraction of the next one on its way
    drawn_at: float | None = None
    caught_up: bool = True  # every epoch that had arrived was drawn at the last redraw

    def advance(
        self, arrived: int, first: int, planned: int, now: float, may_end_early: bool = False
    ) -> int:
        """Move the replay on to ``now`` and return how many epochs to draw.

        Args:
            arrived: epochs the run has done (all of them may be drawn).
            first: epochs done before this job started (a continued run's), drawn at once.
            planned: the run's planned epochs, which set the pace.
            now: the clock, in seconds.
            may_end_early: early stopping may end the run sooner; the ``horizon`` of the
                epochs drawn then sets the pace instead of ``planned``.

        Returns:
            The number of epochs to draw, between ``first`` and ``arrived``.
        """
        if may_end_early:
            planned = horizon(max(int(self.position), first), planned)
        new_epochs = max(1, planned - first)
        rate = new_epochs / watch_seconds(new_epochs)
        if self.position < first:
            self.position = float(first)
        if self.drawn_at is not None and now - self.drawn_at > CATCH_UP_GAP:
            step = float(arrived)  # a replay nobody watched catches up
        else:
            step = rate * (now - self.drawn_at) if self.drawn_at is not None else 0.0
            if self.caught_up:
                step = max(step, 1.0)  # an epoch that arrives when all are drawn shows at once
        if arrived > first:
            self.position = min(float(arrived), self.position + step)
            self.drawn_at = now
        self.caught_up = self.position >= arrived
        return int(self.position)

    def catch_up(self, arrived: int) -> None:
        """Draw every epoch that has arrived (the student asked to see them now)."""
        self.position = max(self.position, float(arrived))
        self.caught_up = True


# A run whose epochs come at least this far apart (median of the last few gaps) is drawn
# on a calm timer: a new point per epoch is all there is to show, and every redraw of the
# page's charts and runs table costs the browser about as much as a changed one. A Train
# page with an epoch a second took 0.88-0.96 of a core in Chromium at four redraws a
# second, 0.52 at one (benchmarks/live_page_cpu.py).
CALM_EPOCH_SECONDS = 1.0
# A calm page goes brisk again once epochs come this fast (hysteresis: a run near the
# threshold does not switch timers at every epoch).
BRISK_EPOCH_SECONDS = 0.5
RECENT_GAPS = 3


def calm(elapsed: list[float], caught_up: bool, paused: bool, was_calm: bool) -> bool:
    """Whether the live run can be redrawn on the calm timer.

    Args:
        elapsed: the run's clock at each epoch that has arrived (``seconds`` in its logs).
        caught_up: every epoch that has arrived is drawn (no replay in progress).
        paused: the run waits for Resume or Step: nothing changes until then.
        was_calm: the timer the page has now.
    """
    if paused:
        return True
    if not caught_up or len(elapsed) <= RECENT_GAPS:
        return False
    recent = elapsed[-RECENT_GAPS - 1 :]
    median = statistics.median(later - earlier for earlier, later in itertools.pairwise(recent))
    return median >= (BRISK_EPOCH_SECONDS if was_calm else CALM_EPOCH_SECONDS)
