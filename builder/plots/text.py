"""Text from users shown literally in Plotly figures.

Plotly draws titles, axis titles and tick labels, legend entries, hover labels, bar texts
and annotations as a small HTML dialect (``<a href>``, ``<b>``, ``<br>``, entities such as
``&lt;``), and fills ``%{...}`` in hover and text templates. ``plain`` turns a value into
text Plotly shows as its characters: ``&``, ``<``, ``>`` and ``%`` become entities, which
Plotly draws back as the characters themselves.
"""

from __future__ import annotations

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;"})


def plain(value: object) -> str:
    """``value`` as text Plotly shows literally: no markup, no link, no template field.

    Args:
        value: any value; it is shown as ``str(value)``.

    Returns:
        ``str(value)`` with ``& < > %`` written as HTML entities.
    """
    return str(value).translate(_ENTITIES)


def plain_all(values) -> list[str]:
    """``plain`` of each value, in order (category labels, legend names, hover texts)."""
    return [plain(value) for value in values]
