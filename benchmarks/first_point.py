"""From the Train click to the first epoch drawn, in a real browser, on a warm server.

Starts the real server and waits until its workers have imported TensorFlow (as
``classroom_load.py`` does). Then, for each preset and each repeat, a fresh browser
context (a new workspace: no earlier runs on the page) opens ``/train?preset=NAME``,
and a script in the page presses Train and polls the live loss chart every 10 ms,
in the page's own clock, until the chart holds a point. Reports each preset's median,
fastest and slowest, and the median over every preset.

    python benchmarks/first_point.py [--presets iris pima-small ...] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom_load import children, server_pid, warm_up

from builder.experiment.presets import PRESETS

# In the page: press Train, then the milliseconds until the loss chart has a point.
CLICK_AND_WAIT = """
() => new Promise((resolve, reject) => {
    const points = () => document.querySelector(".st-key-train_chart_loss .js-plotly-plot")
        ?.data?.[0]?.x?.length ?? 0;
    const started = performance.now();
    document.querySelector(".st-key-train_start button").click();
    const timer = setInterval(() => {
        if (points() > 0) { clearInterval(timer); resolve(performance.now() - started); }
        else if (performance.now() - started > 120000) { clearInterval(timer); reject("timeout"); }
    }, 10);
})
"""


async def first_points(url: str, presets: list[str], repeats: int) -> dict[str, list[float]]:
    """Seconds from the click to the first point drawn, ``repeats`` times per preset."""
    from playwright.async_api import async_playwright, expect

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    seconds: dict[str, list[float]] = {key: [] for key in presets}
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        for _ in range(repeats):
            for key in presets:
                context = await browser.new_context(viewport={"width": 1400, "height": 1000})
                page = await context.new_page()
                await page.goto(f"{url}/train?preset={key}")
                button = page.locator(".st-key-train_start button").first
                await expect(button).to_be_enabled(timeout=60_000)
                await page.wait_for_timeout(1000)  # the page's first script run has ended
                seconds[key].append(await page.evaluate(CLICK_AND_WAIT) / 1000)
                await expect(page.get_by_text("Finished")).to_be_visible(timeout=120_000)
                await context.close()
        await browser.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from tests.conftest import serve_app

    with serve_app() as url:
        pid = server_pid(url)
        warm_up(url, lambda: children(pid))
        seconds = asyncio.run(first_points(url, args.presets, args.repeats))
    print("| preset | median s | fastest s | slowest s |")
    print("|---|---|---|---|")
    for key, values in seconds.items():
        print(
            f"| {key} | {statistics.median(values):.2f} | {min(values):.2f} | {max(values):.2f} |"
        )
    medians = [statistics.median(values) for values in seconds.values()]
    print(f"\nMedian over the presets: {statistics.median(medians):.2f} s")


if __name__ == "__main__":
    main()
