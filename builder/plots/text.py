"""Text from users shown literally in Plotly figures.

Plotly draws titles, axis titles and tick labels, legend entries, hover labels, bar texts
and annotations as a small HTML dialect (``<a href>``, ``<b>``, ``<br>``, entities such as
``&lt;``), and fills ``%{...}`` fields in hover and text templates. ``plain`` turns a value
into text Plotly shows as its characters (``&``, ``<`` and ``>`` become entities, which
Plotly draws back as the characters themselves); ``in_template`` also writes ``%`` as an
entity, for user text put inside a ``hovertemplate`` or ``texttemplate``. (Values a
template pulls in with ``%{x}`` are not read as templates again.)
"""

from __future__ import annotations

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain(value: object) -> str:
    """``value`` as text Plotly shows literally: no markup, no link.

    Args:
        value: any value; it is shown as ``str(value)``.

    Returns:
        ``str(value)`` with ``& < >`` written as HTML entities.
    """
    return str(value).translate(_ENTITIES)


def in_template(value: object) -> str:
    """``plain(value)`` for a template: its ``%`` cannot start a ``%{...}`` field."""
    return plain(value).replace("%", "&#37;")


def plain_all(values) -> list[str]:
    """``plain`` of each value, in order (category labels, legend names)."""
    return [plain(value) for value in values]
