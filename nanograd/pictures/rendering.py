"""Rendering a drawing: which Graphviz program draws it, and the ``GraphDrawing`` that a notebook shows.

``drawing.draw_dot`` builds the graph; this module turns it into pictures. The system's ``dot`` runs through
the Digraph's own ``pipe()``; ``graphviz-pure`` (from PyPI, for machines without Graphviz) gets the DOT source
on its input; in the browser (Pyodide, the course's static site) viz.js draws SVG. With none of them a drawing
says so and shows its table: it never raises.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import graphviz

RENDER_TIMEOUT_SECONDS = 60
"""For graphviz-pure. The Digraph's pipe() takes no timeout; MAX_VALUES keeps ``dot`` to a second or so."""

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
