"""The Data page with awkward real files: no header row, exclusions that follow the target."""

from tests.apptest_helpers import ROOT, start_app, texts
from tests.test_columns import ORDERS

PIMA = (ROOT / "sample_data" / "pima-indians-diabetes.csv").read_bytes()


def upload(name: str, content: bytes):
    at = start_app().switch_page("pages/data.py").run()
    at.radio(key="data_source_kind").set_value("upload").run()
    return at.file_uploader(key="data_upload").set_value((name, content, "text/csv")).run()


def test_a_file_without_header_gets_numbered_columns_and_the_override_reads_names():
    at = upload("pima-indians-diabetes.data.csv", PIMA.split(b"\n", 1)[1])
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["768", "9"]
    assert any("no header row" in t for t in texts(at.caption))
    assert any("has no header row" in t for t in texts(at.warning))
    assert at.selectbox(key="data_target").value == "column_9"
    assert at.selectbox(key="data_header").value == "detect"
    at.selectbox(key="data_header").select("yes").run()
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["767", "9"]
    assert list(at.session_state["table"].columns)[:2] == ["6", "148"]
    at.selectbox(key="data_header").select("no").run()
    assert [m.value for m in at.metric][:2] == ["768", "9"]


def test_a_real_header_is_kept_and_can_be_read_as_data():
    at = upload("pima.csv", PIMA)
    assert at.selectbox(key="data_target").value == "Outcome"
    at.selectbox(key="data_header").select("no").run()
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["769", "9"]
    # The names are now a row of data, so no column holds classes seen more than once.
    assert any("'Outcome' of 'column_9' occur only once" in t for t in texts(at.error))


def test_exclusions_follow_the_target_and_keep_the_users_own():
    rows = "".join(
        f"{20 + i % 50},{60 + i % 30}.5,{i % 2},car {i % 55},{1000 + i}\n" for i in range(60)
    )
    at = upload("patients.csv", f"age,weight,outcome,model,patient_id\n{rows}".encode())
    assert not at.exception
    assert at.selectbox(key="data_target").value == "outcome"  # not the identifier at the end
    assert at.multiselect(key="data_excluded").value == ["model", "patient_id"]
    shown = " ".join(texts(at.caption))
    assert "'model' is free text (55 distinct texts in 60 rows)" in shown
    assert "'patient_id' is an identifier" in shown
    # The identifier taken as the target, then the real target again: it is left out again.
    at.selectbox(key="data_target").select("patient_id").run()
    assert at.multiselect(key="data_excluded").value == ["model"]
    at.selectbox(key="data_target").select("outcome").run()
    assert at.multiselect(key="data_excluded").value == ["model", "patient_id"]
    # Left out by the user, put back by the user: both choices survive a new target.
    at.multiselect(key="data_excluded").set_value(["weight", "patient_id"]).run()
    at.selectbox(key="data_target").select("age").run()
    assert not at.exception
    assert at.multiselect(key="data_excluded").value == ["weight", "patient_id"]
    assert at.session_state["experiment"].data.excluded == ["weight", "patient_id"]


def test_a_table_with_nothing_left_to_learn_from_says_why():
    rows = "".join(f"person {i},{'ab'[i % 2]}\n" for i in range(30))
    at = upload("names.csv", f"name,label\n{rows}".encode())
    assert not at.exception
    assert any("No column is left to learn 'label' from" in t for t in texts(at.error))


def _tips() -> bytes:
    days = ["Thur", "Fri", "Sat", "Sun"]
    rows = "".join(
        f"{10 + i * 0.37:.2f},{1 + i % 7 * 0.5:.2f},{'MF'[i % 2]},{days[i % 4]},{1 + i % 6}\n"
        for i in range(60)
    )
    return f"total_bill,tip,sex,day,size\n{rows}".encode()


def _task_shown(at) -> tuple[str, str]:
    """The task box's choice as it reads, and the sidebar's task line."""
    box = at.selectbox(key="data_task")
    sidebar = next(t for t in texts(at.sidebar.caption) if t.startswith("Target:"))
    return box.format_func(box.value), sidebar


def test_the_task_follows_the_target_unless_chosen_for_it():
    at = upload("tips.csv", _tips())
    assert _task_shown(at) == (
        "multiclass (inferred: it holds 6 class numbers from 1 to 6)",
        "Target: **size** · task: **multiclass**",
    )
    at.selectbox(key="data_target").select("tip").run()
    shown, sidebar = _task_shown(at)
    assert shown.startswith("regression (inferred: it holds numbers")
    assert sidebar == "Target: **tip** · task: **regression**"
    # A task chosen for 'size' stays with 'size', and does not follow to another target.
    at.selectbox(key="data_target").select("size").run()
    at.selectbox(key="data_task").select("regression").run()
    assert _task_shown(at) == ("regression", "Target: **size** · task: **regression**")
    at.selectbox(key="data_target").select("sex").run()
    assert _task_shown(at) == (
        "binary (inferred: it has exactly two distinct values)",
        "Target: **sex** · task: **binary**",
    )
    at.selectbox(key="data_target").select("size").run()
    assert not at.exception
    assert _task_shown(at) == ("regression", "Target: **size** · task: **regression**")
    assert at.session_state["experiment"].data.task == "regression"


def test_load_sample_loads_the_sample_chosen_in_the_same_moment():
    # A quick user: the choice and the click reach the server together, before a rerun
    # could draw the button again for the new choice.
    at = start_app().switch_page("pages/data.py").run()
    at.selectbox(key="data_sample").set_value("titanic")
    at.button(key="data_load_sample").click().run()
    assert not at.exception
    assert at.session_state.experiment.data.source == "titanic"
    assert len(at.session_state.table) == 891


def test_numbers_written_as_text_are_read_as_numbers_or_left_out_with_what_to_do():
    at = upload("orders.csv", ORDERS.encode())
    assert not at.exception
    assert any("read as numbers without their signs and separators" in t for t in texts(at.caption))
    excluded = at.multiselect(key="data_excluded").value
    assert "ratio" in excluded and "price" not in excluded
    (left_out,) = [t for t in texts(at.caption) if t.startswith("Left out by default")]
    assert "'ratio' is a column of numbers written as text ('1,5')" in left_out
    assert left_out.endswith("Save numbers written as text as plain numbers to use them.")
