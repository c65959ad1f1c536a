"""Text from users written into Markdown so it shows as its characters (the app's pages
through ``ui.text``, and the README of a run bundle).

``literal`` backslash-escapes every ASCII punctuation mark (CommonMark allows it for all
of them), which covers Markdown, raw HTML, Streamlit's directives (``:red[..]``), icons
(``:material/x:``) and ``$math$``. GitHub-flavoured Markdown still turns "http://…",
"www.…" and "a@b.co" into links after escapes are undone, and Streamlit turns ":smile:"
into an emoji: a word joiner (U+2060, invisible, no line break) after a ':' or '@' that
something follows, and inside "www.", breaks each of those patterns.
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
JOINER = "\u2060"
_LINK_START = re.compile(r"(\\[:@](?=\S)|(?i:www)(?=\\\.))")


def literal(value: object) -> str:
    """``value`` as Markdown that shows exactly its characters.

    Args:
        value: any value; it is shown as ``str(value)``.

    Returns:
        The text with Markdown and HTML specials backslash-escaped and autolinks broken.
    """
    escaped = _PUNCTUATION.sub(r"\\\1", str(value))
    return _LINK_START.sub(lambda m: m.group(1) + JOINER, escaped)


def unescaped(markdown: str) -> str:
    """What ``literal``'s output shows when rendered (for tests): the original text."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(JOINER, ""), flags=re.S)
