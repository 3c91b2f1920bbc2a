"""Pictures of expression graphs, on any machine.

``draw_dot(value)`` returns a ``GraphDrawing``. Shown in a notebook it carries three forms
of the same graph: SVG (sharp, shown once a notebook is trusted), PNG (shown even in an
untrusted notebook, which is what a student opens first, and on GitHub) and a plain-text
table of every value, which is also what ``print`` shows and what nbval compares.

The graph is built as a ``graphviz.Digraph`` (the ``graphviz`` package writes the DOT language and
does its quoting), handed over as ``.digraph`` so that it can be changed, ``.render()``-ed or
``.view()``-ed as in micrograd. Each value is a small table, its label over its data and grad,
each op an ellipse between its inputs and its result.

Rendering needs a Graphviz program: the system's ``dot`` if there is one (run by the Digraph's own
``pipe()``), otherwise the ``graphviz-pure`` binary that installs with nanograd from PyPI (given the
Digraph's source). With neither, the drawing says so and shows the table; it never raises.
In the browser (Pyodide, on the course's static site) no program can run: there viz.js, Graphviz
compiled to WebAssembly, draws the same DOT as SVG (``nanograd.pictures.browser``), and there is no PNG.

Pictures fit a notebook: a graph is drawn left to right while it is at most
``MAX_OPS_LEFT_TO_RIGHT`` ops deep and top to bottom when deeper (``rankdir`` forces either), and
Graphviz scales any picture down to ``MAX_WIDTH_PX`` pixels wide at most.

Everything is deterministic: nodes are named by their place in the graph, never by ``id()``, so
the same graph gives the same DOT source, and the same picture from the same renderer, on every run.
"""

from __future__ import annotations

import base64
import html
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

from nanograd.walk import topological_order

if TYPE_CHECKING:  # at run time ``graphviz`` is imported when something is drawn, so ``import nanograd`` stays light
    import graphviz

MAX_VALUES = 250
"""Larger graphs are not drawn: Graphviz would take minutes and the picture would be unreadable."""

MAX_OPS_LEFT_TO_RIGHT = 4
"""Deeper graphs are drawn top to bottom: left to right, each op adds a column and the picture outgrows a notebook."""

MAX_WIDTH_PX = 1400
"""No picture is wider: Graphviz scales a wider drawing down to fit (96 pixels per inch, as in PNG and CSS)."""

PIXELS_PER_INCH = 96

RENDER_TIMEOUT_SECONDS = 60
"""For graphviz-pure. The Digraph's pipe() takes no timeout; MAX_VALUES keeps ``dot`` to a second or so."""

RANKDIRS = ("LR", "TB")

IN_BROWSER = sys.platform == "emscripten"
"""True under Pyodide (the course's static site), where pictures are drawn by viz.js, in SVG only."""

BROWSER_RENDERER = "viz.js"
"""The renderer's name in the browser: Graphviz compiled to WebAssembly, run by the page."""

if IN_BROWSER:  # start viz.js now, in the notebook's import cell, so that it is ready by the first picture
    from nanograd.pictures import browser

    browser.start_loading()


def find_renderer(search_path: str | None = None, scripts_dirs: list[str] | None = None) -> str | None:
    """The Graphviz program to render with: ``dot`` on the PATH, else ``graphviz-pure``, else None.
    In the browser, where no program can run, it is ``BROWSER_RENDERER``.

    ``graphviz-pure`` is looked for beside the running Python too, because a Jupyter kernel
    started from a virtual environment often does not have that environment's bin folder on PATH.
    """
    if IN_BROWSER:
        return BROWSER_RENDERER
    dot = shutil.which("dot", path=search_path)
    if dot:
        return dot
    if scripts_dirs is None:
        scripts_dirs = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    for folder in scripts_dirs:
        found = shutil.which("graphviz-pure", path=folder)
        if found:
            return found
    return shutil.which("graphviz-pure", path=search_path)


class GraphDrawing:
    """A graph ready to show: ``.digraph`` (a ``graphviz.Digraph``), ``.source`` (its DOT), ``.summary`` (text),
    ``.svg()``, ``.png()`` and ``.save(path)``. ``.problem`` says why there is no picture, when there is none."""

    def __init__(self, digraph: graphviz.Digraph | None, summary: str, renderer: str | None) -> None:
        self.digraph = digraph  # None for a graph too large to draw
        self.summary = summary
        self.renderer = renderer
        self._rendered: dict[tuple[str, str], bytes] = {}
        self.problem: str | None = None
        if digraph is not None and renderer is None:
            self.problem = (
                "No picture: no Graphviz renderer was found (neither `dot` on the PATH nor "
                "`graphviz-pure` beside this Python). Install the course's requirements in this "
                "kernel's environment (pip install -e . in the course folder), or install Graphviz."
            )

    @property
    def source(self) -> str | None:
        """The DOT source of ``.digraph`` as it is now (None for a graph too large to draw)."""
        return self.digraph.source if self.digraph is not None else None

    def _render(self, fmt: str) -> bytes | None:
        """The picture in ``fmt``, rendered once per format and source; None with ``.problem`` set when it fails."""
        if self.digraph is None or self.renderer is None:
            return None
        key = (fmt, self.source)  # the source too: a changed .digraph is drawn anew
        if key not in self._rendered:
            try:
                self._rendered[key] = self._run_renderer(fmt)
            except _RenderFailed as failure:
                self.problem = f"No picture: {failure}"
                return None
        return self._rendered[key]

    def _run_renderer(self, fmt: str) -> bytes:
        """The renderer's output; ``_RenderFailed`` says how it failed. Its stderr never reaches the notebook.

        The Digraph's own ``pipe()`` runs the ``dot`` on the PATH, so it draws when that is the renderer;
        any other program (``graphviz-pure``, or a path given to draw_dot) gets the DOT source on stdin.
        In the browser, viz.js draws the same source.
        """
        if IN_BROWSER and self.renderer == BROWSER_RENDERER:
            return self._render_in_browser(fmt)
        if self.renderer == shutil.which("dot"):
            return self._pipe(fmt)
        return self._run_program(fmt)

    def _pipe(self, fmt: str) -> bytes:
        """Render with ``Digraph.pipe()``: the graphviz package runs ``dot`` and raises its own errors."""
        import graphviz

        try:
            return self.digraph.pipe(format=fmt, quiet=True)  # quiet: dot's warnings are not for students
        except graphviz.CalledProcessError as error:
            raise _RenderFailed.exited(self.renderer, error.returncode, error.stderr) from None
        except (OSError, graphviz.ExecutableNotFound) as error:
            raise _RenderFailed(f"running {self.renderer} failed: {error}") from None

    def _run_program(self, fmt: str) -> bytes:
        """Render by running the renderer on the Digraph's source, as the graphviz package cannot run it."""
        try:
            done = subprocess.run(
                [self.renderer, f"-T{fmt}"],
                input=self.source.encode(),
                capture_output=True,
                timeout=RENDER_TIMEOUT_SECONDS,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise _RenderFailed(f"running {self.renderer} failed: {error}") from None
        if done.returncode != 0 or not done.stdout:
            raise _RenderFailed.exited(self.renderer, done.returncode, done.stderr)
        return done.stdout

    def _render_in_browser(self, fmt: str) -> bytes:
        """Render with viz.js (Pyodide only); it draws SVG, and PNG is not offered there."""
        if fmt != "svg":
            raise _RenderFailed(f"in the browser pictures are SVG only, not {fmt.upper()}: use .svg()")
        try:
            return browser.render_svg(self.source).encode()
        except browser.NotDrawn as error:
            raise _RenderFailed(str(error)) from None

    def svg(self) -> str | None:
        """The picture as SVG text, or None (``.problem`` says why)."""
        svg = self._render("svg")
        return svg.decode() if svg is not None else None

    def png(self) -> bytes | None:
        """The picture as PNG bytes, or None (``.problem`` says why)."""
        return self._render("png")

    def save(self, path: str | os.PathLike) -> Path:
        """Write the picture to ``path``; its suffix (.svg, .png or .dot) picks the format."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".dot":
            content = self.source.encode() if self.source is not None else None
        elif suffix in (".svg", ".png"):
            content = self._render(suffix[1:])
        else:
            raise ValueError(f"cannot save a graph as {path.name!r}: use a .svg, .png or .dot file name")
        if content is None:
            raise RuntimeError(self.problem or self.summary)  # a graph too large to draw: its summary says so
        path.write_bytes(content)
        return path

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        bundle = {}
        svg = self.svg()
        png = None if IN_BROWSER else self.png()  # viz.js draws SVG only
        if svg is not None:
            bundle["image/svg+xml"] = svg
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"{self.problem}\n{self.summary}" if self.problem else self.summary


class _RenderFailed(Exception):
    """A renderer could not draw the graph; the message says which one and how it failed."""

    @classmethod
    def exited(cls, renderer: str, code: int, stderr: bytes | None) -> _RenderFailed:
        message = (stderr or b"").decode(errors="replace").strip()
        return cls(f"{renderer} exited with code {code}: {message}")


def draw_dot(root, renderer: str | os.PathLike | None = "auto", rankdir: str | None = None) -> GraphDrawing:
    """Draw the graph that ends in ``root``: every value a box (label, data, grad), every op a small
    ellipse between its inputs and its result.

    ``renderer``: "auto" finds one (see ``find_renderer``); a path picks one; None draws no picture.
    ``rankdir``: "LR" (left to right), "TB" (top to bottom), or None to choose by the graph's depth:
    left to right up to ``MAX_OPS_LEFT_TO_RIGHT`` ops deep, top to bottom beyond, so it fits a notebook.
    """
    _check_arguments(root, renderer, rankdir)
    order = topological_order(root)
    if len(order) > MAX_VALUES:
        message = (
            f"This graph has {len(order):,} values; pictures stop at {MAX_VALUES} because Graphviz "
            f"would take minutes and nobody could read the result. Draw a smaller piece of it, "
            f"e.g. one neuron's output, or look at the numbers directly."
        )
        return GraphDrawing(None, message, None)
    # Names come from each node's place in the order, never from id(): the same graph, the same picture.
    name = {node: f"v{i}" for i, node in enumerate(order)}
    has_grad = hasattr(root, "grad")  # stage 1 Values have no grad yet
    digraph = _digraph(order, name, has_grad, rankdir or _fitting_rankdir(order))
    chosen = find_renderer() if renderer == "auto" else (None if renderer is None else os.fspath(renderer))
    return GraphDrawing(digraph, _summary(order, name, has_grad), chosen)


def _check_arguments(root, renderer, rankdir) -> None:
    """Wrong arguments fail here, with how to call draw_dot, rather than deep inside the walk or Graphviz."""
    if not (hasattr(root, "data") and hasattr(root, "children")):
        kind = type(root).__name__
        raise TypeError(f"draw_dot draws a Value and the graph behind it, not a {kind}: e.g. draw_dot(L)")
    if renderer is not None and not isinstance(renderer, (str, os.PathLike)):
        raise TypeError(f'renderer must be "auto", the path of a Graphviz program, or None, not {renderer!r}')
    if rankdir is not None and not isinstance(rankdir, str):
        raise TypeError(f'rankdir must be "LR", "TB" or None (chosen by the graph\'s depth), not {rankdir!r}')
    if rankdir not in (None, *RANKDIRS):
        raise ValueError(f'rankdir must be "LR" (left to right), "TB" (top to bottom) or None, not {rankdir!r}')


def _fitting_rankdir(order: list) -> str:
    """Left to right, as micrograd draws, unless the graph is too deep for that to fit a notebook.

    Drawn left to right, every op on the longest path from a leaf to the root adds a column (an op
    and a box, about 250 px): four fit in a notebook, more do not. Top to bottom, depth costs height,
    which a notebook scrolls. Counting is deterministic and needs no renderer, so the same graph gets
    the same DOT on every machine; the size limit in ``_digraph`` catches a graph wide for other reasons.
    """
    ops_deep: dict = {}  # node -> ops on the longest path from a leaf to it
    for node in order:  # each node after its children: theirs are known
        ops_deep[node] = (1 + max(ops_deep[child] for child in node.children)) if node.children else 0
    return "LR" if ops_deep[order[-1]] <= MAX_OPS_LEFT_TO_RIGHT else "TB"


def _digraph(order: list, name: dict, has_grad: bool, rankdir: str) -> graphviz.Digraph:
    """The graph as a ``graphviz.Digraph``: a box per value, an ellipse per op, edges from inputs to results."""
    import graphviz

    # size: the largest drawing in inches, here MAX_WIDTH_PX wide and no height limit in practice; Graphviz
    # scales a larger one down, in SVG and PNG alike. (dpi is left alone: setting it would scale the SVG.)
    size = f"{MAX_WIDTH_PX / PIXELS_PER_INCH:.2f},1000"
    digraph = graphviz.Digraph(
        "nanograd",
        graph_attr={"rankdir": rankdir, "bgcolor": "white", "nodesep": "0.25", "ranksep": "0.35", "size": size},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    for node in order:
        digraph.node(name[node], label=_value_box(node, name[node], has_grad), shape="plain")
        if node.op:
            op_node = f"{name[node]}_op"
            # graphviz.escape: an op is shown as written, backslashes and <...> included.
            digraph.node(op_node, label=graphviz.escape(node.op), shape="ellipse", fontsize="10", margin="0.02")
            digraph.edge(op_node, name[node])
            for child in node.children:
                digraph.edge(name[child], op_node)
    return digraph


def _value_box(node, name: str, has_grad: bool) -> str:
    """A value as an HTML-like label: a table of its label (or, unlabelled, its name in grey), data and grad.

    HTML-like rather than a record label: in a record { } | < > are syntax, in a table cell only text.
    The rows stack, so the box stays narrow in either direction.
    """
    title = _html_text(node.label) if node.label else f'<FONT COLOR="grey50">{name}</FONT>'
    rows = [title, f"data {_fmt(node.data)}"] + ([f"grad {_fmt(node.grad)}"] if has_grad else [])
    cells = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3" ROWS="*">{cells}</TABLE>>'


def _html_text(text: str) -> str:
    """``text`` shown as written inside an HTML-like label: & < > " ' become entities, and each backslash
    is doubled, because Graphviz still reads ``\\N`` (the node's name) and ``\\\\`` there, even written
    as an entity."""
    return html.escape(text).replace("\\", "\\\\")


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def _made_by(op: str, inputs: list[str]) -> str:
    """How the table says what made a value: ``a * b``, ``a**2``, ``tanh(a)``, ``sum(a, b, c)``."""
    if op in ("+", "-", "*", "/"):
        return f" {op} ".join(inputs)
    if op.startswith("**"):
        return f"{inputs[0]}{op}"
    return f"{op}({', '.join(inputs)})"


def _summary(order: list, name: dict, has_grad: bool) -> str:
    """The graph as a table: each value's name (its label, or its place), data, grad and what made it."""

    def shown_name(node) -> str:
        return node.label or name[node]

    width = max(len("value"), *(len(shown_name(node)) for node in order)) + 2
    header = f"{'value':<{width}}{'data':>12}" + (f"{'grad':>12}" if has_grad else "") + "  made by"
    count = f"{len(order)} value{'s' if len(order) != 1 else ''}"
    rows = [f"Graph of {shown_name(order[-1])}: {count}", header]
    for node in order:
        made_by = _made_by(node.op, [shown_name(child) for child in node.children]) if node.op else ""
        row = f"{shown_name(node):<{width}}{_fmt(node.data):>12}" + (f"{_fmt(node.grad):>12}" if has_grad else "")
        rows.append(f"{row}  {made_by}".rstrip())
    return "\n".join(rows)
