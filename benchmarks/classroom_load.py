"""Classroom load: many students training at once, against the pool and the real server.

Part A (browsers): starts the real server (``streamlit run app.py``), opens M
headless Chromium contexts (one browser, one context per student), and each
student opens ``/build?preset=NAME``, goes to Train, presses Train and waits for
the "Finished" message. Before the class arrives, one visit starts the worker
pool and the benchmark waits until the workers have imported TensorFlow, as a
teacher opening the app first would. Meanwhile a process of its own polls
``/_stcore/health`` every 100 ms (in this process the browsers' driver would
delay it), and a thread samples the resident memory of the server and its
worker processes. In a real class the browsers run on the students' own
computers; here they share the server's two cores, so the students' side (its
driver, Playwright and Chromium) runs at niceness 19 (``--browsers-nice``) and
takes only the CPU the server and its workers leave. Chromium starts a session of
its own, and Linux's autogroup scheduler shares the CPU between sessions before
niceness counts, so the benchmark sets the niceness of Chromium's autogroup too.
With ``--browsers-nice 0`` they compete with the server as equals.

Part B (pool): N threads each submit the preset's training to one
``WorkerPool`` in this process and wait for it: completions, errors, time to
finish, queue wait (submit to first epoch), worker memory.

With ``--backend ray``, parts A and B run twice in the same run: on the local pool, then
on a Ray cluster started on this host (a head without CPUs and two one-CPU worker
nodes: as many workers as the local pool has on two cores; ``tests/ray_cluster.py``).

    python benchmarks/classroom_load.py [--students N] [--browsers M] [--preset NAME]
                                        [--epochs E] [--browsers-nice N] [--skip-browsers]
                                        [--skip-pool] [--soak K] [--soak-epochs E]
                                        [--class-students N] [--backend local|ray]

The defaults are 30 pool students and 30 browsers. Thirty Chromium tabs take
minutes to load and draw on two cores next to the server, so the browsers' own
times (opening a preset, Train to Finished) include that wait.

Part C (memory, ``--soak 100``): one browser student trains the preset 100 times in
a row in one session; the server's and the workers' resident memory
after each run shows whether it stays flat (target: within 100 MB).

Part D (a class, ``--class-students 30``): a teacher opens the preset, creates a class
on the Class page and keeps its board open (it reads the class's runs every 3 s); each
student joins with the code and a name, trains the lesson and waits for "Finished". The
board's read time (shown under it) is sampled from the teacher's page, and the health
endpoint is polled as in part A; its p95 while the class trains has the same target.

Memory is read from /proc (Linux), so psutil is not needed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import re
import statistics
import sys
import threading
import time
import urllib.request
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from builder.worker.serve import resident_mb  # noqa: E402 (after the path set-up)

HEALTH_P95_MS = 200.0
MEMORY_GROWTH_MB = 300.0  # bounded: the server may not grow more than this under load
SOAK_GROWTH_MB = 100.0  # flat: growth over many runs of one session
# A browser student's waits: 30 Chromium tabs sharing two cores with the server take
# minutes to load and draw, far longer than Playwright's 30 s default.
STUDENT_TIMEOUT_MS = 600_000
CLASS_CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}")
# Found by the browser (JavaScript syntax), then read here (named groups).
BOARD_CAPTION = re.compile(r"ended runs .* board read in \d+ ms")
BOARD_LINE = re.compile(r"(?P<runs>\d+) ended runs .* board read in (?P<ms>\d+) ms")


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far; 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Every descendant process of ``pid`` (workers and their resource trackers)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [grand for child in found for grand in children(child)]


class Sampler(threading.Thread):
    """Samples the resident memory of the server (or this process), its workers and,
    on a Ray cluster, Ray's own processes."""

    def __init__(self, pid: int, every: float = 0.5, workers=None, others=None):
        """``workers``/``others``: callables listing pids (default: ``pid``'s descendants; none)."""
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self._workers = workers or (lambda: children(pid))
        self._others = others or list
        self.server_mb: list[float] = []
        self.workers_mb: list[float] = []
        self.others_mb: list[float] = []
        self.halt = threading.Event()

    def run(self) -> None:
        while not self.halt.is_set():
            workers = set(self._workers())
            self.server_mb.append(resident_mb(self.pid))
            self.workers_mb.append(sum(resident_mb(pid) for pid in workers))
            self.others_mb.append(sum(resident_mb(pid) for pid in set(self._others()) - workers))
            self.halt.wait(self.every)


def _probe_health(url: str, every: float, halt, results) -> None:
    """Poll the health endpoint until ``halt`` is set; send back ([(when, ms)], failures)."""
    latencies, failures = [], 0
    while not halt.is_set():
        start = time.perf_counter()
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as reply:
                reply.read()
            latencies.append((time.time(), 1000 * (time.perf_counter() - start)))
        except OSError:
            failures += 1
        halt.wait(every)
    results.send((latencies, failures))


class HealthProbe:
    """The server's health-endpoint latency, measured from a process of its own."""

    def __init__(self, url: str, every: float = 0.1):
        context = multiprocessing.get_context("spawn")
        self._halt = context.Event()
        self._results, sender = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_probe_health, args=(url, every, self._halt, sender), daemon=True
        )
        self._process.start()

    def finish(self) -> tuple[list[tuple[float, float]], int]:
        """Stop polling; (wall-clock time, latency in ms) of each answered poll, and failures."""
        self._halt.set()
        latencies, failures = self._results.recv()
        self._process.join()
        return latencies, failures


async def _open_once(url: str) -> None:
    from playwright.async_api import async_playwright, expect

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = await browser.new_page()
        await page.goto(url)
        heading = page.get_by_role("heading", name="Neural Network Builder")
        await expect(heading).to_be_visible(timeout=120_000)
        await browser.close()


def warm_up(url: str, workers, timeout: float = 300) -> None:
    """Open the app once (the first page view starts the worker pool), then wait until
    the workers (``workers()`` lists their pids) have imported TensorFlow: their CPU use
    settles."""
    asyncio.run(_open_once(url))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(worker) for worker in workers())
        time.sleep(1)
        found = workers()
        if len(found) >= 2 and sum(cpu_seconds(w) for w in found) - before < 0.05:
            return


def ray_actors(cluster) -> list[int]:
    """The cluster's actor processes (Ray names them ``ray::<class>``), not Ray's own."""
    found = []
    for pid in cluster.processes():
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::ActorWorker"):
                found.append(pid)
        except OSError:  # ended meanwhile
            continue
    return found


async def new_page(browser):
    """A fresh context (a student's own session) and its page, with a classroom's patience."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STUDENT_TIMEOUT_MS)
    context.set_default_navigation_timeout(STUDENT_TIMEOUT_MS)
    return await context.new_page()


async def open_preset(page, url: str, preset: str) -> None:
    from playwright.async_api import expect

    await page.goto(f"{url}/build?preset={preset}")
    await expect(page.get_by_role("heading", name="Build")).to_be_visible()


async def train_and_wait(page, epochs: int | None, started: float) -> dict:
    """Go to Train, set the epochs, press Train and wait for the run to finish."""
    from playwright.async_api import expect

    await page.get_by_role("link", name="Train").click()
    await expect(page.get_by_role("heading", name="Train")).to_be_visible()
    if epochs:
        # The first box: a rerun may hold the page's old Epochs box beside the new one.
        box = page.locator(".st-key-train_epochs input").first
        await box.fill(str(epochs))
        await box.press("Enter")
        await expect(box).to_have_value(str(epochs))
    clicked = time.perf_counter()
    await page.locator(".st-key-train_start button").first.click()
    finished = page.get_by_text(re.compile(r"Finished \d+ epochs")).first
    await expect(finished).to_be_visible()
    return {
        "ok": True,
        "load_s": clicked - started,
        "train_s": time.perf_counter() - clicked,
        "clicked_at": time.time() - (time.perf_counter() - clicked),
    }


async def as_student(browser, steps) -> dict:
    """Run ``steps(page, started)`` in a fresh student's page; a failure is a result too."""
    page = await new_page(browser)
    try:
        return await steps(page, time.perf_counter())
    except Exception as error:  # a benchmark reports every failure instead of stopping
        return {"ok": False, "error": f"{type(error).__name__}: {str(error)[:200]}"}
    finally:
        await page.context.close()


async def browser_student(browser, url: str, preset: str, epochs: int | None) -> dict:
    """One student: open the preset, go to Train, press Train, wait for the run to finish."""

    async def steps(page, started: float) -> dict:
        await open_preset(page, url, preset)
        return await train_and_wait(page, epochs, started)

    return await as_student(browser, steps)


async def class_student(browser, url: str, code: str, name: str, epochs: int | None) -> dict:
    """One student of a class: join with the code and a name, train the lesson, wait."""
    from playwright.async_api import expect

    async def steps(page, started: float) -> dict:
        await page.goto(f"{url}/class_room")
        await page.locator(".st-key-class_join_code input").fill(code)
        await page.locator(".st-key-class_join_name input").fill(name)
        await page.locator(".st-key-class_join button").first.click()
        await expect(page.get_by_test_id("stAlert").first).to_contain_text(f"as {name}")
        return await train_and_wait(page, epochs, started)

    return await as_student(browser, steps)


def lower_autogroups(niceness: int) -> None:
    """Give the scheduling groups of this process's descendants ``niceness``.

    Linux's autogroup scheduler shares the CPU fairly between sessions before it looks
    at niceness, and Chromium starts a session of its own (and sets its processes'
    niceness itself), so a niced parent alone leaves Chromium an equal share with the
    server. Writing to ``/proc/PID/autogroup`` lowers the whole group's share; the
    group this process shares with the server is left alone.
    """
    try:
        own_group = Path("/proc/self/autogroup").read_text().split()[0]
    except OSError:  # no autogroup scheduler here: niceness alone decides
        return
    for pid in children(os.getpid()):
        group = Path(f"/proc/{pid}/autogroup")
        try:
            if group.read_text().split()[0] != own_group:
                group.write_text(str(niceness))
        except OSError:  # the process is gone
            continue


@contextlib.asynccontextmanager
async def students_chromium():
    """One headless Chromium for every student, at the lowest CPU share (see
    ``lower_autogroups``), with a classroom's patience for every wait."""
    from playwright.async_api import async_playwright, expect

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    expect.set_options(timeout=STUDENT_TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        lower_autogroups(os.nice(0))
        try:
            yield browser
        finally:
            await browser.close()


async def all_students(url: str, count: int, preset: str, epochs: int | None) -> list[dict]:
    """``count`` students at once: one Chromium, one context (a fresh session) each."""
    async with students_chromium() as browser:
        students = [browser_student(browser, url, preset, epochs) for _ in range(count)]
        return list(await asyncio.gather(*students))


def run_students(url: str, count: int, preset: str, epochs: int | None) -> dict:
    """``all_students`` from a plain (non-async) call, for a process pool."""
    return {"results": asyncio.run(all_students(url, count, preset, epochs))}


async def teacher_creates_class(page, url: str, preset: str) -> str:
    """The teacher opens the preset, creates a class on it and keeps its board open; the code."""
    from playwright.async_api import expect

    await open_preset(page, url, preset)
    await page.get_by_role("link", name="Class").click()
    await page.get_by_text("Create a class (teachers)").click()
    await page.locator(".st-key-class_new_title input").fill("Benchmark class")
    await page.locator(".st-key-class_create button").first.click()
    created = page.get_by_test_id("stAlert").filter(has_text="Students join with the code")
    await expect(created).to_be_visible()
    return CLASS_CODE.search(await created.inner_text()).group(0)


async def watch_board(page, halt: asyncio.Event, samples: list) -> None:
    """Read the board's caption each time it changes: (wall time, read ms, ended runs)."""
    caption = page.get_by_text(BOARD_CAPTION)
    last = None
    while not halt.is_set():
        try:
            text = await caption.inner_text(timeout=5000)
        except Exception:  # redrawn between finding it and reading it: read again
            text = None
        if text and text != last:
            found = BOARD_LINE.search(text)
            samples.append((time.time(), float(found["ms"]), int(found["runs"])))
            last = text
        await asyncio.sleep(0.5)


async def a_class(url: str, count: int, preset: str, epochs: int | None) -> dict:
    """A teacher with the board open and ``count`` students who join and train."""
    from playwright.async_api import expect

    async with students_chromium() as browser:
        teacher = await new_page(browser)
        code = await teacher_creates_class(teacher, url, preset)
        halt, board = asyncio.Event(), []
        watcher = asyncio.create_task(watch_board(teacher, halt, board))
        students = [class_student(browser, url, code, f"student {n}", epochs) for n in range(count)]
        results = list(await asyncio.gather(*students))
        # Every run has ended (a student whose tab gave up waiting still trained one).
        settled = re.compile(rf"{count} students · \d+ ended runs · 0 training")
        await expect(teacher.get_by_text(settled)).to_be_visible()
        halt.set()
        await watcher
        return {"results": results, "board": board}


def run_class(url: str, count: int, preset: str, epochs: int | None) -> dict:
    """``a_class`` from a plain (non-async) call, for a process pool."""
    return asyncio.run(a_class(url, count, preset, epochs))


def server_pid(url: str) -> int:
    """The pid of the server ``serve_app`` started: our child that serves ``url``'s port."""
    port = url.rsplit(":", 1)[1]
    for pid in children(os.getpid()):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"--server.port={port}".encode() in command:
            return pid
    raise RuntimeError(f"no child process serves port {port}")


def part_browsers(
    count: int,
    preset: str,
    epochs: int | None,
    niceness: int,
    students_of=run_students,
    backend: str = "local",
) -> dict:
    """Part A (and D, with ``students_of=run_class``): ``count`` browser students against one
    real server; ``backend="ray"``: the server trains on a Ray cluster started here."""
    from tests.conftest import serve_app

    with contextlib.ExitStack() as stack:
        env, watched = None, {}
        if backend == "ray":
            from tests.ray_cluster import local_cluster

            cluster = stack.enter_context(local_cluster(workers=2))
            env = {"NNB_JOB_BACKEND": "ray", "NNB_RAY_ADDRESS": cluster.address}
            watched = {"workers": lambda: ray_actors(cluster), "others": cluster.processes}
        url = stack.enter_context(serve_app(env))
        pid = server_pid(url)
        warm_up(url, watched.get("workers") or (lambda: children(pid)))
        baseline = resident_mb(pid)
        sampler = Sampler(pid, **watched)
        sampler.start()
        probe = HealthProbe(url)
        started, cpu_before = time.perf_counter(), cpu_seconds(pid)
        # The students' side (this driver, Playwright's and Chromium's processes) runs in
        # a process of its own at ``niceness``: it stands in for the students' computers.
        with ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=os.nice,
            initargs=(niceness,),
        ) as students:
            answer = students.submit(students_of, url, count, preset, epochs).result()
        wall, server_cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu_before
        health_ms, health_failures = probe.finish()
        sampler.halt.set()
        sampler.join()
    return {
        **answer,
        "wall": wall,
        "server_cpu": server_cpu,
        "sampler": sampler,
        "baseline_mb": baseline,
        "health_ms": health_ms,
        "health_failures": health_failures,
    }


def soak_student(url: str, preset: str, epochs: int, runs: int, pid: int) -> list[dict]:
    """One student trains ``runs`` times in a row; memory is read after each run."""
    from playwright.sync_api import expect, sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    samples = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/train?preset={preset}")
        box = page.locator(".st-key-train_epochs input").first
        box.fill(str(epochs))
        box.press("Enter")
        expect(box).to_have_value(str(epochs), timeout=120_000)
        sidebar = page.get_by_test_id("stSidebar")
        for number in range(1, runs + 1):
            page.locator(".st-key-train_start button").first.click()
            expect(sidebar).to_contain_text(f"Runs: {number}", timeout=300_000)
            expect(page.locator(".st-key-train_start button").first).to_be_enabled()
            samples.append(
                {
                    "server_mb": resident_mb(pid),
                    "workers_mb": sum(resident_mb(child) for child in children(pid)),
                }
            )
        browser.close()
    return samples


def part_soak(runs: int, preset: str, epochs: int) -> dict:
    """Part C: one session, ``runs`` trainings in a row, memory after each."""
    from tests.conftest import serve_app

    with serve_app() as url:
        pid = server_pid(url)
        started = time.perf_counter()
        samples = soak_student(url, preset, epochs, runs, pid)
        return {"samples": samples, "wall": time.perf_counter() - started}


def report_soak(runs: int, outcome: dict) -> bool:
    samples = outcome["samples"]
    window = max(1, min(10, len(samples) // 4))
    print(f"\nPart C — one session, {runs} trainings in a row (wall {outcome['wall']:.0f} s)")
    passed = len(samples) == runs
    for name in ("server_mb", "workers_mb"):
        values = [sample[name] for sample in samples]
        early = statistics.median(values[:window])
        late = statistics.median(values[-window:])
        print(
            f"  {name.split('_')[0]:<8} RSS  runs 1-{window}: {early:.0f} MB   "
            f"last {window}: {late:.0f} MB   growth {late - early:+.0f} MB   max {max(values):.0f} MB"
        )
        passed &= late - early < SOAK_GROWTH_MB
    print(f"  memory flat (growth under {SOAK_GROWTH_MB:.0f} MB): {verdict(passed)}")
    return passed


def part_pool(count: int, preset: str, epochs: int | None, backend: str = "local") -> dict:
    """Part B: ``count`` threads each submit the preset to one pool and wait.

    ``backend="ray"``: the pool is a ``RayPool`` on a cluster started here, on this
    host (a head without CPUs and two one-CPU worker nodes: as many workers as the
    local pool has on two cores).
    """
    if backend == "ray":
        from builder.training.ray_pool import RayPool
        from tests.ray_cluster import local_cluster

        with local_cluster(workers=2) as cluster:
            pool = RayPool(cluster.address)
            sampler = Sampler(os.getpid(), workers=pool.worker_pids, others=cluster.processes)
            return _run_pool(pool, sampler, count, preset, epochs)
    from builder.training import jobs

    return _run_pool(jobs.WorkerPool(), Sampler(os.getpid()), count, preset, epochs)


def _run_pool(pool, sampler: Sampler, count: int, preset: str, epochs: int | None) -> dict:
    from builder.experiment.presets import preset_experiment
    from builder.training import jobs

    sampler.start()
    # Let the warm workers finish importing TensorFlow, as a running server's would have.
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not (
        pool._workers and all(w.ready for w in pool._workers)
    ):
        time.sleep(0.2)

    def student(_: int) -> dict:
        experiment = preset_experiment(preset)
        if epochs:
            experiment.train.epochs = epochs
        submitted = time.perf_counter()
        job = jobs.submit_training(experiment, pool=pool)
        first = None
        while not job.wait(0.05):
            if first is None and job.history:
                first = time.perf_counter()
        ended = time.perf_counter()
        if first is None and job.history:
            first = ended
        return {
            "ok": job.state == jobs.FINISHED,
            "error": job.error,
            "total_s": ended - submitted,
            "queue_s": (first or ended) - submitted,
        }

    started = time.perf_counter()
    with ThreadPoolExecutor(count) as executor:
        results = list(executor.map(student, range(count)))
    wall = time.perf_counter() - started
    sampler.halt.set()
    sampler.join()
    workers = pool.max_workers
    pool.shutdown()
    return {"results": results, "wall": wall, "sampler": sampler, "workers": workers}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def spread(label: str, values: list[float], unit: str = "s") -> None:
    """Print one line: the p50 and p95 of ``values``."""
    digits = 0 if unit == "ms" else 1
    print(
        f"  {label:<20} p50 {percentile(values, 0.5):.{digits}f} {unit}   "
        f"p95 {percentile(values, 0.95):.{digits}f} {unit}"
    )


def split_outcomes(results: list[dict]) -> tuple[list[dict], list[str]]:
    """The students whose run finished, and the errors of the others."""
    return [r for r in results if r["ok"]], [r["error"] or "" for r in results if not r["ok"]]


def report_pool(count: int, outcome: dict) -> bool:
    sampler = outcome["sampler"]
    done, errors = split_outcomes(outcome["results"])
    totals = [r["total_s"] for r in done]
    queues = [r["queue_s"] for r in done]
    print(
        f"\nPart B — job pool ({outcome['backend']}): {count} students, "
        f"{outcome['workers']} workers"
    )
    print(f"  completed            {len(done)}/{count}   wall {outcome['wall']:.1f} s")
    spread("time to finish", totals)
    spread("queue wait", queues)
    print(
        f"  worker RSS (sum)     max {max(sampler.workers_mb, default=0):.0f} MB   "
        f"last {sampler.workers_mb[-1] if sampler.workers_mb else 0:.0f} MB"
    )
    if any(sampler.others_mb):
        print(f"  Ray's processes RSS  max {max(sampler.others_mb):.0f} MB")
    print(f"  this process RSS     max {max(sampler.server_mb, default=0):.0f} MB")
    for error in sorted(set(errors)):
        print(f"  error: {error}")
    passed = len(done) == count and not errors
    print(f"  every run completes, no errors: {verdict(passed)}")
    return passed


def report_browsers(count: int, outcome: dict, title: str = "") -> bool:
    sampler = outcome["sampler"]
    done, errors = split_outcomes(outcome["results"])
    trains = [r["train_s"] for r in done]
    loads = [r["load_s"] for r in done]
    polls, failures = outcome["health_ms"], outcome["health_failures"]
    health = [ms for _, ms in polls]
    # Opening the app streams Streamlit's ~23 MB of JavaScript through the server's
    # event loop; once every student has pressed Train, the load is the training's.
    all_training = max((r["clicked_at"] for r in done), default=float("inf"))
    loading = [ms for when, ms in polls if when < all_training]
    training = [ms for when, ms in polls if when >= all_training]
    growth = max(sampler.server_mb, default=0) - outcome["baseline_mb"]
    print(title or f"\nPart A — real server: {count} browser students")
    print(f"  completed            {len(done)}/{count}   wall {outcome['wall']:.1f} s")
    spread("open preset → Train", loads)
    spread("Train → Finished", trains)
    print(
        f"  health latency       p50 {percentile(health, 0.5):.0f} ms   "
        f"p95 {percentile(health, 0.95):.0f} ms   max {max(health, default=0):.0f} ms   "
        f"({len(health)} polls, {failures} failed)"
    )
    spread("  while pages load", loading, "ms")
    spread("  while all train", training, "ms")
    print(
        f"  server RSS           idle {outcome['baseline_mb']:.0f} MB   "
        f"max {max(sampler.server_mb, default=0):.0f} MB"
    )
    print(f"  worker RSS (sum)     max {max(sampler.workers_mb, default=0):.0f} MB")
    if any(sampler.others_mb):
        print(f"  Ray's processes RSS  max {max(sampler.others_mb):.0f} MB (head and nodes)")
    print(
        f"  server CPU           {outcome['server_cpu']:.1f} s in {outcome['wall']:.1f} s "
        f"({100 * outcome['server_cpu'] / outcome['wall']:.0f}% of one core)"
    )
    for error in sorted(set(errors)):
        print(f"  error: {error}")
    checks = {
        "every run completes, no errors": len(done) == count and not errors,
        f"health p95 under {HEALTH_P95_MS:.0f} ms": percentile(health, 0.95) < HEALTH_P95_MS
        and failures == 0,
        f"server memory grows under {MEMORY_GROWTH_MB:.0f} MB": growth < MEMORY_GROWTH_MB,
    }
    for name, ok in checks.items():
        print(f"  {name}: {verdict(ok)}")
    return all(checks.values())


def report_class(count: int, outcome: dict) -> bool:
    title = f"\nPart D — a class: the teacher's board open, {count} students join and train"
    passed = report_browsers(count, outcome, title)
    board = outcome["board"]
    done, _ = split_outcomes(outcome["results"])
    spread("board read", [ms for _, ms, _ in board], "ms")
    last = board[-1][2] if board else 0
    print(f"  board refreshes read {len(board)}   ended runs on it at the end {last}")
    shown = bool(board) and last >= len(done)
    print(f"  the board shows every ended run: {verdict(shown)}")
    return passed and shown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="pool students (part B)")
    parser.add_argument("--browsers", type=int, default=30, help="browser students (part A)")
    parser.add_argument("--preset", default="iris", help="the preset every student trains")
    parser.add_argument("--epochs", type=int, default=None, help="override the preset's epochs")
    parser.add_argument(
        "--browsers-nice",
        type=int,
        default=19,
        help="niceness of the browsers, which stand in for the students' own computers",
    )
    parser.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="ray: parts A and B run on a local pool and then on a Ray cluster started here",
    )
    parser.add_argument("--skip-browsers", action="store_true")
    parser.add_argument("--skip-pool", action="store_true")
    parser.add_argument("--soak", type=int, default=0, help="runs in one session (part C)")
    parser.add_argument("--soak-epochs", type=int, default=5, help="epochs of each soak run")
    parser.add_argument(
        "--class-students", type=int, default=0, help="students of a class with a board (part D)"
    )
    args = parser.parse_args()
    print(
        f"classroom load: preset {args.preset}, epochs {args.epochs or 'as the preset'}, "
        f"{os.cpu_count()} cores"
    )
    passed = True
    if not args.skip_pool:
        # Ray is measured against the local pool, in the same run.
        for backend in ("local", "ray") if args.backend == "ray" else ("local",):
            outcome = part_pool(args.students, args.preset, args.epochs, backend)
            passed &= report_pool(args.students, {**outcome, "backend": backend})
    if not args.skip_browsers:
        for backend in ("local", "ray") if args.backend == "ray" else ("local",):
            outcome = part_browsers(
                args.browsers, args.preset, args.epochs, args.browsers_nice, backend=backend
            )
            title = f"\nPart A — real server: {args.browsers} browser students, {backend} pool"
            passed &= report_browsers(args.browsers, outcome, title)
    if args.soak:
        passed &= report_soak(args.soak, part_soak(args.soak, args.preset, args.soak_epochs))
    if args.class_students:
        outcome = part_browsers(
            args.class_students, args.preset, args.epochs, args.browsers_nice, run_class
        )
        passed &= report_class(args.class_students, outcome)
    print(f"\nOverall: {verdict(passed)}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
