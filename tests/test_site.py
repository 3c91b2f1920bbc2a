"""The course as a static site (`make site`): JupyterLite and the Pyodide kernel in a real browser, offline.

Serves the built site, _site/, on 127.0.0.1 and opens every course notebook (notebooks/NN_*.ipynb) in headless
chromium, each in a fresh browser context (cold: no cache, no stored files, a new kernel), as a student's first
visit. It clears the outputs, runs Run All Cells and checks that every cell ran with no error, that the cells
meant to fail show their error, that every graph picture is drawn (SVG, by viz.js in the page), that each plot
says in one line that it is skipped; then it runs them all again in the same kernel (as a student does: in the
browser, freeing a deep graph can crash the kernel) and, in notebook 04, moves a slider and checks the numbers.
Each exercise (exercises/NN_*.ipynb), as handed out, is run once too: every check must say "not attempted yet".

Every request the browser makes is recorded, and any to a host other than 127.0.0.1 fails the test; chromium
is also given a proxy that refuses everything, so no request can leave the machine, even by mistake.

One part of the site is meant to reach the internet: packages that the site does not hold (matplotlib and
numpy) are looked up on Pyodide's package site, listed as full URLs in its pyodide-lock.json. The server here
serves that lock with those URLs pointing at a folder of 127.0.0.1 that holds nothing: what a browser without
a connection gets, so the plots' fallback is what is tested (tests/test_site_build.py checks that the lock is
the only place that points off the site). Whether matplotlib loads online depends on Pyodide's package site.

Timings (page ready, kernel ready, Run All) are printed at the end. Screenshots go to $NANOGRAD_SCREENSHOTS
(or a temporary folder). Skipped, saying why, when _site/ is not built or there is no chromium.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_site"
LOCK = Path("static/pyodide/pyodide-lock.json")  # inside the site
COURSE_NOTEBOOKS = sorted(REPO.glob("notebooks/[0-9][0-9]_*.ipynb"))
EXERCISES = sorted(REPO.glob("exercises/[0-9][0-9]_*.ipynb"))
OFFLINE_PACKAGES = "/offline-package-site/"  # where the served lock sends packages the site does not hold

PAGE_LOAD_SECONDS = 60
KERNEL_START_SECONDS = 150
RUN_ALL_SECONDS = 300
WIDGET_UPDATE_SECONDS = 20


def site_size_mb() -> float:
    return sum(path.stat().st_size for path in SITE.rglob("*") if path.is_file()) / 1e6


if not (SITE / "jupyter-lite.json").is_file():
    pytest.skip("no site in _site/: build it with `make site` (CI does)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

from playwright.sync_api import sync_playwright  # noqa: E402

# The way tests/test_browser.py launches chromium, and what it reads from a notebook's page.
from test_browser import (  # noqa: E402  (after the skips: it skips itself where there is no chromium)
    CHROMIUM,
    CHROMIUM_FLAGS,
    NUMBER,
    OUTPUT_TEXT_JS,
    PROMPTS_JS,
    SLIDERS,
    assert_no_unexpected_errors,
    click_menu,
    code_cells,
    free_port,
    loaded_pictures,
    neuron_matches,
    outputs_with,
    press_w1_right,
    slider,
    slider_values,
    unexpected_errors,
    wait_for,
    widget_text,
)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site as a static host does; the lock's off-site packages point at an empty folder here."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",  # module scripts must have a JavaScript type
        ".wasm": "application/wasm",  # streaming compilation needs it
    }

    def do_GET(self):
        if unquote(urlparse(self.path).path) == f"/{LOCK.as_posix()}":
            return self.send_offline_lock()
        return super().do_GET()

    def send_offline_lock(self):
        lock = json.loads((SITE / LOCK).read_text())
        for entry in lock["packages"].values():
            if re.match(r"https?://", entry["file_name"]):
                entry["file_name"] = OFFLINE_PACKAGES + entry["file_name"].rsplit("/", 1)[-1]
        body = json.dumps(lock).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # the browser's requests are recorded by the test itself
        pass


@pytest.fixture(scope="module")
def site_url():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SiteHandler, directory=SITE))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    # Chromium sends requests for 127.0.0.1 straight to it and everything else to the proxy, which refuses it.
    # a proxy on a port that nothing listens on refuses every connection at once
    flags = [*CHROMIUM_FLAGS, f"--proxy-server=http://127.0.0.1:{free_port()}"]
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=flags)
        yield chromium
        chromium.close()


COLUMNS = (("page", 12), ("kernel", 14), ("run_all", 10))


@pytest.fixture(scope="module")
def timings(request):
    """Seconds per notebook: page ready, kernel ready, Run All; printed when the module is done."""
    table: dict[str, dict[str, float]] = {}
    yield table
    lines = [f"site timings in seconds ({site_size_mb():.1f} MB site, a cold browser per notebook):"]
    lines.append(f"  {'notebook':<28}{'page ready':>12}{'kernel ready':>14}{'Run All':>10}")
    for name, times in table.items():
        cells = [f"{times[key]:{width}.1f}" if key in times else f"{'-':>{width}}" for key, width in COLUMNS]
        lines.append(f"  {name:<28}{''.join(cells)}")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():  # shown with the test results, not only with a failure
        print("\n" + "\n".join(lines))


# ---------------------------------------------------------------- what the page shows

KERNEL_STATUS_JS = """() => Array.from(document.querySelectorAll('#jp-main-statusbar .jp-StatusBar-TextItem'))
    .map(node => node.textContent).find(text => /\\(Pyodide\\) \\| /.test(text)) || ''"""

# Per cell on the page, in order: the text of all its outputs.
CELL_TEXTS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Cell')).map(cell =>
    Array.from(cell.querySelectorAll('.jp-OutputArea-output')).map(node => node.textContent).join('\\n'))"""

CAUGHT_ERROR = re.compile(r"^(\w*(?:Error|Exception)): ", re.MULTILINE)  # what a cell meant to fail prints
NO_PLOT = "(No plot: matplotlib is not available here"
FATAL = "Pyodide has suffered a fatal error"


def kernel_status(page) -> str:
    """The status bar's kernel item, e.g. "Python (Pyodide) | Idle" ("" before a kernel is chosen)."""
    return page.evaluate(KERNEL_STATUS_JS)


def open_notebook(page, url: str, notebook) -> None:
    page.goto(url)
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=PAGE_LOAD_SECONDS * 1000)
    wait_for(
        lambda: page.locator(".jp-NotebookPanel .jp-Cell").count() == len(notebook.cells),
        PAGE_LOAD_SECONDS,
        f"{url}: the page did not show the notebook's {len(notebook.cells)} cells",
    )


def wait_for_kernel(page, what: str) -> None:
    wait_for(
        lambda: kernel_status(page).endswith("| Idle"),
        KERNEL_START_SECONDS,
        f"{what}: the Pyodide kernel did not start",
        lambda: f"Kernel status: {kernel_status(page)!r}.",
    )


def run_all(page, notebook, what: str, fatal: list[str]) -> None:
    """Clear every output, Run All Cells, and wait until every code cell has run and the kernel is idle.

    ``fatal`` collects what Pyodide says when it crashes: its kernel then stays busy for ever, so the test
    fails at once with the cause instead of waiting out the time limit.
    """
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    click_menu(page, "Run", "Run All Cells")
    n_code = len(code_cells(notebook))

    def finished():
        if fatal:
            page.wait_for_timeout(500)  # the cause follows in further console messages
            running = [index + 1 for index, prompt in enumerate(page.evaluate(PROMPTS_JS)) if prompt == "[*]:"]
            where = f"code cell {running[0]}" if running else "a cell"
            pytest.fail(f"{what}: the Pyodide kernel crashed in {where}: " + " / ".join(fatal)[:1500])
        if unexpected_errors(page, notebook):
            return True  # Run All stops at an error; the caller reports it
        prompts = page.evaluate(PROMPTS_JS)
        done = len(prompts) == n_code and all(re.fullmatch(r"\[\d+\]:", prompt) for prompt in prompts)
        return done and kernel_status(page).endswith("| Idle")

    wait_for(
        finished,
        RUN_ALL_SECONDS,
        f"{what}: Run All Cells did not finish",
        lambda: f"Prompts: {page.evaluate(PROMPTS_JS)}; kernel: {kernel_status(page)!r}",
    )


def assert_cells_show_what_they_should(page, notebook, what: str) -> None:
    """No unexpected error; each cell meant to fail prints its error; each plot, that it is skipped."""
    assert_no_unexpected_errors(page, notebook, what)
    texts = page.evaluate(CELL_TEXTS_JS)
    for index, (cell, text) in enumerate(zip(notebook.cells, texts, strict=True)):
        if cell.cell_type != "code":
            continue
        stored = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
        for name in CAUGHT_ERROR.findall(stored):
            assert re.search(f"^{name}: ", text, re.MULTILINE), f"{what}: cell {index + 1} should print a {name}"
        if "if plt is None:" in cell.source:
            assert NO_PLOT in text, f"{what}: cell {index + 1} should say that its plot is skipped: {text!r}"


def assert_requests_stayed_here(requests: list[str], what: str) -> None:
    away = sorted({url for url in requests if urlparse(url).scheme in ("http", "https", "ws", "wss")
                   and urlparse(url).hostname != "127.0.0.1"})  # fmt: skip
    assert not away, f"{what}: the page asked for {len(away)} address(es) off this machine: {away[:10]}"


def check_neuron_sliders(page, screenshots: Path) -> None:
    """Notebook 04's explorer: a slider moved with the keyboard changes o and do/dw1 to the right numbers."""
    output = widget_text(page, "o = tanh(n) =").first
    gradient = widget_text(page, "do/dw1 =").first
    for name in SLIDERS:
        slider(page, name).wait_for(timeout=WIDGET_UPDATE_SECONDS * 1000)

    def state():
        return slider_values(page), output.inner_text().strip(), gradient.inner_text().strip()

    before_values, before, _ = wait_for(
        lambda: neuron_matches(*(now := state())) and now,
        WIDGET_UPDATE_SECONDS,
        "after Run All the explorer's numbers do not match its sliders",
        lambda: f"sliders and numbers: {state()}",
    )
    explorer_picture = page.locator(".jupyter-widgets img").first
    explorer_picture.wait_for(timeout=WIDGET_UPDATE_SECONDS * 1000)
    assert explorer_picture.evaluate("img => img.complete && img.naturalWidth > 0"), "the explorer shows no graph"
    _, after, _ = press_w1_right(
        page, state, before_values, before, lambda: f"before: {before_values} {before!r}; now: {state()}"
    )
    assert NUMBER.findall(after) != NUMBER.findall(before)
    page.screenshot(path=screenshots / "site-04_a_neuron-sliders.png")


# ---------------------------------------------------------------- the test


@pytest.mark.parametrize("notebook_path", COURSE_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_in_the_browser(notebook_path, site_url, browser, screenshots, timings):
    notebook = nbformat.read(notebook_path, as_version=4)
    relative_path = notebook_path.relative_to(REPO).as_posix()
    n_graphs = outputs_with(notebook, ("image/svg+xml",))  # draw_dot's pictures (plots are PNG only)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    fatal: list[str] = []  # Pyodide's words when it crashes, and the cause (console messages of its worker)
    page.on("console", lambda message: (fatal or FATAL in message.text) and fatal.append(message.text))
    times = timings.setdefault(notebook_path.stem, {})
    try:
        started = time.monotonic()
        open_notebook(page, f"{site_url}/lab/index.html?path={relative_path}", notebook)
        times["page"] = time.monotonic() - started
        wait_for_kernel(page, relative_path)
        times["kernel"] = time.monotonic() - started
        started = time.monotonic()
        run_all(page, notebook, relative_path, fatal)
        times["run_all"] = time.monotonic() - started

        assert_cells_show_what_they_should(page, notebook, f"{relative_path} after Run All Cells")
        if n_graphs:
            loaded_pictures(page, ".jp-RenderedSVG img", n_graphs, f"{relative_path}: graphs drawn by viz.js")
        if notebook_path.name == "00_start_here.ipynb":
            text = page.evaluate(OUTPUT_TEXT_JS)
            assert re.search(r"nanograd [\d.]+ is ready\.", text), f"the setup check did not pass: {text!r}"
        page.screenshot(path=screenshots / f"site-{notebook_path.stem}.png")
        # Again, in the same kernel, as a student does: redefining every name frees what the first run built.
        run_all(page, notebook, f"{relative_path}, a second time", fatal)
        assert_cells_show_what_they_should(page, notebook, f"{relative_path} after a second Run All")
        if notebook_path.name == "04_a_neuron.ipynb":
            check_neuron_sliders(page, screenshots)
        assert_requests_stayed_here(requests, relative_path)
    finally:
        context.close()


NOT_ATTEMPTED = re.compile(r"^Task \d+ \(.*\): not attempted yet\.", re.MULTILINE)  # "(backward())" too


@pytest.mark.parametrize("notebook_path", EXERCISES, ids=lambda path: path.stem)
def test_an_unsolved_exercise_runs_offline_in_the_browser_to_its_last_check(notebook_path, site_url, browser):
    """Run All on an exercise as handed out, offline: no error, and every task's check says "not attempted yet"."""
    notebook = nbformat.read(notebook_path, as_version=4)
    relative_path = notebook_path.relative_to(REPO).as_posix()
    tasks = sum(1 for cell in notebook.cells if cell.cell_type == "code" and "checks.task_" in cell.source)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    fatal: list[str] = []
    page.on("console", lambda message: (fatal or FATAL in message.text) and fatal.append(message.text))
    try:
        open_notebook(page, f"{site_url}/lab/index.html?path={relative_path}", notebook)
        wait_for_kernel(page, relative_path)
        run_all(page, notebook, relative_path, fatal)
        assert_no_unexpected_errors(page, notebook, relative_path)
        shown = NOT_ATTEMPTED.findall(page.evaluate(OUTPUT_TEXT_JS))
        assert tasks > 0 and len(shown) == tasks, f"{relative_path}: {len(shown)} of {tasks} checks ran: {shown}"
        assert_requests_stayed_here(requests, relative_path)
    finally:
        context.close()
