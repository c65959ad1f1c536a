"""Two replicas behind nginx (deploy/nginx.conf), in headless Chromium.

The replicas share one data folder, a PostgreSQL store and a Ray cluster (a head and two
one-CPU workers on 127.0.0.1), all started by the test.
A browser keeps to the replica its routing cookie names from its first page on, websocket
included, and its workspace comes back after a reload there; another browser on the other
replica has a workspace of its own; nginx serves /static/ itself, passes the health check
through, and skips a replica that is down.
"""

import contextlib
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from builder.config import load_limits
from deploy.nginx import render, streamlit_static
from tests.conftest import ARTIFACTS, ROOT, free_port, new_context, start_server, stop_server
from tests.ray_cluster import local_cluster
from tests.test_browser_workspace import token_of, train_briefly
from tests.waiting import wait_until

pytestmark = pytest.mark.browser

NGINX = "/usr/sbin/nginx"
ROUTE = "nnb_replica"
UPSTREAM = "x-nnb-upstream"


@contextlib.contextmanager
def run_nginx(replicas: list[str], folder: Path):
    """nginx in front of ``replicas``, its files in ``folder``; yield its URL."""
    assert Path(NGINX).exists(), "nginx is not installed: run `apt-get install nginx`."
    port = free_port()
    limits = load_limits()
    conf = folder / "nginx.conf"
    # A replica found down is skipped for 10 minutes, not 10 s: nginx then tries it again,
    # which a loaded machine's slow requests could reach while the test still looks.
    conf.write_text(
        render(
            replicas,
            f"127.0.0.1:{port}",
            folder,
            limits.max_upload_mb,
            limits.workspace_days,
            fail_seconds=600,
        )
    )
    # As root, nginx's workers would run as nobody, who cannot enter pytest's private
    # folders to buffer an upload: they run as the one user, as for a host without root.
    directives = "daemon off;" + (" user root;" if os.getuid() == 0 else "")
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / f"nginx-{port}.log").open("w") as log:
        server = subprocess.Popen(
            [NGINX, "-p", str(folder), "-c", str(conf), "-g", directives],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(server, url, folder), "nginx to answer", 60, 0.2)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _answers(server: subprocess.Popen, url: str, folder: Path) -> bool:
    assert server.poll() is None, f"nginx did not start; see {folder / 'error.log'}"
    try:
        urllib.request.urlopen(f"{url}/_stcore/health", timeout=10).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster(postgres, tmp_path_factory):
    """nginx's URL and the replicas, as {"host:port": server process}."""
    with local_cluster(workers=2) as ray_cluster:
        env = {
            "NNB_DATA_DIR": str(tmp_path_factory.mktemp("shared-data")),
            "NNB_DATABASE_URL": postgres.new_database(),
            "NNB_JOB_BACKEND": "ray",
            "NNB_RAY_ADDRESS": ray_cluster.address,
            "NNB_MAX_CONCURRENT_TRAININGS": "1",  # one of the cluster's two CPUs each
        }
        servers = {}
        try:
            for _ in range(2):
                port = free_port()
                servers[f"127.0.0.1:{port}"] = start_server(port, env)
            with run_nginx(list(servers), tmp_path_factory.mktemp("nginx")) as url:
                yield url, servers
        finally:
            for server in servers.values():
                stop_server(server)


def joined_ray(server: subprocess.Popen) -> bool:
    """Whether the replica has started its pool (Ray is loaded once it has)."""
    return "_raylet" in Path(f"/proc/{server.pid}/maps").read_text()


def get(url: str, replica: str) -> tuple[str, str]:
    """GET ``url`` with the routing cookie naming ``replica``; (body, upstream)."""
    request = urllib.request.Request(url, headers={"Cookie": f"{ROUTE}={replica}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return answer.read().decode(), answer.headers.get(UPSTREAM, "")


def answers(tab) -> list[tuple[str, str]]:
    """(URL, the replica that answered or "" when nginx did) of each response the tab gets."""
    seen = []
    tab.on(
        "response", lambda response: seen.append((response.url, response.headers.get(UPSTREAM, "")))
    )
    return seen


def proxied(seen: list[tuple[str, str]]) -> set[str]:
    """The replicas that answered, leaving out the files nginx served itself."""
    return {upstream for path, upstream in seen if "/static/" not in path}


def test_a_browser_keeps_to_its_replica_and_workspace_and_another_has_its_own(cluster, page):
    url, servers = cluster
    answered = answers(page)
    first = page.goto(f"{url}/train?preset=iris")
    mine = first.headers[UPSTREAM]
    (cookie,) = [c for c in page.context.cookies() if c["name"] == ROUTE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert mine == list(servers)[int(cookie["value"][1:]) - 1]
    train_briefly(page, 3)
    token = token_of(page)

    again = page.reload()
    assert again.headers[UPSTREAM] == mine
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text("iris · run 1")
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Runs: 1")
    assert token_of(page) == token
    # Every page, script run (they come through the websocket) and training stayed on one
    # replica: only it has started its pool of training workers.
    (other,) = [address for address in servers if address != mine]
    assert joined_ray(servers[mine]) and not joined_ray(servers[other])
    assert proxied(answered) == {mine}

    # nginx serves Streamlit's scripts from disk, to be cached; the health check is passed on.
    scripts = [path for path, upstream in answered if "/static/js/" in path and not upstream]
    assert scripts and all(upstream == "" for path, upstream in answered if "/static/" in path)
    script = page.request.get(scripts[0])
    assert "immutable" in script.headers["cache-control"]
    name = scripts[0].split("/static/", 1)[1]
    assert script.body() == (streamlit_static() / "static" / name).read_bytes()
    assert get(f"{url}/_stcore/health", cookie["value"]) == ("ok", mine)

    # Another browser on the other replica (forced: a new browser's replica is random)
    # uploads a table larger than nginx keeps in memory; its workspace is its own.
    second = new_context(page.context.browser)
    try:
        other_name = f"r{list(servers).index(other) + 1}"
        second.add_cookies([{"name": ROUTE, "value": other_name, "url": url}])
        tab = second.new_page()
        seen = answers(tab)
        assert tab.goto(f"{url}/data").headers[UPSTREAM] == other
        tab.get_by_text("My own file(s)").click()
        table = ROOT / "sample_data" / "pima-indians-diabetes.csv"
        tab.locator(".st-key-data_upload input[type=file]").set_input_files(str(table))
        sidebar = tab.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("pima-indians-diabetes.csv (768 rows × 9 cols)")
        expect(sidebar).to_contain_text("Runs: 0")
        assert token_of(tab) != token
        assert proxied(seen) == {other}  # the upload included
    finally:
        second.close()


def test_a_replica_that_is_down_is_skipped(cluster):
    url, servers = cluster
    (up, down) = servers
    stop_server(servers[down])
    route = f"r{list(servers).index(down) + 1}"
    # The first request tries the replica, then its stand-in; later ones skip it at once,
    # whichever of nginx's worker processes takes them.
    assert get(f"{url}/_stcore/health", route) == ("ok", f"{down}, {up}")
    assert {get(f"{url}/_stcore/health", route) for _ in range(20)} == {("ok", up)}
