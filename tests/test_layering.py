"""The layering rules of ARCHITECTURE.md, checked on the source tree."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_builder_never_imports_streamlit():
    offenders = [p for p in (ROOT / "builder").rglob("*.py") if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_tensorflow_is_imported_only_under_builder_worker():
    worker = ROOT / "builder" / "worker"
    # Copied into run bundles, never imported by the app: predict.py imports the runtime asked for.
    standalone = ROOT / "builder" / "export" / "standalone"
    server_side = [
        *(ROOT / "builder").rglob("*.py"),
        *(ROOT / "pages").glob("*.py"),
        *(ROOT / "ui").glob("*.py"),
        ROOT / "app.py",
    ]
    offenders = [
        p
        for p in server_side
        if not {worker, standalone} & set(p.parents)
        and {"tensorflow", "keras"} & imported_modules(p)
    ]
    assert offenders == []


def test_bundled_files_import_nothing_from_builder():
    standalone = ROOT / "builder" / "export" / "standalone"
    offenders = [p for p in standalone.glob("*.py") if "builder" in imported_modules(p)]
    assert offenders == []
