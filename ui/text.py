"""Text from users (file, column and class names, display names, links) shown literally.

Streamlit 1.67 renders Markdown in ``st.markdown``, ``st.caption``, headings, ``st.error``
and the other message boxes, ``st.metric`` values, ``st.table`` cells, tab, expander and
popover labels, widget labels, help texts, and radio, pills and segmented-control
options. Wrap every value from a user, a file or a link in ``literal`` before it goes into
any of them: it then shows as the characters it holds, never as a link, an image,
emphasis, LaTeX, an icon or an emoji. (``st.text``, ``st.code``, ``st.dataframe`` and the
options of ``st.selectbox`` and ``st.multiselect`` show text as it is: no escaping there.)
"""

from __future__ import annotations

from builder.markdown import literal, unescaped

__all__ = ["literal", "unescaped"]
