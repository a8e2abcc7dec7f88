"""`programme serve`: the live proof in the browser.

The fast tests serve a small PDF made here (no WeasyPrint) through the real server on a
free loopback port and speak HTTP to it directly: routes, path safety, the event stream,
a clean stop. The slow test runs the real command on a copy of the example festival and
drives it with headless Chromium (Debian's ``chromium``, through Playwright).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pytest

from programme.problems import Problem
from programme.serve import LiveProof, listen
from programme.serve.builder import Builder, FilmInfo
from programme.serve.pages import Destination, _runs, _split, anchor_pages, read_pdf
from programme.serve.sources import LastChanges

from .conftest import EXAMPLE

PNG = b"\x89PNG\r\n\x1a\n"


# ------------------------------------------------------------------------ a small PDF
def make_pdf(path: Path, texts: list[str], trim: bool = True) -> None:
    """A PDF with one page per text: a box whose width depends on the text, and a named
    destination ``film-<text>`` at the top of each page."""
    pdf = pikepdf.new()
    names = []
    for i, text in enumerate(texts):
        width = 20 + 10 * len(text)
        content = f"0 0 1 rg 30 300 {width} 40 re f".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[-9, -9, 429, 604],
            Contents=pdf.make_stream(content), Resources=pikepdf.Dictionary())
        if trim:
            page.TrimBox = [0, 0, 420, 595]
        pdf.pages.append(pikepdf.Page(page))
        names.append((f"film-{text}", i))
    dests = pikepdf.Array()
    for name, i in sorted(names):
        dests.append(pikepdf.String(name))
        dests.append(pikepdf.Array([pdf.pages[i].obj, pikepdf.Name.XYZ, 40, 550, 0]))
    pdf.Root.Names = pikepdf.Dictionary(Dests=pdf.make_indirect(pikepdf.Dictionary(Names=dests)))
    pdf.save(path)


def _small_project(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    (content / "films").mkdir(parents=True)
    (content / "festival.yaml").write_text("name: Test festival\n")
    (content / "films" / "alpha.yaml").write_text("title: Alpha\nruntime: 90\n")
    (content / "films" / "beta.yaml").write_text("title: Beta\nruntime: 80\n")
    (tmp_path / "secret.txt").write_text("root:x:0:0 not to be served\n")
    return tmp_path


@pytest.fixture
def small_project(tmp_path) -> Path:
    return _small_project(tmp_path)


class Running:
    """A LiveProof serving a builder that was given a made-up build (no build thread)."""

    def __init__(self, project: Path, texts=("alpha", "beta", "beta")):
        self.project = project
        self.lines: list[str] = []
        self.builder = Builder(project / "content", "brochure", output=project / "out.pdf",
                               echo=self.lines.append)
        self.show(list(texts))
        self.live = LiveProof(self.builder, listen("127.0.0.1", 0), build=False)
        self.port = self.live.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.live.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.live.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)

    def show(self, texts: list[str], warnings=None) -> list[int]:
        content = self.project / "content"
        make_pdf(self.project / "out.pdf", texts)
        self.builder._list_sources()
        films = {slug: FilmInfo(slug, slug.title(), content / "films" / f"{slug}.yaml")
                 for slug in ("alpha", "beta")}
        names = {f"film-{slug}": film.title for slug, film in films.items()}
        from programme.problems import display_path
        from programme.resources import builtin_layouts

        fillers = display_path(builtin_layouts() / "brochure" / "partials" / "filler-pages.html")
        return self.builder._show(warnings or [
            Problem(str(content / "films" / "beta.yaml"), 2, "runtime", "a warning", "warning"),
            Problem(fillers, None, None, "no font has U+E000: it prints as an empty box on "
                    "page 3", "warning")],
            films, names, {"alpha": ["tagline"]}, 0.5, [])

    def request(self, target: str, method: str = "GET", host: str | None = None):
        """A raw request: the target is sent exactly as given."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as sock:
            head = (f"{method} {target} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{self.port}'}"
                    f"\r\nConnection: close\r\n\r\n")
            sock.sendall(head.encode("latin-1"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, head.decode("latin-1"), body

    def get(self, path: str):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def stop(self) -> None:
        self.live.stop()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the server did not stop"


@pytest.fixture
def running(small_project):
    """A server of one's own, for tests that change what it serves or stop it."""
    server = Running(small_project)
    yield server
    if server.thread.is_alive():
        server.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the tests that only read."""
    server = Running(_small_project(tmp_path_factory.mktemp("served")))
    yield server
    server.stop()


# ------------------------------------------------------------------------------ routes
def test_page_and_assets(served):
    response, body = served.get("/")
    assert response.status == 200 and b"programme serve" in body
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    for name, kind in (("/app.js", "javascript"), ("/style.css", "text/css")):
        response, body = served.get(name)
        assert response.status == 200 and kind in response.getheader("Content-Type")


def test_state_describes_the_pages_films_and_problems(served):
    response, body = served.get("/state.json")
    state = json.loads(body)
    assert state["status"] == "ok" and state["kind"] == "brochure"
    assert [p["n"] for p in state["pages"]] == [1, 2, 3]
    assert all(p["ready"] and p["src"].startswith(f"/page/{p['n']}.png?v=")
               for p in state["pages"])
    assert state["pages"][0]["labels"] == ["Alpha"]
    # beta's anchor is on pages 2 and 3 (two anchors of one name: the first wins, and the
    # page after is covered as no anchor starts on it)
    assert state["films"]["alpha"]["pages"] == [1]
    assert state["films"]["alpha"]["file"].endswith("content/films/alpha.yaml")
    assert state["films"]["alpha"]["source"] == "/source/films/alpha.yaml"
    assert state["films"]["alpha"]["changed"].startswith("last changed ")
    warning = next(p for p in state["problems"] if p["severity"] == "warning")
    assert re.search(r"content/films/beta\.yaml:2: warning: runtime: a warning$", warning["text"])
    assert warning["source"] == "/source/films/beta.yaml#L2"
    assert warning["page"] == state["films"]["beta"]["pages"][0]
    layout = next(p for p in state["problems"] if "U+E000" in p["text"])
    assert layout["page"] == 3   # the page the message names
    assert layout["source"] == "/source/layout/partials/filler-pages.html"
    missing = next(p for p in state["problems"] if p["severity"] == "missing")
    assert "alpha.yaml: missing: tagline" in missing["text"] and missing["page"] == 1
    assert state["pdf"]["name"] == "brochure.pdf"
    assert state["errors"] == []


def test_page_images_are_cut_to_the_trim_box(served):
    response, body = served.get("/page/1.png")
    assert response.status == 200 and body.startswith(PNG)
    assert response.getheader("Content-Type") == "image/png"
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(body)) as image:   # 420 × 595 pt at 150 dpi, no bleed
        assert image.size == (875, 1240)


def test_the_pdf_is_the_built_one(served):
    response, body = served.get("/brochure.pdf")
    assert response.status == 200 and response.getheader("Content-Type") == "application/pdf"
    assert body == (served.project / "out.pdf").read_bytes()


def test_source_view_only_for_listed_content_files(served):
    response, body = served.get("/source/films/alpha.yaml")
    assert response.status == 200 and b"title: Alpha" in body and b'id="L2"' in body
    response, body = served.get("/source/festival.yaml")
    assert response.status == 200 and b"Test festival" in body
    for path in ("/source/films/gamma.yaml", "/source/secret.txt", "/source/sections.yaml",
                 "/source/films/..", "/source/content", "/source/layout/../../secret.txt",
                 "/source/layout/%2e%2e/secret.txt", "/source/layout/nothing.css",
                 "/source/layout/fonts.css/../index.html"):
        assert served.get(path)[0].status == 404, path
    # the layout's own files, as listed: the brochure's templates and style
    response, body = served.get("/source/layout/style.css")
    assert response.status == 200 and b"@page" in body
    response, body = served.get("/source/layout/partials/filler-pages.html")
    assert response.status == 200


@pytest.mark.parametrize("target", [
    "/../etc/passwd", "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/page/../../etc/passwd", "/page/%2e%2e/%2e%2e/etc/passwd", "/page/..%2f..%2fetc%2fpasswd",
    "/source/..%2f..%2fetc%2fpasswd", "/source/%2fetc%2fpasswd", "/source/films/..%2f..%2fsecret.txt",
    "/source/films/%2e%2e%2fsecret.txt", "/source/films/../../secret.txt", "/secret.txt",
    "/etc/passwd", "//etc/passwd", "/content/films/alpha.yaml", "/out.pdf", "/static/app.js",
    "/page/4.png", "/page/0.png", "/page/-1.png", "/page/1.PNG", "/page/01x.png",
    "/page/99999999999999999999999.png", "/brochure.pdf/../secret.txt", "/proof.pdf",
    "http://127.0.0.1/etc/passwd", "/%00", "/page/1.png%00",
])
def test_nothing_by_path(served, target):
    status, head, body = served.request(target)
    assert status in (400, 404), (target, status)
    assert b"root:" not in body and b"not to be served" not in body


def test_absolute_paths_are_not_served(served):
    project = served.project
    for target in (str(project / "secret.txt"), "/" + str(project / "secret.txt"),
                   str(served.builder.images.folder / "output.pdf"), "/" + str(
                       served.builder.images.folder / "page-1.png")):
        status, head, body = served.request(target)
        assert status == 404 and b"not to be served" not in body, target


def test_only_get(served):
    for method in ("POST", "PUT", "DELETE"):
        status, _, _ = served.request("/", method)
        assert status == 405


def test_other_host_names_are_refused_on_loopback(served):
    status, _, _ = served.request("/state.json", host="attacker.example")
    assert status == 400
    status, _, _ = served.request("/state.json", host=f"localhost:{served.port}")
    assert status == 200


# --------------------------------------------------------------------- live updates
class Events:
    """A reader of /events: the states it was sent, in order."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        self.buffer = b""
        self.closed = False

    def next_state(self, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(rb"event: state\r?\ndata: (.*?)\r?\n\r?\n", self.buffer, re.S)
            if match:
                self.buffer = self.buffer[match.end():]
                # the body is chunked: a chunk holds one whole event here
                return json.loads(match.group(1))
            assert time.monotonic() < deadline, "no state event"
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            chunk = self.sock.recv(65536)
            if not chunk:
                self.closed = True
                raise EOFError
            self.buffer += chunk

    def wait_closed(self, timeout: float = 10) -> bool:
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(65536):
                pass
        except OSError:
            return False
        return True


def test_two_browsers_both_get_every_change(running):
    first, second = Events(running.port), Events(running.port)
    assert first.next_state()["status"] == "ok"
    before = second.next_state()
    old = {p["n"]: p["src"] for p in before["pages"]}
    rendered = running.show(["alpha", "beta-changed", "beta"])
    assert rendered == [2]  # only the page that changed was rendered again
    for reader in (first, second):
        state = reader.next_state()
        while state["status"] != "ok":
            state = reader.next_state()
        new = {p["n"]: p["src"] for p in state["pages"]}
        assert new[1] == old[1] and new[3] == old[3] and new[2] != old[2]


def test_a_broken_build_keeps_the_pages_and_shows_the_problems(running):
    reader = Events(running.port)
    good = reader.next_state()
    from programme.problems import ProgrammeError

    def broken():
        raise ProgrammeError([Problem("content/films/alpha.yaml", 2, "runtime",
                                      "expected minutes as a whole number, got 'two hours'")])

    running.builder._run_build = broken
    running.builder.build("changed content/films/alpha.yaml")
    state = reader.next_state()
    while state["status"] != "error":
        state = reader.next_state()
    assert [e["text"] for e in state["errors"]] == [
        "content/films/alpha.yaml:2: runtime: expected minutes as a whole number, "
        "got 'two hours'"]
    assert [p["src"] for p in state["pages"]] == [p["src"] for p in good["pages"]]
    assert running.get("/page/1.png")[0].status == 200


def test_stop_ends_open_event_streams(running):
    reader = Events(running.port)
    reader.next_state()
    started = time.monotonic()
    running.stop()
    assert reader.wait_closed(5)
    assert time.monotonic() - started < 10  # a bound against hanging
    assert not running.builder.images.folder.exists()   # the page images are deleted


# ------------------------------------------------------------------------ the pieces
def test_fingerprints_change_only_with_what_a_page_draws(tmp_path):
    make_pdf(tmp_path / "a.pdf", ["one", "two", "three"])
    make_pdf(tmp_path / "b.pdf", ["one", "two!", "three"])
    a, b = read_pdf(tmp_path / "a.pdf"), read_pdf(tmp_path / "b.pdf")
    assert [x.fingerprint == y.fingerprint for x, y in zip(a.pages, b.pages)] == [
        True, False, True]
    assert a.pages[0].crop == pytest.approx((9 / 438, 9 / 613, 429 / 438, 604 / 613))
    assert [(d.name, d.page) for d in a.destinations] == [
        ("film-one", 1), ("film-two", 2), ("film-three", 3)]


def test_anchor_pages():
    d = [Destination("section-a", 1, 595), Destination("film-a", 2, 550),
         Destination("film-b", 4, 400), Destination("film-c", 6, 550),
         Destination("film-d", 6, 300), Destination("index", 8, 550)]
    assert anchor_pages(d, 9) == {
        "section-a": [1], "film-a": [2, 3, 4],   # b starts half-way down page 4
        "film-b": [4, 5], "film-c": [6], "film-d": [6, 7], "index": [8, 9]}


def test_page_runs():
    assert _runs([5, 1, 2, 3, 9]) == [(1, 3), (5, 5), (9, 9)]
    assert _split([(1, 5)], 2) == [[(1, 3)], [(4, 5)]]
    assert _split([(1, 1)], 2) == [[(1, 1)]]


def git(folder: Path, *args, author: str = "Editor") -> None:
    subprocess.run(["git", "-c", f"user.name={author}", "-c", "user.email=e@example.org",
                    *args], cwd=folder, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": "2024-03-05T10:20:00+01:00",
                        "GIT_COMMITTER_DATE": "2024-03-05T10:20:00+01:00"})


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_last_change_from_git_without_running_git(small_project, monkeypatch):
    films = small_project / "content" / "films"
    git(small_project, "init", "-q")
    git(small_project, "add", ".")
    git(small_project, "commit", "-qm", "first", author="Ann Editor")
    (films / "beta.yaml").write_text("title: Beta\nruntime: 81\n")
    git(small_project, "commit", "-qam", "beta", author="Bob Writer")
    changes = LastChanges(small_project / "content")
    monkeypatch.setattr(subprocess, "run", None)   # programme itself never runs git
    monkeypatch.setattr(subprocess, "Popen", None)
    alpha, beta = changes.last_change(films / "alpha.yaml"), changes.last_change(films / "beta.yaml")
    assert alpha.author == "Ann Editor" and beta.author == "Bob Writer"
    assert alpha.when == dt.datetime(2024, 3, 5, 10, 20, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert beta.describe() == "last changed by Bob Writer, 2024-03-05 10:20"
    (films / "alpha.yaml").write_text("title: Alpha\nruntime: 91\n")
    edited = changes.last_change(films / "alpha.yaml")
    assert edited.author is None and not edited.committed
    assert edited.describe().endswith("(not committed)")


def test_last_change_outside_git_is_the_file_date(tmp_path):
    film = tmp_path / "film.yaml"
    film.write_text("title: X\n")
    os.utime(film, (1_700_000_000, 1_700_000_000))
    change = LastChanges(tmp_path).last_change(film)
    assert change.author is None and not change.in_git
    assert change.describe() == "last changed " + dt.datetime.fromtimestamp(
        1_700_000_000).strftime("%Y-%m-%d %H:%M")


def test_port_in_use_is_a_clear_error():
    from programme.serve import PortUnavailable

    taken = listen("127.0.0.1", 0)
    try:
        with pytest.raises(PortUnavailable, match="choose another with --port"):
            listen("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def test_ctrl_c_stops_the_command_cleanly(tmp_path):
    """SIGINT (Ctrl-C) ends `programme serve` with status 0, closing open event streams."""
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "festival.yaml").write_text("name: [unclosed\n")  # fails fast
    process = subprocess.Popen([sys.executable, "-m", "programme", "serve", "content",
                                "--port", "0"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        match = re.search(r"at http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)", line)
        assert match, line
        reader = Events(int(match.group(1)))
        state = reader.next_state()
        while state["status"] != "error":
            state = reader.next_state(30)
        assert state["errors"][0]["text"].startswith("content/festival.yaml:")
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=20)
        assert reader.wait_closed(5)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, out
    assert out.rstrip().endswith("stopped") and "Traceback" not in out


# ------------------------------------------------------------------- in a real browser
def _chromium() -> str | None:
    for name in (os.environ.get("PROGRAMME_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.slow
def test_in_a_real_browser(tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: python3 -m pip install -e '.[test]'")
    browser_path = _chromium()
    if browser_path is None:
        pytest.skip("no Chromium to drive: scripts/setup installs Debian's chromium "
                    "(apt-get install chromium)")
    shutil.copytree(EXAMPLE, tmp_path / "content")
    film = tmp_path / "content" / "films" / "rust-and-bone.yaml"
    original = film.read_text()
    assert "runtime: 120" in original
    process = subprocess.Popen([sys.executable, "-m", "programme", "serve", "content",
                                "--port", "0"], cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
    try:
        deadline = time.monotonic() + 30
        while not any("Ctrl-C to stop" in line for line in output):
            assert time.monotonic() < deadline and process.poll() is None, output
            time.sleep(0.05)
        url = re.search(r"http://127\.0\.0\.1:\d+/", "".join(output)).group(0)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=browser_path,
                args=["--no-sandbox"] if os.geteuid() == 0 else [])
            first = browser.new_page(viewport={"width": 1400, "height": 900})
            second = browser.new_context().new_page()
            for page in (first, second):
                page.goto(url)
            first.wait_for_selector('#status[data-status="ok"]', timeout=120_000)
            second.wait_for_selector('#status[data-status="ok"]', timeout=30_000)
            state = json.loads(first.evaluate("fetch('/state.json').then(r => r.text())"))
            assert len(state["pages"]) >= 8

            # page images appear, each rendered from the PDF
            shown = first.evaluate("""() => [...document.querySelectorAll('figure.page img')]
                .slice(0, 4).map(i => i.complete ? i.naturalWidth : 0)""")
            first.wait_for_function("""() => [...document.querySelectorAll('figure.page img')]
                .slice(0, 4).every(i => i.complete && i.naturalWidth > 800)""")
            assert first.locator("figure.page").count() == len(state["pages"]), shown

            # the film's page links to its file and says who last changed it
            n = state["films"]["rust-and-bone"]["pages"][0]
            figure = f"#page-{n}"
            caption = first.inner_text(f"{figure} figcaption")
            assert "content/films/rust-and-bone.yaml" in caption
            assert "last changed" in caption
            first.click(f'#pagelist li[data-page="{n}"]')
            first.wait_for_timeout(300)
            place = first.evaluate("document.getElementById('pages').scrollTop")
            assert place > 0
            before = first.get_attribute(f"{figure} img", "src")
            assert second.get_attribute(f"{figure} img", "src") == before

            # an edit: the page changes in both browsers within a few seconds
            saved = time.monotonic()
            film.write_text(original.replace("runtime: 120", "runtime: 187"))
            changed = """([sel, old]) => { const i = document.querySelector(sel + ' img');
                return i.getAttribute('src') !== old && i.complete && i.naturalWidth > 0; }"""
            first.wait_for_function(changed, arg=[figure, before], timeout=20_000)
            seconds = time.monotonic() - saved
            second.wait_for_function(changed, arg=[figure, before], timeout=10_000)
            print(f"\nthe page changed {seconds:.2f} s after saving the film")
            assert seconds < 10
            # … where the reader was: the window has not moved
            assert abs(first.evaluate("document.getElementById('pages').scrollTop") - place) < 2
            after = first.get_attribute(f"{figure} img", "src")

            # a broken edit: its error over the last good pages
            film.write_text(original.replace("runtime: 120", "runtime: two hours"))
            first.wait_for_selector("#errors:not([hidden]) li", timeout=20_000)
            error = first.inner_text("#errors")
            assert "content/films/rust-and-bone.yaml:" in error
            assert "runtime: expected minutes as a whole number" in error
            assert first.get_attribute(f"{figure} img", "src") == after
            assert "runtime: expected" in first.inner_text("#panel")
            second.wait_for_selector("#errors:not([hidden]) li", timeout=10_000)

            # fixed again: the error goes, the pages follow
            film.write_text(original)
            first.wait_for_selector("#errors[hidden]", state="attached", timeout=20_000)
            first.wait_for_selector('#status[data-status="ok"]', timeout=20_000)
            browser.close()
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, "".join(output)
    assert "stopped" in "".join(output)
