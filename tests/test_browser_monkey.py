"""A monkey in a real browser: hundreds of random clicks, keys, uploads and reloads on every
page, a teacher and a student in two browser contexts; never an error page, and no
traceback in the server's log.

NNB_MONKEY_ACTIONS (default 300) and NNB_MONKEY_SEED (default 2026, printed) set
the walk; a failure prints the seed and every action, to replay it.
"""

import os
import time

import pytest
from playwright.sync_api import expect

from tests.conftest import ARTIFACTS, free_port, new_context, start_server, stop_server
from tests.monkey import Walk, sample_files, server_problems
from tests.test_browser_class import create_class

pytestmark = pytest.mark.browser

ACTIONS = int(os.environ.get("NNB_MONKEY_ACTIONS", "300"))
# One walk in CI, the same every run: a failure there is a bug to replay, not luck.
# benchmarks/monkey.py walks many seeds.
DEFAULT_SEED = 2026


def join_class(page, url: str, code: str) -> None:
    page.goto(f"{url}/class_room")
    page.locator(".st-key-class_join_code input").fill(code)
    page.locator(".st-key-class_join_name input").fill("Monkey")
    page.locator(".st-key-class_join button").first.click()
    expect(page.get_by_test_id("stAlert").first).to_contain_text("as Monkey")


def test_a_monkey_walk_never_shows_an_error_page(browser, tmp_path):
    seed = int(os.environ.get("NNB_MONKEY_SEED", DEFAULT_SEED))
    print(f"monkey seed {seed}, {ACTIONS} actions")
    port = free_port()
    log = ARTIFACTS / f"streamlit-server-{port}.log"
    start = log.stat().st_size if log.exists() else 0
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    walk = Walk(seed, sample_files(tmp_path / "files"))
    contexts = [new_context(browser, viewport={"width": 1400, "height": 1000}) for _ in range(2)]
    started = time.monotonic()
    try:
        teacher, student = (context.new_page() for context in contexts)
        for name, page in (("teacher", teacher), ("student", student)):
            page.set_default_timeout(60_000)
            walk.watch(page, name)
        code, _ = create_class(teacher, url)
        join_class(student, url, code)
        for _ in range(ACTIONS):
            walk.step()
            assert not walk.errors, walk.errors
    except BaseException:
        print(walk.replay_text())
        raise
    finally:
        for context in contexts:
            context.close()
        stop_server(server)
    minutes = (time.monotonic() - started) / 60
    skipped = sum("skipped" in action for action in walk.actions)
    print(f"{len(walk.actions)} actions ({skipped} skipped) in {minutes:.1f} min")
    problems = server_problems(log.read_bytes()[start:].decode(errors="replace"))
    if walk.errors or problems:
        print(walk.replay_text())
    assert not walk.errors
    assert not problems, "\n\n".join(problems)
