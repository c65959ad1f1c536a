"""The watchable pace: how many epochs the Train page draws at each redraw."""

import itertools

from builder.training.playback import (
    CATCH_UP_GAP,
    LONGEST_WATCH,
    Playback,
    calm,
    horizon,
    watch_seconds,
)

REDRAW = 0.25


def _replay(
    arrivals: list[float], planned: int, until: float, first: int = 0, may_end_early=False
) -> list[int]:
    """Drawn epochs at each redraw of a run whose epoch k arrives at ``arrivals[k]``."""
    playback = Playback("job", position=float(first))
    drawn, now = [], 0.0
    while now <= until:
        arrived = first + sum(1 for at in arrivals if at <= now)
        drawn.append(playback.advance(arrived, first, planned, now, may_end_early))
        assert drawn[-1] <= arrived, "an epoch drawn before it arrived"
        now += REDRAW
    return drawn


def test_a_run_that_arrives_at_once_is_drawn_over_a_few_seconds():
    drawn = _replay([0.5] * 20, planned=20, until=6)
    # Nothing before the first epoch arrives, then that epoch at once.
    assert drawn[:2] == [0, 0] and drawn[2] == 1
    # Then it grows over at least a dozen redraws, never backwards, to the whole run.
    growth = [b - a for a, b in itertools.pairwise(drawn)]
    assert all(step >= 0 for step in growth)
    assert sum(1 for step in growth if step > 0) >= 10
    assert drawn[-1] == 20
    finished_at = drawn.index(20) * REDRAW
    assert 0.5 + watch_seconds(20) - REDRAW <= finished_at <= 0.5 + watch_seconds(20) + REDRAW


def test_a_run_slower_than_the_replay_is_drawn_as_its_epochs_arrive():
    arrivals = [1.0 + epoch for epoch in range(10)]  # one epoch a second
    drawn = _replay(arrivals, planned=10, until=12)
    for index, count in enumerate(drawn):
        now = index * REDRAW
        assert count == sum(1 for at in arrivals if at <= now)


def test_long_runs_replay_in_at_most_ten_seconds():
    assert watch_seconds(20) == 3.0
    assert watch_seconds(150) == 6.0
    assert watch_seconds(1000) == 10.0
    drawn = _replay([0.1] * 1000, planned=1000, until=11)
    assert drawn[-1] == 1000


def test_a_redraw_after_a_long_gap_catches_up_and_catch_up_draws_all():
    playback = Playback("job")
    assert playback.advance(1, 0, 100, now=0.0) == 1
    assert playback.advance(100, 0, 100, now=CATCH_UP_GAP + 0.5) == 100
    other = Playback("job")
    other.advance(50, 0, 100, now=0.0)
    other.catch_up(50)
    assert other.advance(50, 0, 100, now=0.1) == 50


def test_a_continued_runs_earlier_epochs_are_drawn_at_once():
    drawn = _replay([0.2] * 10, planned=40, until=4, first=30)
    assert drawn[0] == 30 and drawn[1] == 31 and drawn[-1] == 40


def test_the_horizon_of_a_run_that_may_end_early_leaves_room_and_keeps_to_the_plan():
    ends = {drawn: horizon(drawn, 1000) for drawn in (0, 16, 17, 40, 41, 81, 161, 401, 1000)}
    assert ends == {
        0: 20,
        16: 20,
        17: 50,
        40: 50,
        41: 100,
        81: 200,
        161: 500,
        401: 1000,
        1000: 1000,
    }
    assert horizon(5, 10) == 10 and horizon(3000, 5000) == 5000


def test_a_run_early_stopping_ends_at_44_of_1000_epochs_is_still_drawn_over_seconds():
    # Paced by the 1000 planned epochs, its 44 would be drawn in under half a second.
    paced_by_plan = _replay([0.5] * 44, planned=1000, until=12)
    assert paced_by_plan.index(44) * REDRAW <= 1.0
    drawn = _replay([0.5] * 44, planned=1000, until=12, may_end_early=True)
    finished_at = drawn.index(44) * REDRAW
    assert 3.0 <= finished_at <= 0.5 + LONGEST_WATCH, finished_at
    growth = [b - a for a, b in itertools.pairwise(drawn)]
    assert sum(1 for step in growth if step > 0) >= 12


def test_a_run_of_an_epoch_a_second_is_redrawn_calmly_and_a_fast_or_replayed_one_briskly():
    every_second = [1.0, 2.0, 3.1, 4.1, 5.2]
    assert calm(every_second, caught_up=True, paused=False, was_calm=False)
    # Not before three gaps are known, nor while a replay draws epochs that came at once.
    assert not calm(every_second[:3], caught_up=True, paused=False, was_calm=False)
    assert not calm(every_second, caught_up=False, paused=False, was_calm=True)
    fast = [0.1, 0.2, 0.3, 0.4, 0.5]
    assert not calm(fast, caught_up=True, paused=False, was_calm=True)
    # A paused run changes only on Resume, Step or Stop, which redraw at once.
    assert calm(fast, caught_up=True, paused=True, was_calm=False)


def test_a_pace_near_the_threshold_keeps_its_timer():
    near = [0.7 * n for n in range(1, 8)]
    assert calm(near, caught_up=True, paused=False, was_calm=True)
    assert not calm(near, caught_up=True, paused=False, was_calm=False)
    # One slow gap (a redraw of a loaded machine) does not make a brisk run calm.
    assert not calm([0.2, 0.4, 2.4, 2.6], caught_up=True, paused=False, was_calm=False)
