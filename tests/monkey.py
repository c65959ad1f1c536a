"""A seeded random walk through the real app in a browser (the monkey test and benchmark).

Clicks on buttons, slider drags and arrow keys 50 ms apart, numbers and text typed into
boxes, page switches, F5 reloads, uploads of good, awkward and bad files, and the Train /
Pause / Step / Stop buttons, on every page. Every Streamlit error element that appears is
reported at once by a MutationObserver installed in every document the tab loads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

PAGES = ["Start", "Data", "Explore", "Build", "Train", "Evaluate", "Export", "Class"]
TRAINING = ["train_start", "train_pause", "train_step", "train_stop", "train_resume"]
ACTION_MS = 2000  # how long one action may look for its element before it is skipped
# In every document: report each error element the moment it appears.
WATCH = """() => {
    const seen = new WeakSet();
    const look = () => {
        for (const el of document.querySelectorAll('[data-testid=stException]')) {
            if (!seen.has(el)) { seen.add(el); window.nnbErrorSeen(el.innerText.slice(0, 500)); }
        }
    };
    const start = () => {
        new MutationObserver(look).observe(document.documentElement,
            {childList: true, subtree: true});
        look();
    };
    if (document.documentElement) start(); else addEventListener('DOMContentLoaded', start);
}"""
TEXTS = [
    "",
    "a",
    "ÄÖü ñ 漢字 🙂",
    "**bold** <b>x</b> $x$",
    "=1+2",
    "'; DROP TABLE runs; --",
    "x" * 2000,
    "ABCD-EFGH",
    "   ",
]
NUMBERS = ["0", "-1", "1", "3", "7", "64", "100", "1e9", "0.0001", "-0", "abc", "", "99999999999"]


def sample_files(folder: Path) -> list[Path]:
    """Good, awkward and bad files to upload, written into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = "\n".join(f"{i},{i * 0.5},{'ab'[i % 2]},{i % 3}" for i in range(40))
    files = {
        "normal.csv": "x,y,kind,label\n" + rows + "\n",
        "semicolon_decimal_comma.csv": "a;b;c\n"
        + "\n".join(f"{i},5;{i * 2},25;{i % 2}" for i in range(30))
        + "\n",
        "no_header.csv": rows + "\n",
        "empty.csv": "",
        "huge_cell.csv": "text,label\n" + "z" * 3_000_000 + ",1\nshort,0\n",
    }
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    junk = folder / "junk.csv"
    junk.write_bytes(random.Random(7).randbytes(20_000))
    paths.append(junk)
    return paths


@dataclass
class Walk:
    """One monkey's walk over one or more tabs, with what it did and what it saw."""

    seed: int
    files: list[Path]
    tabs: list = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def watch(self, page, name: str) -> None:
        """Report every error element of ``page``, in every document it loads."""
        page.expose_function(
            "nnbErrorSeen",
            lambda text: self.errors.append(f"{name} after action {len(self.actions)}: {text}"),
        )
        page.add_init_script(f"({WATCH})()")
        self.tabs.append((name, page))

    def step(self) -> None:
        """Do one random action in a random tab (the first tab most often)."""
        name, page = self.tabs[0] if self.rng.random() < 0.8 else self.rng.choice(self.tabs)
        kind = self.rng.choices(list(ACTIONS), weights=[weight for weight, _ in ACTIONS.values()])[
            0
        ]
        try:
            detail = ACTIONS[kind][1](self, page)
        except PlaywrightError as error:  # an element redrawn or gone meanwhile: skipped
            detail = f"skipped ({str(error).splitlines()[0][:80]})"
        self.actions.append(f"{len(self.actions) + 1}. {name}: {kind} {detail or ''}".rstrip())

    def replay_text(self) -> str:
        return f"seed {self.seed}; actions:\n" + "\n".join(self.actions)


def _visible(page, selector: str):
    """The visible elements matching ``selector`` in the main area or the sidebar."""
    return [el for el in page.locator(selector).all() if el.is_visible()]


def _pick(walk: Walk, page, selector: str):
    found = _visible(page, selector)
    return walk.rng.choice(found) if found else None


def _navigate(walk: Walk, page) -> str:
    name = walk.rng.choice(PAGES)
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    nav.click(timeout=ACTION_MS)
    return name


def _button(walk: Walk, page) -> str:
    button = _pick(walk, page, "[data-testid=stMain] button:not([disabled])")
    if button is None:
        return "none"
    label = button.inner_text(timeout=ACTION_MS) or button.get_attribute("aria-label") or ""
    button.click(timeout=ACTION_MS)
    return repr(label.strip()[:40])


def _train_control(walk: Walk, page) -> str:
    keys = [key for key in TRAINING if page.locator(f".st-key-{key} button").count()]
    if not keys:
        return _navigate_to(page, "Train")
    key = walk.rng.choice(keys)
    page.locator(f".st-key-{key} button").first.click(timeout=ACTION_MS)
    return key


def _navigate_to(page, name: str) -> str:
    nav = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    nav.click(timeout=ACTION_MS)
    return f"(went to {name})"


def _arrows(walk: Walk, page) -> str:
    slider = _pick(walk, page, "[data-testid=stMain] input[type=range]")
    if slider is None:
        return "none"
    slider.focus(timeout=ACTION_MS)
    key = walk.rng.choice(["ArrowRight", "ArrowLeft", "End", "Home"])
    times = walk.rng.randint(1, 6)
    for _ in range(times):
        page.keyboard.press(key)
        page.wait_for_timeout(50)  # keys 50 ms apart: faster than the reruns
    return f"{key} x{times} on {slider.get_attribute('aria-label')}"


def _drag(walk: Walk, page) -> str:
    track = _pick(walk, page, "[data-testid=stMain] [data-testid=stSlider] [role=group] > div")
    if track is None:
        return "none"
    box = track.bounding_box(timeout=ACTION_MS)
    if box is None:
        return "none"
    y = box["y"] + box["height"] / 2
    start, end = (box["x"] + box["width"] * walk.rng.random() for _ in range(2))
    page.mouse.click(start, y)
    page.mouse.down()
    page.mouse.move(end, y, steps=5)
    page.mouse.up()
    return f"{start:.0f}->{end:.0f}"


def _type_number(walk: Walk, page) -> str:
    box = _pick(walk, page, "[data-testid=stMain] input[type=number]")
    if box is None:
        return "none"
    text = walk.rng.choice(NUMBERS)
    box.fill(text, timeout=ACTION_MS)
    box.press("Enter" if walk.rng.random() < 0.7 else "Tab", timeout=ACTION_MS)
    return repr(text)


def _type_text(walk: Walk, page) -> str:
    selector = (
        "[data-testid=stMain] input[type=text]:not([role=combobox]), "
        "[data-testid=stMain] input[type=password], [data-testid=stMain] textarea"
    )
    box = _pick(walk, page, selector)
    if box is None:
        return "none"
    text = walk.rng.choice(TEXTS)
    box.fill(text, timeout=ACTION_MS)
    box.press("Enter", timeout=ACTION_MS)
    return repr(text[:30])


def _choose(walk: Walk, page) -> str:
    box = _pick(walk, page, "[data-testid=stMain] [role=combobox]")
    if box is None:
        return "none"
    box.click(timeout=ACTION_MS)
    options = _visible(page, "[role=option]")
    if not options:
        page.keyboard.press("Escape")
        return "no options"
    option = walk.rng.choice(options)
    label = option.inner_text(timeout=ACTION_MS)
    option.click(timeout=ACTION_MS)
    return repr(label[:40])


def _toggle(walk: Walk, page) -> str:
    label = _pick(
        walk, page, "[data-testid=stMain] [data-testid=stCheckbox] label, [role=tab], summary"
    )
    if label is None:
        return "none"
    text = label.inner_text(timeout=ACTION_MS)
    label.click(timeout=ACTION_MS)
    return repr(text[:40])


def _upload(walk: Walk, page) -> str:
    uploader = page.locator("[data-testid=stMain] input[type=file]")
    if not uploader.count():
        _navigate_to(page, "Data")
        radio = page.get_by_text("My own file(s)")
        radio.click(timeout=ACTION_MS)
        uploader.first.wait_for(state="attached", timeout=ACTION_MS * 3)
    path = walk.rng.choice(walk.files)
    uploader.first.set_input_files(str(path), timeout=ACTION_MS)
    return path.name


def _reload(walk: Walk, page) -> str:
    page.reload(timeout=30_000)
    return ""


def _settle(walk: Walk, page) -> str:
    """Let the server catch up now and then, so the walk also sees pages drawn whole."""
    page.locator("[data-test-script-state=notRunning]").wait_for(state="attached", timeout=10_000)
    return ""


ACTIONS = {
    "navigate": (12, _navigate),
    "button": (20, _button),
    "train": (8, _train_control),
    "arrows": (10, _arrows),
    "drag": (6, _drag),
    "number": (10, _type_number),
    "text": (5, _type_text),
    "choose": (10, _choose),
    "toggle": (6, _toggle),
    "upload": (6, _upload),
    "reload": (3, _reload),
    "settle": (4, _settle),
}


def server_problems(log_text: str) -> list[str]:
    """Each unexpected exception a server log tells of, with the lines that follow it."""
    lines = log_text.splitlines()
    markers = ("Traceback", "Unexpected error, reference", "Uncaught app execution")
    return [
        "\n".join(lines[i : i + 40])
        for i, line in enumerate(lines)
        if any(marker in line for marker in markers)
    ]
