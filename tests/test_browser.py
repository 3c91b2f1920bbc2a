"""The course as a student meets it: JupyterLab, started by `make lab`'s own command, in a real browser.

For every course notebook (notebooks/NN_*.ipynb), opened straight from the repository (untrusted):
every saved picture shows before anything runs, no output shows a memory address, Run All Cells
finishes without an error, the pictures are there again afterwards, and no pop-up asks about news.
In notebook 04 a slider moves the neuron's numbers. Lab serves a copy of notebooks/ and exercises/,
so the repository is never written to. Screenshots go to $NANOGRAD_SCREENSHOTS (or a temporary
folder); the path is printed.

Needs Debian's chromium (/usr/bin/chromium); the test is skipped, saying so, when there is none.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

REPO = Path(__file__).resolve().parents[1]
COURSE_NOTEBOOKS = sorted(REPO.glob("notebooks/[0-9][0-9]_*.ipynb"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
MEMORY_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")
NEWS = re.compile(r"news|update|newer version", re.IGNORECASE)  # Lab's pop-ups that nanograd.course.lab turns off
NUMBER = re.compile(r"[-−]?\d+\.\d+")  # widgets write a minus sign as − (U+2212)

# Bounds on waiting, so that a hang fails with a message instead of blocking CI.
SERVER_START_SECONDS = 90
PAGE_LOAD_SECONDS = 60
RUN_ALL_SECONDS = 240
WIDGET_UPDATE_SECONDS = 20

if not Path(CHROMIUM).is_file():
    pytest.skip(f"no chromium at {CHROMIUM}: install Debian's (apt-get install chromium)", allow_module_level=True)


# ---------------------------------------------------------------- what the notebook file holds


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def outputs_with(notebook, mime_types: tuple[str, ...]) -> int:
    """How many stored outputs carry at least one of ``mime_types``."""
    return sum(
        any(mime in output.get("data", {}) for mime in mime_types)
        for cell in code_cells(notebook)
        for output in cell.outputs
    )


# ---------------------------------------------------------------- JupyterLab and the browser


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


class Lab:
    """A JupyterLab server on 127.0.0.1 serving ``root``, started the way `make lab` starts it."""

    def __init__(self, root: Path, home: Path) -> None:
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = home / "lab.log"
        env = dict(os.environ)
        for name in ("CONFIG", "DATA", "RUNTIME"):
            folder = home / name.lower()
            folder.mkdir()
            env[f"JUPYTER_{name}_DIR"] = str(folder)
        command = [
            sys.executable, "-m", "nanograd.course.lab",
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", "--allow-root",
        ]  # fmt: skip
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                get_json(f"{self.base}/api/status?token={self.token}")
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        pytest.fail(f"JupyterLab did not answer on {self.base} within {SERVER_START_SECONDS} s:\n{self.log_tail()}")

    def kernel_state(self, path: str) -> str | None:
        """The execution state of the kernel of the notebook at ``path`` (relative to the root), if any."""
        for session in get_json(f"{self.base}/api/sessions?token={self.token}"):
            if session.get("path") == path and session.get("kernel"):
                return session["kernel"]["execution_state"]
        return None

    def end_sessions(self) -> None:
        """Shut down every notebook's kernel, so that the next test starts from a fresh one."""
        for session in get_json(f"{self.base}/api/sessions?token={self.token}"):
            request = urllib.request.Request(
                f"{self.base}/api/sessions/{session['id']}?token={self.token}", method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def course_copy(tmp_path_factory) -> Path:
    """A copy of the course's notebooks/ and exercises/: Lab and the kernels may write there freely."""
    root = tmp_path_factory.mktemp("course")
    for folder in ("notebooks", "exercises"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


@pytest.fixture(scope="module")
def lab(course_copy, tmp_path_factory):
    server = Lab(course_copy, tmp_path_factory.mktemp("jupyter"))
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------- what the page shows

# Pictures in the notebook's own output areas (a widget's output area is not counted).
PICTURES_JS = """(selector) => Array.from(document.querySelectorAll('.jp-NotebookPanel'))
    .flatMap(panel => Array.from(panel.querySelectorAll(selector)))
    .filter(img => !img.closest('.jupyter-widgets'))
    .map(img => ({complete: img.complete, width: img.naturalWidth}))"""

OUTPUT_TEXT_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output'))
    .map(node => node.textContent).join('\\n')"""

PROMPTS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputArea-prompt'))
    .map(node => node.textContent.trim())"""

# For each cell on the page, in order: the text of each of its outputs that shows an error. Lab draws an
# error like any stderr text (data-mime-type application/vnd.jupyter.stderr), and warnings are stderr too: an
# error is told apart by its traceback, or by a line that starts with the exception's name.
CELL_ERRORS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-Cell')).map(cell =>
    Array.from(cell.querySelectorAll('.jp-OutputArea-output'))
        .filter(node => node.dataset.mimeType === 'application/vnd.jupyter.error'
            || /Traceback \\(most recent call last\\)/.test(node.textContent)
            || (node.dataset.mimeType === 'application/vnd.jupyter.stderr'
                && /^\\w*(Error|Exception|Interrupt)\\b/m.test(node.textContent)))
        .map(node => node.textContent))"""
MEANT_TO_RAISE = {"raises-exception", "nbval-raises-exception"}  # Lab's Run All goes on past these cells too


def wait_for(condition, seconds: float, what: str, details=lambda: ""):
    """Poll ``condition`` until it returns something true; fail saying ``what`` did not happen."""
    deadline = time.monotonic() + seconds
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what} (waited {seconds} s). {details()}")
        time.sleep(0.25)


def loaded_pictures(page, selector: str, expected: int, when: str):
    """Wait until ``expected`` pictures matching ``selector`` are shown and loaded; return them."""

    def ready():
        pictures = page.evaluate(PICTURES_JS, selector)
        return [pictures] if len(pictures) == expected and all(p["complete"] for p in pictures) else None

    def details():
        pictures = page.evaluate(PICTURES_JS, selector)
        return f"The page shows {len(pictures)} ({selector}): {pictures}"

    [pictures] = wait_for(ready, PAGE_LOAD_SECONDS, f"{when}: expected {expected} pictures", details)
    broken = [p for p in pictures if p["width"] <= 0]
    assert not broken, f"{when}: {len(broken)} of {len(pictures)} pictures have no pixels (broken image)"
    return pictures


def assert_no_memory_address(page, when: str) -> None:
    text = page.evaluate(OUTPUT_TEXT_JS)
    found = MEMORY_ADDRESS.findall(text)
    assert not found, f"{when}: output text shows memory addresses {found}: hide the object's repr (`_ = ...`)"


def unexpected_errors(page, notebook) -> list[str]:
    """The errors shown in cells that are not tagged as meant to raise."""
    return [
        f"cell {index + 1}:\n" + "\n".join(errors)
        for index, (cell, errors) in enumerate(zip(notebook.cells, page.evaluate(CELL_ERRORS_JS), strict=True))
        if errors and not MEANT_TO_RAISE & set(cell.metadata.get("tags", []))
    ]


def assert_no_unexpected_errors(page, notebook, when: str) -> None:
    """No error shown anywhere but in the cells meant to raise."""
    unexpected = unexpected_errors(page, notebook)
    assert not unexpected, f"{when}: error output in " + "\n---\n".join(unexpected)


def assert_errors_as_meant(page, notebook, when: str) -> None:
    """No error anywhere, except in cells meant to raise, which show the error their notebook stores."""
    assert_no_unexpected_errors(page, notebook, when)
    for index, (cell, errors) in enumerate(zip(notebook.cells, page.evaluate(CELL_ERRORS_JS), strict=True)):
        for stored in (output for output in cell.get("outputs", []) if output.output_type == "error"):
            assert any(stored.ename in error for error in errors), (
                f"{when}: cell {index + 1} is meant to raise {stored.ename}, but shows {errors or 'no error'}"
            )


def click_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def show_and_screenshot(page, path: Path) -> None:
    """Scroll the first picture (or, when there is none, the first code cell) into view; take a screenshot."""
    for selector in (".jp-RenderedImage img, .jp-RenderedSVG img", ".jp-CodeCell"):
        target = page.locator(f".jp-NotebookPanel {selector}")
        if target.count():
            target.first.scroll_into_view_if_needed()
            page.wait_for_timeout(300)  # let the scroll settle before the picture is taken
            break
    page.screenshot(path=path)


def open_notebook(page, lab: Lab, relative_path: str, n_cells: int) -> None:
    workspace = "w" + re.sub(r"\W", "", Path(relative_path).stem)
    page.goto(f"{lab.base}/lab/workspaces/{workspace}/tree/{relative_path}?reset&token={lab.token}")
    page.locator(".jp-NotebookPanel .jp-Notebook").first.wait_for(timeout=PAGE_LOAD_SECONDS * 1000)
    wait_for(
        lambda: page.locator(".jp-NotebookPanel .jp-Cell").count() == n_cells,
        PAGE_LOAD_SECONDS,
        f"{relative_path}: the page did not show its {n_cells} cells",
        lambda: f"It shows {page.locator('.jp-NotebookPanel .jp-Cell').count()}.",
    )


def run_all_cells(page, lab: Lab, relative_path: str, notebook) -> None:
    """Clear every output, Run All Cells, and wait until each code cell has run and the kernel is idle."""
    wait_for(
        lambda: lab.kernel_state(relative_path) == "idle",
        PAGE_LOAD_SECONDS,
        f"{relative_path}: its kernel did not start",
        lambda: f"Kernel state: {lab.kernel_state(relative_path)}. Server log:\n{lab.log_tail()}",
    )
    # Cleared first, so that what the page shows afterwards can only come from this run.
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for(
        lambda: all(prompt in ("[ ]:", "") for prompt in page.evaluate(PROMPTS_JS)),
        PAGE_LOAD_SECONDS,
        f"{relative_path}: Clear Outputs of All Cells did not clear the execution counts",
        lambda: f"Prompts: {page.evaluate(PROMPTS_JS)}",
    )
    click_menu(page, "Run", "Run All Cells")
    idle_polls = []  # polls in a row that found the kernel idle and nothing queued, yet cells not run

    def finished():
        if unexpected_errors(page, notebook):
            return True  # Run All stops at an error; the caller reports it
        prompts = page.evaluate(PROMPTS_JS)
        idle = lab.kernel_state(relative_path) == "idle"
        if len(prompts) == len(code_cells(notebook)) and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts):
            return idle
        idle_polls[:] = idle_polls + [1] if idle and "[*]:" not in prompts else []
        if len(idle_polls) > 40:  # about 10 s: Run All has stopped
            pytest.fail(f"{relative_path}: Run All Cells stopped before running every cell. Prompts: {prompts}")
        return False

    wait_for(
        finished,
        RUN_ALL_SECONDS,
        f"{relative_path}: Run All Cells did not finish",
        lambda: f"Prompts: {page.evaluate(PROMPTS_JS)}; kernel: {lab.kernel_state(relative_path)}",
    )


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("notebook_path", COURSE_NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_in_jupyterlab(notebook_path, lab, browser, screenshots):
    notebook = nbformat.read(notebook_path, as_version=4)
    relative_path = notebook_path.relative_to(REPO).as_posix()
    n_png = outputs_with(notebook, ("image/png",))
    n_pictures = outputs_with(notebook, ("image/png", "image/svg+xml"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_notebook(page, lab, relative_path, len(notebook.cells))
        # Untrusted, as fresh from git: Lab shows stored PNGs (SVG only once the student has run the cells).
        loaded_pictures(page, ".jp-RenderedImage img", n_png, f"{relative_path} as opened")
        assert_no_memory_address(page, f"{relative_path} as opened")
        show_and_screenshot(page, screenshots / f"{notebook_path.stem}-1-opened.png")

        run_all_cells(page, lab, relative_path, notebook)
        assert_errors_as_meant(page, notebook, f"{relative_path} after Run All Cells")
        assert_no_memory_address(page, f"{relative_path} after Run All Cells")
        loaded_pictures(
            page, ".jp-RenderedImage img, .jp-RenderedSVG img", n_pictures, f"{relative_path} after Run All Cells"
        )
        pop_ups = [text for text in page.locator(".Toastify__toast").all_inner_texts() if NEWS.search(text)]
        assert not pop_ups, f"JupyterLab asks about news or updates, which nanograd.course.lab turns off: {pop_ups}"
        if notebook_path.name == "00_start_here.ipynb":  # the setup check, in a kernel that `make lab` started
            text = page.evaluate(OUTPUT_TEXT_JS)
            assert re.search(r"nanograd [\d.]+ is ready\.", text), f"the setup check did not pass: {text!r}"
        show_and_screenshot(page, screenshots / f"{notebook_path.stem}-2-ran.png")
    finally:
        page.close()
        lab.end_sessions()


NEURON = REPO / "notebooks" / "04_a_neuron.ipynb"
SLIDERS = ("w1", "w2", "b", "x1", "x2")


def as_float(text: str) -> float:
    return float(text.strip().replace("−", "-"))


def slider(page, name: str):
    """The slider whose visible description is ``name`` (ipywidgets draws it as a label in .widget-slider)."""
    description = page.locator("label", has_text=re.compile(f"^\\s*{re.escape(name)}\\s*$"))
    return page.locator(".widget-slider").filter(has=description).first


def widget_text(page, starts_with: str):
    """The widget line of text that starts with ``starts_with``, e.g. "o = tanh(n) =" (not a printed output)."""
    return page.locator(".jupyter-widgets.widget-label", has_text=re.compile(f"^\\s*{re.escape(starts_with)}"))


def slider_values(page) -> dict[str, float]:
    """Each slider's value as its readout shows it."""
    return {name: as_float(slider(page, name).locator(".widget-readout").inner_text()) for name in SLIDERS}


def neuron_numbers(values: dict[str, float]) -> dict[str, float]:
    """What the neuron's widgets should show, computed here from the sliders: o = tanh(n) and do/dw1 = x1 (1 - o^2)."""
    o = math.tanh(values["w1"] * values["x1"] + values["w2"] * values["x2"] + values["b"])
    return {"o": o, "do/dw1": values["x1"] * (1 - o**2)}


def shows(text: str, number: float) -> bool:
    """Whether ``number`` is among the numbers in ``text`` (readouts have 4 decimals, hence the tolerance)."""
    return any(math.isclose(as_float(shown), number, abs_tol=0.005) for shown in NUMBER.findall(text))


def neuron_matches(values: dict[str, float], text: str, gradient_text: str | None) -> bool:
    """Whether the explorer's o (in ``text``) and do/dw1 (in ``gradient_text``, when it shows one) fit the sliders."""
    expected = neuron_numbers(values)
    return shows(text, expected["o"]) and (gradient_text is None or shows(gradient_text, expected["do/dw1"]))


def press_w1_right(page, state, before_values: dict, before_text: str, details) -> tuple:
    """Press → three times on the w1 slider and wait until w1 and the explorer's numbers have moved together.

    ``state()`` reads (slider values, output text, gradient text); ``details()`` explains a timeout. Returns the
    state after.
    """
    handle = slider(page, "w1").locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(3):
        handle.press("ArrowRight")
    after = wait_for(
        lambda: (now := state())[0]["w1"] != before_values["w1"] and now[1] != before_text and neuron_matches(*now)
        and now,
        WIDGET_UPDATE_SECONDS,
        "pressing → three times on the w1 slider did not move w1 and the numbers with it",
        details,
    )
    assert after[0]["w1"] > before_values["w1"], f"→ moved w1 down: {before_values} -> {after[0]}"
    return after


def test_neuron_sliders_move_the_numbers(lab, browser, screenshots):
    if not NEURON.exists():
        pytest.skip(f"{NEURON.relative_to(REPO)} does not exist yet")
    notebook = nbformat.read(NEURON, as_version=4)
    relative_path = NEURON.relative_to(REPO).as_posix()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    output = widget_text(page, "o = tanh(n) =").first
    gradients = widget_text(page, "do/dw1 =")  # optional: checked when the notebook shows it

    def state():
        values = slider_values(page)
        return values, output.inner_text().strip(), gradients.first.inner_text() if gradients.count() else None

    def explain(when: str) -> str:
        values, text, gradient_text = state()
        return (
            f"{when}: for sliders {values} the neuron should show {neuron_numbers(values)}; "
            f"the explorer shows {text!r} and {gradient_text!r}"
        )

    try:
        open_notebook(page, lab, relative_path, len(notebook.cells))
        run_all_cells(page, lab, relative_path, notebook)
        assert_errors_as_meant(page, notebook, f"{relative_path} after Run All Cells")
        for name in SLIDERS:
            slider(page, name).wait_for(timeout=WIDGET_UPDATE_SECONDS * 1000)
        output.wait_for(timeout=WIDGET_UPDATE_SECONDS * 1000)
        before_values, before, _ = wait_for(
            lambda: neuron_matches(*(now := state())) and now,
            WIDGET_UPDATE_SECONDS,
            "after Run All Cells the neuron's numbers do not match its sliders",
            lambda: explain("after Run All Cells"),
        )
        slider(page, "w1").scroll_into_view_if_needed()
        page.screenshot(path=screenshots / "04_a_neuron-3-slider-before.png")

        _, after, _ = press_w1_right(
            page, state, before_values, before, lambda: explain("after pressing →")
        )
        assert NUMBER.findall(after) != NUMBER.findall(before), f"the text changed but not its numbers: {after!r}"
        page.screenshot(path=screenshots / "04_a_neuron-4-slider-after.png")
    finally:
        page.close()
        lab.end_sessions()
