"""Class page: join a class with its code, or, as a teacher, create one and watch its board.

No accounts: a class is a short code for students and a private key for the teacher
(``builder.workspace.classes``). The page only arranges the panels of ``ui.classroom``.
"""

import streamlit as st

from ui import classroom, classroom_board
from ui.entry import run_through_app

run_through_app()

st.title("Class")
if message := st.session_state.pop("class_message", None):
    st.warning(message, icon=":material/warning:")
joined = classroom.render_membership()
if joined is not None and joined.students_see_board:
    classroom_board.render_student(joined)

st.divider()
classroom.render_create()
teacher = classroom.render_open()
if teacher is not None:
    classroom_board.render_teacher(*teacher)
