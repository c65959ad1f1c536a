"""Headless command line: what the app concludes, without a browser.

``python -m builder inspect FILE [FILE ...] [--target COL] [--json]`` prints
what the Data page would show; ``python -m builder train (--preset NAME |
--experiment FILE.json)`` trains headless, and ``export … --out DIR`` also writes
the run's files. Bad input exits with status 2 and one
line ``error: …`` on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from builder.cli_train import add_export_parser, add_train_parser
from builder.errors import BuilderError
from builder.tables.columns import (
    default_excluded,
    describe_columns,
    feature_problem,
    infer_task,
    propose_target,
    require_target,
)
from builder.tables.data import DELIMITERS, ReadOptions, load_files

EXIT_BAD_INPUT = 2
HEADERS = {"detect": None, "yes": True, "no": False}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors follow the ``error: …`` contract."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``builder`` command and its subcommands."""
    parser = _Parser(prog="python -m builder", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    inspect = commands.add_parser("inspect", help="how the app reads a table")
    inspect.add_argument("files", nargs="+", type=Path, help="CSV, TSV, TXT or XLSX files")
    inspect.add_argument(
        "--target", help="the column to predict (default: the last one that can be predicted)"
    )
    inspect.add_argument("--delimiter", choices=list(DELIMITERS), help="skip detection")
    inspect.add_argument(
        "--header",
        choices=list(HEADERS),
        default="detect",
        help="whether the first row names the columns (default: detect)",
    )
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.set_defaults(func=run_inspect)
    add_train_parser(commands)
    add_export_parser(commands)
    return parser


def inspect_files(
    paths: list[Path], target: str | None, delimiter: str | None = None, header: bool | None = None
) -> dict:
    """Read and stack files as the Data page does and describe the result.

    Returns:
        rows, columns (name, dtype, kind, missing, distinct, role), files (how each was read),
        target and why it was chosen, task and the reason the task was inferred.

    Raises:
        BuilderError: a file cannot be read, the target cannot be predicted, or no column
            is left to predict it from.
    """
    files = []
    for path in paths:
        if not path.is_file():
            raise BuilderError(f"There is no file '{path}'.")
        files.append((path.name, path.read_bytes()))
    frame, reports = load_files(files, ReadOptions(delimiter=delimiter, header=header))
    target, target_reason = (target, "given with --target") if target else propose_target(frame)
    task = require_target(frame, target, None)
    excluded = default_excluded(frame, target)
    problem = feature_problem(frame, target, excluded)
    if problem:
        raise BuilderError(problem)
    return {
        "rows": int(frame.shape[0]),
        "columns": [vars(info) for info in describe_columns(frame, target, excluded)],
        "files": [
            {
                "name": r.name,
                "kind": r.kind,
                "delimiter": r.delimiter,
                "encoding": r.encoding,
                "decimal": r.decimal,
                "header": r.header,
                "missing_markers": r.na_found,
                "sheet": r.sheet,
                "warnings": r.warnings,
            }
            for r in reports
        ],
        "target": target,
        "target_reason": target_reason,
        "task": task,
        "task_reason": infer_task(frame[target])[1],
    }


def run_inspect(args: argparse.Namespace) -> int:
    """Print the inspection as text or JSON."""
    result = inspect_files(args.files, args.target, args.delimiter, HEADERS[args.header])
    if args.json:
        print(json.dumps(result, indent=2, default=str))
        return 0
    for item in result["files"]:
        print(f"{item['name']}: {item['kind']}", end="")
        if item["kind"] == "text":
            delimiter = DELIMITERS.get(item["delimiter"], item["delimiter"])
            print(
                f", {delimiter}-separated, {item['encoding']}, decimal '{item['decimal']}'", end=""
            )
        print()
        for warning in item["warnings"]:
            print(f"  warning: {warning}")
    print(f"{result['rows']:,} rows × {len(result['columns'])} columns")
    print(f"target: {result['target']} ({result['task']}: {result['task_reason']})")
    print(f"  chosen: {result['target_reason']}")
    width = max(len(c["name"]) for c in result["columns"])
    for column in result["columns"]:
        print(
            f"  {column['name']:<{width}}  {column['kind']:<8} missing {column['missing']:>6}"
            f"  {column['role']}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; bad input gives exit status 2 and one ``error:`` line."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BuilderError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
