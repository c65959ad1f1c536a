"""Class codes, teacher keys, the guess limiter, challenges and board rows (pure builder logic)."""

import math

import pytest

from builder.classroom import board, challenges, codes, names
from builder.classroom.challenges import DIVERGE, READY, Challenge, mark, parameter_count
from builder.classroom.limiter import Guesses, GuessLimiter, address_key
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
    assert names.clean_name("  Ada   L. ") == "Ada L."
    assert names.clean_name("Jose\u0301") == "Jos\u00e9"  # composed, as typed elsewhere
    assert names.clean_name("x" * 30) == "x" * 30
    assert names.clean_name("Ada\u2028\u00a0Bo\u3000") == "Ada Bo"  # any space is one space
    for bad in ("", "   ", "x" * 31, "Ada\x00", "...", "\u0301\u0301"):
        with pytest.raises(codes.ClassError):
            names.clean_name(bad)


@pytest.mark.parametrize(
    "hidden",
    [
        "Ada\u200b",  # zero-width space
        "A\u200dda",  # zero-width joiner
        "\u202eadA",  # right-to-left override: shows as "Ada"
        "Ada\u2066",  # left-to-right isolate
        "\u200fAda",  # right-to-left mark
        "Ada\ufeff",  # byte-order mark
        "Ada\u00ad",  # soft hyphen
        "Ada\u3164",  # Hangul filler: a letter that shows nothing
        "Ada\u034f",  # combining grapheme joiner
        "Ada\ufe0f",  # variation selector
        "Ada\u2800",  # blank Braille pattern
        "Ada\x1b[31m",  # a terminal escape
    ],
)
def test_names_with_invisible_or_control_characters_are_refused(hidden):
    with pytest.raises(codes.ClassError, match="invisible or control character"):
        names.clean_name(hidden)


@pytest.mark.parametrize(
    "look_alike",
    [
        "\u0410da",  # Cyrillic capital A
        "Ad\u0430",  # Cyrillic small a
        "\u0391d\u03b1",  # Greek capital and small alpha
        "ADA",
        "  ada ",
        "\uff21\uff44\uff41",  # full-width letters
        "\U0001d400da",  # mathematical bold capital A
    ],
)
def test_names_that_look_alike_have_one_key(look_alike):
    assert names.name_key(names.clean_name(look_alike)) == names.name_key("Ada")


def test_names_that_look_different_keep_different_keys():
    keys = {
        names.name_key(name)
        for name in ("Ada", "Adam", "Ada B.", "Ida", "Ana", "\u0418\u0432\u0430\u043d")
    }
    assert len(keys) == 6
    assert names.name_key("Jos\u00e9") != names.name_key("Jose")  # an accent shows
    assert names.name_key("\u0412\u041e\u0412") == names.name_key("bob")  # Cyrillic "ВОВ"
    assert names.name_key("\u0418\u0432\u0430\u043d") != names.name_key(
        "Ivan"
    )  # "Иван" reads as Cyrillic
    assert names.name_key("Lan") != names.name_key("Ian")


def test_a_taken_name_suggests_adding_an_initial():
    message = names.taken_message("Ada")
    assert "already goes by 'Ada'" in message and "'Ada B.'" in message
    assert len(names.taken_message("x" * 30).split("'")[3]) <= names.NAME_LENGTH


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


def test_a_client_address_is_counted_as_itself_and_ipv6_by_its_network():
    assert address_key("203.0.113.7") == "203.0.113.7"
    assert address_key("2001:db8:1:2:aaaa::1") == address_key("2001:db8:1:2:bbbb::9")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert address_key(None) is None and address_key("") is None


def test_wrong_guesses_from_one_address_lock_it_out_whatever_the_browser():
    now = [0.0]
    guesses = Guesses(address_failures=20, clock=lambda: now[0])
    for number in range(19):  # a new browser (workspace) for every 2 guesses: none waits
        guesses.failed(f"browser-{number // 2}", "203.0.113.7")
        assert guesses.refusal(f"browser-{number // 2}", "203.0.113.7") is None
        now[0] += 1
    guesses.failed("browser-new", "203.0.113.7")
    refusal = guesses.refusal("browser-fresh", "203.0.113.7")
    assert "came from your network" in refusal and "10 minutes" in refusal
    assert guesses.refusal("browser-fresh", "198.51.100.1") is None  # another network
    assert guesses.refusal("browser-fresh", None) is None  # a local connection: browser only
    now[0] += 600
    assert guesses.refusal("browser-fresh", "203.0.113.7") is None


def test_a_classroom_behind_one_address_is_not_locked_out_by_its_typos():
    """40 students on one school address, each mistyping the code twice within 10 minutes,
    under the default limit: nobody waits, except a browser that mistypes five times."""
    now = [0.0]
    guesses = Guesses(clock=lambda: now[0])
    for student in range(40):
        for _ in range(2):
            guesses.failed(f"student-{student}", "198.51.100.20")
            now[0] += 5
    assert all(guesses.refusal(f"student-{n}", "198.51.100.20") is None for n in range(40))
    for _ in range(5):
        guesses.failed("student-0", "198.51.100.20")
    assert "from this browser" in guesses.refusal("student-0", "198.51.100.20")
    assert guesses.refusal("student-1", "198.51.100.20") is None


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


def test_the_board_shows_what_the_reference_models_scored_on_each_run():
    lesson = preset_experiment("iris")
    run = ended_run(1, accuracy=0.9)
    run.result["references"] = [
        {"name": "linear", "label": "Linear model", "scores": {"accuracy": 0.86},
         "fit_seconds": 0.1, "rows": 100},
        {"name": "boosted_trees", "label": "Boosted trees", "scores": {"accuracy": 0.925},
         "fit_seconds": 0.2, "rows": 100},
    ]  # fmt: skip
    older = ended_run(2, accuracy=0.8)  # saved before references were computed
    table = board.board_table(board.board_rows([("Ada", "w1", [run, older])], lesson, None))
    assert table["linear model"][0] == 0.86 and table["boosted trees"][0] == 0.925
    assert table["linear model"].isna()[1] and table["boosted trees"].isna()[1]
