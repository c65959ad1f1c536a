"""The server's memory around one upload: before, once the page has read it, and after the
tab has closed and its session ended.

Starts the real server (``streamlit run app.py``) in ``--root`` (this checkout by
default, so an older checkout can be measured the same way), uploads ``--files`` CSV
files of ``--mb`` MB each at once on the Data page in headless Chromium, and reads the
server process's resident memory (VmRSS) at each step. The session ends
``--ttl`` seconds after its tab closed (Streamlit's ``disconnectedSessionTTL``).

    python benchmarks/upload_memory.py [--files 6 --mb 45] [--root /path/to/checkout]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from builder.worker.serve import resident_mb
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, free_port

HERE = Path(__file__).resolve().parent.parent


def write_csv(path: Path, mb: float, seed: int) -> None:
    """A CSV of 20 number columns and a class column, about ``mb`` MB (about 100 bytes a
    row: 30 MB is about 315,000 rows)."""
    header = ",".join(f"x{j}" for j in range(20)) + ",label\n"
    rows = [
        ",".join(f"{(seed * 7919 + i * 31 + j * 17) % 1000 / 10:.1f}" for j in range(20))
        + f",{'xyz'[i % 3]}\n"
        for i in range(1000)
    ]
    block = "".join(rows).encode()
    with path.open("wb") as out:
        out.write(header.encode())
        for _ in range(max(1, int(mb * 1024 * 1024 / len(block)))):
            out.write(block)


def start(root: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    """The app's server in ``root``, answering on ``port``."""
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
            ],
            cwd=root,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"the server did not start; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=6)
    parser.add_argument("--mb", type=float, default=45.0)
    parser.add_argument("--ttl", type=int, default=10, help="seconds a closed tab's session lasts")
    parser.add_argument("--root", type=Path, default=HERE, help="the checkout to serve")
    args = parser.parse_args()

    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        files = [folder / f"part-{n}.csv" for n in range(args.files)]
        for n, path in enumerate(files):
            write_csv(path, args.mb, n)
        total = sum(path.stat().st_size for path in files) / 1024 / 1024
        port = free_port()
        env = {
            "NNB_DATA_DIR": str(folder / "data"),
            "STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL": str(args.ttl),
        }
        server = start(args.root.resolve(), port, env, folder / "server.log")
        steps = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                context = browser.new_context()
                page = context.new_page()
                page.set_default_timeout(600_000)
                page.goto(f"http://127.0.0.1:{port}/data")
                page.get_by_text("My own file(s)").click()
                expect(page.get_by_text("Load a sample or upload a file")).to_be_visible()
                steps.append(("page open, nothing uploaded", resident_mb(server.pid)))
                started = time.monotonic()
                page.locator(".st-key-data_upload input[type=file]").set_input_files(
                    [str(path) for path in files]
                )
                # Read and shown, or refused with a message.
                outcome = (
                    page.get_by_test_id("stSidebar")
                    .get_by_text(re.compile(r"rows ×"))
                    .or_(page.get_by_test_id("stAlertContentError"))
                )
                expect(outcome.first).to_be_visible(timeout=600_000)
                seconds = time.monotonic() - started
                page.wait_for_timeout(3000)  # the page's last script run ends
                said = outcome.first.inner_text().splitlines()[0][:150]
                steps.append((f"read ({seconds:.0f} s): {said}", resident_mb(server.pid)))
                context.close()
                time.sleep(args.ttl + 10)  # the session ends; Streamlit checks every few s
                steps.append((f"tab closed, {args.ttl + 10} s later", resident_mb(server.pid)))
                browser.close()
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    print(f"{args.files} file(s) of {args.mb:g} MB ({total:.0f} MB) served from {args.root}")
    for step, mb in steps:
        print(f"  {mb:7.0f} MB  {step}")


if __name__ == "__main__":
    main()
