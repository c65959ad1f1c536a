"""Class codes, teacher keys, the guess limiter, challenges and board rows (pure builder logic)."""

import math

import pytest

from builder.classroom import board, challenges, codes
from builder.classroom.challenges import DIVERGE, READY, Challenge, mark, parameter_count
from builder.classroom.limiter import GuessLimiter
from builder.errors import SpecError
from builder.experiment.presets import preset_experiment
from builder.training.runs import Run


def ended_run(number, sample="iris", accuracy=0.95, features=4, hidden=(8,), history=None, **kw):
    """A run as the board reads it back: test metrics and the inputs and classes it had."""
    experiment = preset_experiment({"wine": "wine-type"}.get(sample, sample))
    experiment.network.hidden = experiment.network.hidden[:1]
    for layer, units in zip(experiment.network.hidden, hidden, strict=False):
        layer.units = units
    classes = {"iris": ["a", "b", "c"], "titanic": ["0", "1"], "wine": ["0", "1"]}[sample]
    result = {
        "metrics": {"test": {"loss": 0.3, "accuracy": accuracy}},
        "task": "multiclass" if len(classes) > 2 else "binary",
        "classes": classes,
        "feature_names": [f"x{i}" for i in range(features)],
    }
    history = history or [{"epoch": 1, "loss": 1.0, "val_loss": 1.1}, {"epoch": 2, "loss": 0.5}]
    return Run(number, experiment, kw.pop("state", "finished"), history, result, **kw)


def test_class_codes_are_short_unambiguous_and_read_back_however_typed():
    made = {codes.new_class_code() for _ in range(200)}
    assert len(made) == 200  # no repeats in a classroom's worth
    for code in made:
        assert len(code) == 9 and code[4] == "-"
        assert not set(code.replace("-", "")) & set("01OIL")
        assert codes.normalise_code(code.lower().replace("-", " ")) == code
    assert len(codes.ALPHABET) ** codes.CODE_LENGTH > 5e11
    for bad in ("", "ABCD", "ABCD-EFG0", "ABCDEFGHJ", None, 12345678, "ÄBCD-EFGH"):
        assert codes.normalise_code(bad) is None


def test_a_teacher_key_matches_only_its_hash_and_a_missing_class_matches_nothing():
    key = codes.new_teacher_key()
    stored = codes.key_hash(key)
    assert key not in stored and len(key) >= 43
    assert codes.key_matches(key, stored)
    assert not codes.key_matches(key[:-1] + "x", stored)
    assert not codes.key_matches(None, stored)
    assert not codes.key_matches(key, None)
    # Even the hash no key has does not open a missing class.
    assert not codes.key_matches("no class has this key", None)


def test_display_names_are_trimmed_and_capped():
    assert codes.clean_name("  Ada   L. ") == "Ada L."
    for bad in ("", "   ", "x" * 31, "Ada\x00"):
        with pytest.raises(codes.ClassError):
            codes.clean_name(bad)


def test_the_limiter_locks_out_after_five_failures_in_a_minute_and_lets_go_after():
    now = [1000.0]
    limiter = GuessLimiter(max_failures=5, window=60, lockout=120, clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("browser-a")
        now[0] += 1
    assert limiter.wait_seconds("browser-a") == 0
    limiter.failed("browser-a")
    assert limiter.wait_seconds("browser-a") == 120
    assert limiter.wait_seconds("browser-b") == 0  # another browser is not slowed
    now[0] += 100
    assert limiter.wait_seconds("browser-a") == 20
    assert "20 seconds" in limiter.message(20)
    now[0] += 21
    assert limiter.wait_seconds("browser-a") == 0


def test_failures_spread_beyond_the_window_do_not_add_up():
    now = [0.0]
    limiter = GuessLimiter(max_failures=5, window=60, lockout=120, clock=lambda: now[0])
    for _ in range(10):
        limiter.failed("browser-a")
        now[0] += 20  # three in any minute
    assert limiter.wait_seconds("browser-a") == 0


def test_parameter_counts_come_from_the_network_and_the_result_alone():
    # iris: 4 inputs → 8 relu → 3 softmax: 4*8+8 + 8*3+3 = 67
    assert parameter_count(ended_run(1)) == 67
    assert parameter_count(ended_run(1, hidden=(3,))) == 27
    assert parameter_count(Run(1, preset_experiment("iris"), "failed", [])) is None


def test_the_iris_budget_challenge_passes_a_small_network_and_fails_a_big_one():
    challenge = READY["iris-30"]
    small = mark(challenge, ended_run(1, hidden=(3,), accuracy=0.93))
    assert small.passed and "0.930" in small.reason
    big = mark(challenge, ended_run(2, accuracy=0.97))
    assert not big.passed and "67 parameters" in big.reason and "30" in big.reason
    weak = mark(challenge, ended_run(3, hidden=(3,), accuracy=0.6))
    assert not weak.passed and "falls short" in weak.reason
    other = mark(challenge, ended_run(4, sample="titanic"))
    assert not other.passed and "titanic" in other.reason


def test_an_epoch_budget_and_a_lower_is_better_metric():
    challenge = Challenge("quick", metric="accuracy", threshold=0.5, max_epochs=1)
    assert "2 epochs" in mark(challenge, ended_run(1)).reason
    run = ended_run(1)
    run.result["metrics"]["test"] = {"loss": 1.0, "mae": 0.4, "r2": 0.5}
    assert mark(Challenge("mae", metric="mae", threshold=0.5), run).passed
    assert not mark(Challenge("mae", metric="mae", threshold=0.3), run).passed


def test_a_run_diverges_when_its_loss_blows_up_or_ends_above_its_start():
    challenge = READY["wine-diverge"]
    calm = ended_run(1, sample="wine", history=[{"loss": 0.7}, {"loss": 0.2}])
    assert not mark(challenge, calm).passed
    nan = ended_run(2, sample="wine", history=[{"loss": 0.7}, {"loss": math.nan}])
    assert mark(challenge, nan).passed
    guarded = Run(3, preset_experiment("wine-type"), "failed", [{"loss": 0.7}], None)
    guarded.error = "Training stopped at epoch 2: the loss became not a number (NaN), so …"
    assert mark(challenge, guarded).passed and "learning rate" in mark(challenge, guarded).reason
    rising = ended_run(4, sample="wine", history=[{"loss": 0.7}, {"loss": 3.0}])
    assert challenges.diverged(rising)


def test_challenges_round_trip_and_refuse_nonsense():
    for challenge in READY.values():
        assert Challenge.from_dict(challenge.to_dict()) == challenge
        assert challenge.goal.endswith(".")
    assert "30 parameters" in READY["iris-30"].goal
    assert READY["wine-diverge"].kind == DIVERGE
    for bad in ({"title": "x", "metric": "f1"}, {"title": "x", "max_params": 0}, {"nope": 1}):
        with pytest.raises(SpecError):
            Challenge.from_dict(bad)


def test_board_rows_are_sorted_best_first_with_changes_and_marks():
    lesson = preset_experiment("iris")
    faster = ended_run(2, accuracy=0.97, hidden=(3,))
    faster.experiment.train.learning_rate = 0.1
    students = [
        ("Ada", "w1", [ended_run(1, accuracy=0.80, hidden=(3,)), faster]),
        ("Bo", "w2", [ended_run(1, accuracy=0.90), Run(2, lesson, "running", [], None)]),
        ("Cy", "w3", [Run(1, lesson, "failed", [], None, error="boom")]),
    ]
    rows = board.board_rows(students, lesson, READY["iris-30"])
    assert [(row.student, row.run.number) for row in rows] == [
        ("Ada", 2),
        ("Bo", 1),
        ("Ada", 1),
        ("Cy", 1),
    ]
    assert "train.learning_rate = 0.1" in rows[0].changes
    assert "network.hidden = 3 relu" in rows[0].changes
    assert [row.mark.passed for row in rows] == [True, False, False, False]
    table = board.board_table(rows)
    assert list(table["student"]) == ["Ada", "Bo", "Ada", "Cy"]
    assert table["challenge"][0].startswith("passed")
    assert table["parameters"][1] == 67
    assert "student" not in board.board_table(rows, show_student=False)
    assert board.student_rank(rows, "w2") == (2, 2)
    assert board.student_rank(rows, "w3") is None
    curves = board.validation_curves(rows)
    assert [name for name, _ in curves] == ["Ada · run 2", "Bo · run 1", "Ada · run 1"]
