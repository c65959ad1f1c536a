"""Icons render on every machine: Material icons only, never emoji.

Streamlit ships the Material Symbols font; emoji need a font of the browser's machine,
and where there is none (many school and Linux machines) they show as empty boxes.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Pictographs, dingbats and the emoji presentation selector.
EMOJI = [(0x1F000, 0x1FAFF), (0x2600, 0x27BF), (0xFE0F, 0xFE0F), (0x2B00, 0x2BFF)]


def _emoji_in(text: str) -> list[str]:
    return [ch for ch in text if any(lo <= ord(ch) <= hi for lo, hi in EMOJI)]


def test_no_string_the_app_shows_holds_an_emoji():
    sources = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")]
    sources += list((ROOT / "builder").rglob("*.py"))
    found = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and (hits := _emoji_in(text)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {''.join(hits)}")
    assert found == []


def test_the_check_finds_an_emoji():
    assert _emoji_in("➕ Add layer") == ["➕"] and _emoji_in("✅") == ["✅"]
    assert _emoji_in("Add layer · 3 → 4 ≈ 0.99") == []
