"""Classes in a real workspace store (SQLite and PostgreSQL): create, join, the board's runs,
keys, caps and expiry."""

import contextlib
import sqlite3
import time

import pytest

from builder.classroom.challenges import READY
from builder.classroom.codes import ClassError
from builder.config import HostLimits
from builder.experiment.presets import preset_experiment
from builder.training.runs import Run
from builder.workspace.classes import NO_SUCH_CLASS, NOT_OPENED, ClassStore
from builder.workspace.store import WorkspaceFull, WorkspaceStore

LIMITS = HostLimits(class_students=3, class_hours=2)


@pytest.fixture
def classes(tmp_path, database_url):
    return ClassStore(WorkspaceStore(tmp_path, LIMITS, database_url), LIMITS)


def finish(store: WorkspaceStore, wid: str, accuracy: float) -> int:
    """Record a run of the iris lesson that ends with this test accuracy."""
    number = store.new_run(wid, preset_experiment("iris"))
    result = {
        "metrics": {"test": {"loss": 0.4, "accuracy": accuracy}},
        "task": "multiclass",
        "classes": ["setosa", "versicolor", "virginica"],
        "feature_names": ["a", "b", "c", "d"],
        "model_bytes": b"a model the board never reads",
        "references": [
            {
                "name": "linear",
                "label": "Linear model",
                "scores": {"accuracy": 0.8},
                "fit_seconds": 0.1,
                "rows": 100,
            },
        ],
    }
    history = [{"epoch": 1, "loss": 1.0, "val_loss": 1.1}]
    store.finish_run(Run(number, preset_experiment("iris"), "finished", history, result), wid)
    return number


def test_a_class_is_opened_by_its_code_and_key_and_keeps_only_the_keys_hash(classes):
    code, key = classes.create("Tuesday", preset_experiment("iris"), READY["iris-30"])
    info = classes.teacher_class(code.lower().replace("-", ""), key)
    assert info.title == "Tuesday" and info.challenge == READY["iris-30"]
    assert not info.students_see_board and info.students == 0
    assert info.lesson == preset_experiment("iris")
    assert key not in str(classes.store._read("SELECT * FROM classes"))
    if classes.store.database_url is None:
        assert key.encode() not in (classes.store.folder / "workspaces.sqlite3").read_bytes()
    other_key = key[:-1] + ("B" if key.endswith("A") else "A")  # one character off
    for code_text, wrong in ((code, other_key), ("ZZZZ-ZZZZ", key), ("nonsense", key)):
        with pytest.raises(ClassError) as refused:
            classes.teacher_class(code_text, wrong)
        assert str(refused.value) == NOT_OPENED  # the same words: nothing learnt
    changed = classes.update(code, key, None, students_see_board=True)
    assert changed.challenge is None and changed.students_see_board


def test_students_join_with_a_code_and_unique_name_and_their_new_runs_reach_the_board(classes):
    store = classes.store
    code, _ = classes.create("Tuesday", preset_experiment("iris"))
    _, ada, _ = store.open(None)
    _, bo, _ = store.open(None)
    finish(store, ada, 0.5)  # trained before joining: not the class's business
    classes.join(ada, code, "  Ada ")
    with pytest.raises(ClassError, match="already goes by 'ada'"):
        classes.join(bo, code, "ada")
    classes.join(bo, code, "Bo")
    first = finish(store, ada, 0.9)
    training = store.new_run(bo, preset_experiment("iris"))  # still training
    students = classes.students(code)
    assert [(name, [run.number for run in runs]) for name, _, runs in students] == [
        ("Ada", [first]),
        ("Bo", [training]),
    ]
    (ada_run,) = students[0][2]
    assert ada_run.test_metrics["accuracy"] == 0.9 and "model_bytes" not in ada_run.result
    assert ada_run.result["references"][0]["scores"] == {"accuracy": 0.8}  # for the board
    assert students[1][2][0].state == "running"
    assert classes.membership(ada).name == "Ada"
    assert classes.membership(ada).first_run == first
    classes.leave(ada)
    assert classes.membership(ada) is None
    assert [name for name, _, _ in classes.students(code)] == ["Bo"]


def test_a_wrong_code_a_full_class_and_an_ended_class_are_refused_in_words(classes):
    store = classes.store
    code, key = classes.create("Small", preset_experiment("iris"))
    wids = [store.open(None)[1] for _ in range(4)]
    with pytest.raises(ClassError) as refused:
        classes.join(wids[0], "ABCD-EFGH", "Ada")
    assert str(refused.value) == NO_SUCH_CLASS
    for number, wid in enumerate(wids[:3]):
        classes.join(wid, code, f"student {number}")
    with pytest.raises(ClassError, match="full"):
        classes.join(wids[3], code, "late")
    later = classes.teacher_class(code, key).expires + 1
    with pytest.raises(ClassError):
        classes.join(wids[3], code, "late", now=later)
    with pytest.raises(ClassError):
        classes.teacher_class(code, key, now=later)
    store.sweep(now=later)
    assert store._read("SELECT COUNT(*) FROM class_members")[0][0] == 0


def test_a_deleted_workspace_leaves_its_class(classes):
    store = classes.store
    code, _ = classes.create("Tuesday", preset_experiment("iris"))
    _, ada, _ = store.open(None)
    classes.join(ada, code, "Ada")
    store.delete(ada)
    assert classes.students(code) == []


def test_a_class_on_an_uploaded_table_hands_each_student_a_copy_until_it_ends(classes):
    store = classes.store
    files = [("a.csv", b"x;y\n1,5;2\n"), ("b.csv", b"x;y\n3;4\n")]
    table = (files, {"delimiter": ";", "decimal": ","}, "file")
    code, _ = classes.create("Own data", preset_experiment("iris"), table=table)
    sample, _ = classes.create("Sample", preset_experiment("iris"))
    ended, _ = classes.create("Ended", preset_experiment("iris"), table=table, now=1000.0)
    assert classes.table(code) == table
    assert classes.table(sample) is None and classes.table(ended) is None
    folders = [store.class_files(name) for name in (code, ended)]
    assert all(folder.is_dir() for folder in folders)
    store.sweep()  # the ended class goes, and its copy with it
    assert not folders[1].exists() and folders[0].is_dir()
    store.sweep(now=time.time() + 3 * 3600)  # past the open class's 2 hours
    assert not folders[0].exists() and classes.table(code) is None
    with pytest.raises(ValueError, match="Not a class code"):
        store.class_files("../files")


def test_a_data_folder_from_before_classes_held_tables_opens_with_its_classes(tmp_path):
    old = ClassStore(WorkspaceStore(tmp_path, LIMITS), LIMITS)
    code, key = old.create("Tuesday", preset_experiment("iris"))
    with contextlib.closing(sqlite3.connect(tmp_path / "workspaces.sqlite3")) as conn:
        conn.execute("ALTER TABLE classes DROP COLUMN upload")
        conn.commit()
    reopened = ClassStore(WorkspaceStore(tmp_path, LIMITS), LIMITS)
    assert reopened.teacher_class(code, key).title == "Tuesday"
    assert reopened.table(code) is None
    table = ([("a.csv", b"x,y\n1,2\n")], {}, "source")
    assert (
        reopened.table(reopened.create("Wednesday", preset_experiment("iris"), table=table)[0])
        == table
    )


def test_a_browser_holds_at_most_its_share_of_open_classes(tmp_path, database_url):
    limits = HostLimits(class_hours=2, classes_per_browser=2)
    classes = ClassStore(WorkspaceStore(tmp_path, limits, database_url), limits)
    _, teacher, _ = classes.store.open(None)
    _, other, _ = classes.store.open(None)
    for title in ("Monday", "Tuesday"):
        classes.create(title, preset_experiment("iris"), owner=teacher)
    with pytest.raises(ClassError, match="You already have 2 open classes, the most this"):
        classes.create("Wednesday", preset_experiment("iris"), owner=teacher)
    assert classes.store._read("SELECT COUNT(*) FROM classes")[0][0] == 2
    classes.create("Wednesday", preset_experiment("iris"), owner=other)  # another browser's
    later = time.time() + 3 * 3600  # both have closed: room again
    classes.create("Thursday", preset_experiment("iris"), owner=teacher, now=later)


def test_a_class_copy_of_the_table_counts_against_its_teachers_workspace(tmp_path, database_url):
    limits = HostLimits(workspace_mb=1, class_hours=2)
    classes = ClassStore(WorkspaceStore(tmp_path, limits, database_url), limits)
    store = classes.store
    _, teacher, _ = store.open(None)
    files = [("big.csv", b"x,y\n" + b"1,2\n" * 100_000)]  # 400 kB
    table = (files, {}, "source")
    store.save_upload(teacher, *table)
    assert store.usage(teacher) == 400_004
    code, _ = classes.create("Tuesday", preset_experiment("iris"), table=table, owner=teacher)
    assert store.usage(teacher) == 2 * 400_004
    with pytest.raises(ClassError, match=r"not created: each class keeps a copy.* of the 1 MB"):
        classes.create("Wednesday", preset_experiment("iris"), table=table, owner=teacher)
    assert store._read("SELECT COUNT(*) FROM classes")[0][0] == 1
    assert [p.name for p in (tmp_path / "classes").iterdir()] == [code]
    # Runs and uploads count the copy too: a second table no longer fits.
    with pytest.raises(WorkspaceFull):
        store.save_upload(teacher, [("other.csv", files[0][1] + b"3,4\n" * 70_000)], {}, "s")
    store.sweep(now=time.time() + 3 * 3600)  # the class closed and went: so did its copy
    assert store.usage(teacher) == 400_004


def test_a_name_that_looks_like_a_taken_one_is_refused_as_taken(classes):
    store = classes.store
    code, _ = classes.create("Tuesday", preset_experiment("iris"))
    first, *others = [store.open(None)[1] for _ in range(3)]
    classes.join(first, code, "Ada")
    for look_alike in ("\u0410da", "\u0391d\u03b1", "\uff21\uff44\uff41", "ADA "):
        with pytest.raises(ClassError, match=r"already goes by .* looks the same.*initial"):
            classes.join(others[0], code, look_alike)
    with pytest.raises(ClassError, match="invisible"):
        classes.join(others[0], code, "Ada\u200b")
    assert classes.membership(others[0]) is None
    classes.join(others[0], code, "Ada B.")
    classes.join(first, code, "ada")  # one's own name, rejoined in another case
    assert [name for name, _, _ in classes.students(code)] == ["ada", "Ada B."]


def test_a_removed_student_frees_the_seat_leaves_the_board_and_may_join_again(classes):
    store = classes.store
    code, key = classes.create("Small", preset_experiment("iris"))
    wids = [store.open(None)[1] for _ in range(4)]
    for number, wid in enumerate(wids[:3]):
        classes.join(wid, code, f"student {number}")
    finish(store, wids[1], 0.9)
    with pytest.raises(ClassError, match="full"):
        classes.join(wids[3], code, "late")
    with pytest.raises(ClassError) as refused:
        classes.remove(code, key[:-1] + ("B" if key.endswith("A") else "A"), wids[1])
    assert str(refused.value) == NOT_OPENED
    assert classes.removed_from(wids[1]) is None

    assert classes.remove(code.replace("-", "").lower(), key, wids[1])
    assert classes.membership(wids[1]) is None
    assert classes.removed_from(wids[1]) == code
    assert [name for name, _, _ in classes.students(code)] == ["student 0", "student 2"]
    assert classes.teacher_class(code, key).students == 2
    classes.join(wids[3], code, "student 1")  # the seat and the name are free
    assert not classes.remove(code, key, wids[1])  # not in the class any more
    other, other_key = classes.create("Other", preset_experiment("iris"))
    assert not classes.remove(other, other_key, wids[0])  # not in that class

    with pytest.raises(ClassError, match="full"):  # joining again takes a seat, as any join
        classes.join(wids[1], code, "back")
    classes.remove(code, key, wids[3])
    classes.join(wids[1], code, "back")
    assert classes.removed_from(wids[1]) is None and classes.membership(wids[1]).name == "back"
    classes.leave(wids[3])  # the removed student hides the notice
    assert classes.removed_from(wids[3]) is None


def test_a_removal_is_forgotten_with_its_class(classes):
    store = classes.store
    code, key = classes.create("Tuesday", preset_experiment("iris"))
    _, ada, _ = store.open(None)
    classes.join(ada, code, "Ada")
    classes.remove(code, key, ada)
    later = classes.teacher_class(code, key).expires + 1
    assert classes.removed_from(ada, now=later) is None
    store.sweep(now=later)
    assert store._read("SELECT COUNT(*) FROM class_removals")[0][0] == 0
