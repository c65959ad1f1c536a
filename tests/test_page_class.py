"""The Class page driven by widget key: a teacher creates a class and sees the key once, a
student joins and gets the lesson, a wrong key opens nothing, and guessing is slowed down."""

from builder.workspace.classes import NOT_OPENED
from builder.workspace.store import get_store
from tests.apptest_helpers import start_app, texts, with_sample
from tests.test_classes_store import finish
from tests.test_page_data import PIMA, upload

CLASS = "pages/class_room.py"


def create_class(title: str = "Tuesday", challenge: str = "iris-30"):
    """A teacher's session on the Class page, with a class created on the iris lesson."""
    at = with_sample("iris").switch_page(CLASS).run()
    at.text_input(key="class_new_title").input(title)
    at.selectbox(key="class_new_challenge").select(challenge)
    at.button(key="class_create").click().run()
    assert not at.exception
    return at


def join(code: str, name: str):
    """A new student's session on the Class page, joined to the class."""
    at = start_app().switch_page(CLASS).run()
    at.text_input(key="class_join_code").input(code)
    at.text_input(key="class_join_name").input(name)
    at.button(key="class_join").click().run()
    assert not at.exception
    return at


def create_on_upload(title: str, kept: bool = True):
    """A teacher's session with a class on an uploaded table (kept by the server or not)."""
    teacher = upload("pima.csv", PIMA).switch_page(CLASS).run()
    if not kept:  # another table is kept for this browser since (or this one was too big)
        get_store().save_upload(
            teacher.session_state["workspace_id"], [("b.csv", b"a\n1\n")], {}, ""
        )
    teacher.text_input(key="class_new_title").input(title)
    teacher.button(key="class_create").click().run()
    assert not teacher.exception
    return teacher


def test_a_class_on_an_uploaded_table_gives_each_student_the_table():
    teacher = create_on_upload("Own data")
    assert not teacher.warning[1:]  # only the key's notice
    student = join(teacher.session_state["class_teacher"][0], "Ada")
    assert not student.warning
    lesson = teacher.session_state["experiment"]
    assert student.session_state["experiment"].data == lesson.data
    assert student.session_state["table"].equals(teacher.session_state["table"])
    assert get_store().upload(student.session_state["workspace_id"])[0] == [("pima.csv", PIMA)]
    student.switch_page("pages/train.py").run()  # ready to train, on the teacher's table
    assert not student.exception and student.button(key="train_start")


def test_a_class_on_an_upload_the_server_does_not_hold_says_so_to_teacher_and_student():
    teacher = create_on_upload("Own data", kept=False)
    assert any("each student must upload it" in text for text in texts(teacher.warning))
    student = join(teacher.session_state["class_teacher"][0], "Ada")
    (message,) = texts(student.warning)
    assert "runs on an uploaded table (pima.csv), which the class does not hold" in message
    assert student.session_state["experiment"].data.source == "upload"
    assert student.session_state["table"] is None


def test_a_teacher_creates_a_class_sees_the_key_once_and_a_student_joins():
    teacher = create_class()
    (key,) = [block.value for block in teacher.code]
    code = teacher.session_state["class_teacher"][0]
    assert any(code in text for text in texts(teacher.success))
    assert any("shown this once" in text for text in texts(teacher.warning))
    assert any("No runs yet" in text for text in texts(teacher.info))
    teacher.run()  # any next run: the key is not on the page again
    assert not teacher.code and not teacher.exception

    student = start_app().switch_page(CLASS).run()
    student.text_input(key="class_join_code").input(code.lower())
    student.text_input(key="class_join_name").input("Ada")
    student.button(key="class_join").click().run()
    assert not student.exception and not student.error
    assert any("as **Ada**" in text for text in texts(student.success))
    assert any("30 parameters" in text for text in texts(student.info))
    assert student.session_state["experiment"].data.source == "iris"  # the lesson is loaded
    assert not student.dataframe  # the board is the teacher's unless they share it
    assert not student.code and "class_teacher" not in student.session_state
    assert all(key not in text for text in texts(student.markdown))


def test_a_wrong_key_sees_nothing_and_five_wrong_guesses_slow_the_browser_down():
    code = create_class().session_state["class_teacher"][0]
    guesser = start_app().switch_page(CLASS).run()
    for attempt in range(5):
        guesser.text_input(key="class_open_code").input(code)
        guesser.text_input(key="class_open_key").input(f"not the key {attempt}")
        guesser.button(key="class_open").click().run()
        assert texts(guesser.error) == [NOT_OPENED]
        assert not guesser.dataframe and "class_teacher" not in guesser.session_state
    guesser.button(key="class_open").click().run()
    assert "Too many wrong codes or keys" in texts(guesser.error)[0]
    assert not guesser.exception


def test_students_see_only_their_own_runs_once_the_teacher_shares_the_board():
    teacher = create_class(title="Shared", challenge="iris-30")
    code = teacher.session_state["class_teacher"][0]
    students = {}
    for name, accuracy in (("Ada", 0.95), ("Bo", 0.6)):
        at = start_app().switch_page(CLASS).run()
        at.text_input(key="class_join_code").input(code)
        at.text_input(key="class_join_name").input(name)
        at.button(key="class_join").click().run()
        students[name] = at
        finish(get_store(), at.session_state["workspace_id"], accuracy)
    ada = students["Ada"].run()
    assert not any("Your runs" in text for text in texts(ada.subheader))  # not shared yet

    teacher.toggle(key="class_board_students_see").set_value(True).run()
    assert not teacher.exception
    assert list(teacher.dataframe[0].value["student"]) == ["Ada", "Bo"]
    ada = students["Ada"].run()
    assert any("Your runs on the class board" in t for t in texts(ada.subheader))
    (own,) = ada.dataframe
    assert "student" not in own.value.columns and len(own.value) == 1
    assert any("number 1 of 2 students" in text for text in texts(ada.caption))
    shown = texts(ada.markdown) + texts(ada.caption) + texts(ada.success) + [own.value.to_csv()]
    assert not any("Bo" in text for text in shown)


def test_a_teacher_with_as_many_open_classes_as_allowed_is_told_so():
    teacher = create_class("Monday")
    for title in ("Tuesday", "Wednesday", "Thursday"):
        teacher.text_input(key="class_new_title").input(title)
        teacher.button(key="class_create").click().run()
        assert not teacher.exception
    (error,) = texts(teacher.error)
    assert error.startswith("You already have 3 open classes, the most this server keeps")
    assert "a class closes 24 hours after it was created" in error
    wid = teacher.session_state["workspace_id"]
    assert get_store()._read("SELECT COUNT(*) FROM classes WHERE owner = ?", (wid,)) == [(3,)]


def test_a_teacher_removes_a_student_who_is_told_and_leaves_the_board():
    teacher = create_class(title="Removal", challenge="iris-30")
    code = teacher.session_state["class_teacher"][0]
    ada, bo = join(code, "Ada"), join(code, "Bo")
    for student, accuracy in ((ada, 0.9), (bo, 0.8)):
        finish(get_store(), student.session_state["workspace_id"], accuracy)
    teacher.run()
    assert list(teacher.dataframe[0].value["student"]) == ["Ada", "Bo"]
    pick = teacher.selectbox(key="class_remove_pick")
    assert pick.value is None and teacher.button(key="class_remove").disabled
    assert list(pick.options) == ["Ada", "Bo"]  # shown by name, as plain text

    pick.select(bo.session_state["workspace_id"]).run()
    teacher.button(key="class_remove").click().run()
    assert not teacher.exception
    assert any("their seat is free" in text for text in texts(teacher.success))
    assert list(teacher.dataframe[0].value["student"]) == ["Ada"]
    assert any(text.startswith("1 students") for text in texts(teacher.caption))
    assert teacher.selectbox(key="class_remove_pick").value is None

    bo.run()
    (notice,) = texts(bo.warning)
    assert f"Your teacher removed you from the class {code}" in notice
    assert "join again, you need the class code" in notice
    assert not any("as **Bo**" in text for text in texts(bo.success))
    assert bo.text_input(key="class_join_code").value == ""  # the join form is back
    bo.switch_page("pages/train.py").run()  # where a student trains, the notice too
    assert any(f"removed you from the class {code}" in text for text in texts(bo.warning))
    bo.switch_page(CLASS).run()
    assert not texts(ada.run().warning)  # Ada is still in the class
    assert any("as **Ada**" in text for text in texts(ada.success))

    bo.text_input(key="class_join_code").input(code)
    bo.text_input(key="class_join_name").input("Bo")  # the name is free: joining again
    bo.button(key="class_join").click().run()
    assert not bo.warning and any("as **Bo**" in text for text in texts(bo.success))


def test_a_name_that_only_looks_different_is_refused_with_a_suggestion():
    code = create_class(title="Names").session_state["class_teacher"][0]
    join(code, "Ada")
    impostor = start_app().switch_page(CLASS).run()
    impostor.text_input(key="class_join_code").input(code)
    impostor.text_input(key="class_join_name").input("\u0410da")  # Cyrillic А
    impostor.button(key="class_join").click().run()
    (error,) = texts(impostor.error)
    assert "already goes by" in error and "looks the same" in error and "Add an initial" in error
    assert "class_teacher" not in impostor.session_state
    impostor.text_input(key="class_join_name").input("Ada\u200b")  # a zero-width space
    impostor.button(key="class_join").click().run()
    assert "invisible or control character" in texts(impostor.error)[0]
