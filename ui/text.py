"""Text from users (file, column and class names, display names, links) shown literally.

Streamlit renders Markdown in ``st.markdown``, ``st.caption``, headings, ``st.error`` and
the other message boxes, ``st.table`` cells, tab and expander labels, widget labels, help
texts, and radio, pills and segmented-control options. ``literal`` makes a value safe to
put in any of them: it shows as the characters it holds, never as a link, an image,
emphasis, LaTeX, an icon or an emoji. (``st.text``, ``st.code``, ``st.dataframe`` and the
options of ``st.selectbox`` and ``st.multiselect`` show text as it is: no escaping there.)
"""

from __future__ import annotations

import re
import string

# CommonMark lets a backslash escape any ASCII punctuation; escaping all of it covers
# Markdown, raw HTML, Streamlit's directives (:red[..]), icons (:material/x:) and $math$.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# GitHub-flavoured Markdown turns "http://…", "www.…" and "a@b.co" into links after
# escapes are undone, and Streamlit turns ":smile:" into an emoji: a word joiner (U+2060,
# invisible, no line break) after a ':' or '@' that something follows and inside "www."
# breaks every such pattern, and leaves "Note: text" as it was.
_JOINER = "\u2060"
_LINK_START = re.compile(r"(\\[:@](?=\S)|(?i:www)(?=\\\.))")


def literal(value: object) -> str:
    """``value`` as Markdown that Streamlit shows as exactly its characters.

    Args:
        value: any value; it is shown as ``str(value)``.

    Returns:
        The text with Markdown and HTML specials backslash-escaped and autolinks broken.
    """
    escaped = _PUNCTUATION.sub(r"\\\1", str(value))
    return _LINK_START.sub(lambda m: m.group(1) + _JOINER, escaped)


def unescaped(markdown: str) -> str:
    """What ``literal``'s output shows on the page (for tests): the original text."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(_JOINER, ""))
