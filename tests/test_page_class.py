"""The Class page driven by widget key: a teacher creates a class and sees the key once, a
student joins and gets the lesson, a wrong key opens nothing, and guessing is slowed down."""

from builder.workspace.classes import NOT_OPENED
from builder.workspace.store import get_store
from tests.apptest_helpers import start_app, texts, with_sample
from tests.test_classes_store import finish

CLASS = "pages/class_room.py"


def create_class(title: str = "Tuesday", challenge: str = "iris-30"):
    """A teacher's session on the Class page, with a class created on the iris lesson."""
    at = with_sample("iris").switch_page(CLASS).run()
    at.text_input(key="class_new_title").input(title)
    at.selectbox(key="class_new_challenge").select(challenge)
    at.button(key="class_create").click().run()
    assert not at.exception
    return at


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
