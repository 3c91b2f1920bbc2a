"""Pictures of expression graphs, on any machine.

``draw_dot(value)`` returns a ``GraphDrawing``. Shown in a notebook it carries three forms
of the same graph: SVG (sharp, shown once a notebook is trusted), PNG (shown even in an
untrusted notebook, which is what a student opens first, and on GitHub) and a plain-text
table of every value, which is also what ``print`` shows and what nbval compares.

Rendering needs a Graphviz program: the system's ``dot`` if there is one, otherwise the
``graphviz-pure`` binary that installs with nanograd from PyPI. With neither, the drawing
says so and shows the table; it never raises. Everything is deterministic: nodes are named
by their place in the graph, so the same graph gives the same picture on every run.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from nanograd.walk import topological_order

MAX_VALUES = 250
"""Larger graphs are not drawn: Graphviz would take minutes and the picture would be unreadable."""

RENDER_TIMEOUT_SECONDS = 60


def find_renderer(search_path: str | None = None, scripts_dirs: list[str] | None = None) -> str | None:
    """The Graphviz program to render with: ``dot`` on the PATH, else ``graphviz-pure``, else None.

    ``graphviz-pure`` is looked for beside the running Python too, because a Jupyter kernel
    started from a virtual environment often does not have that environment's bin folder on PATH.
    """
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


def _record_text(text: str) -> str:
    """``text`` made safe inside a Graphviz record label, where { } | < > and quotes are syntax."""
    for special in "\\{}|<>\"":
        text = text.replace(special, "\\" + special)
    return text


class GraphDrawing:
    """A graph ready to show: ``.source`` (DOT), ``.summary`` (text), ``.svg()``, ``.png()``, ``.save(path)``."""

    def __init__(self, source: str | None, summary: str, renderer: str | None) -> None:
        self.source = source
        self.summary = summary
        self.renderer = renderer
        self._rendered: dict[str, bytes] = {}
        self.problem: str | None = None  # why there is no picture, when there is none
        if source is not None and renderer is None:
            self.problem = (
                "No picture: no Graphviz renderer was found (neither `dot` on the PATH nor "
                "`graphviz-pure` beside this Python). Install the course's requirements in this "
                "kernel's environment (pip install -e . in the course folder), or install Graphviz."
            )

    def _render(self, fmt: str) -> bytes | None:
        if self.source is None or self.renderer is None:
            return None
        if fmt not in self._rendered:
            try:
                done = subprocess.run(
                    [self.renderer, f"-T{fmt}"],
                    input=self.source.encode(),
                    capture_output=True,
                    timeout=RENDER_TIMEOUT_SECONDS,
                )
            except (OSError, subprocess.TimeoutExpired) as error:
                self.problem = f"No picture: running {self.renderer} failed: {error}"
                return None
            if done.returncode != 0 or not done.stdout:
                message = done.stderr.decode(errors="replace").strip()
                self.problem = f"No picture: {self.renderer} exited with code {done.returncode}: {message}"
                return None
            self._rendered[fmt] = done.stdout
        return self._rendered[fmt]

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
        svg, png = self.svg(), self.png()
        if svg is not None:
            bundle["image/svg+xml"] = svg
        if png is not None:
            bundle["image/png"] = base64.b64encode(png).decode("ascii")
        bundle["text/plain"] = repr(self)
        return bundle

    def __repr__(self) -> str:
        return f"{self.problem}\n{self.summary}" if self.problem else self.summary


def _fmt(x: float) -> str:
    return f"{x:.4f}"


def _made_by(op: str, inputs: list[str]) -> str:
    """How the table says what made a value: ``a * b``, ``a**2``, ``tanh(a)``, ``sum(a, b, c)``."""
    if op in ("+", "-", "*", "/"):
        return f" {op} ".join(inputs)
    if op.startswith("**"):
        return f"{inputs[0]}{op}"
    return f"{op}({', '.join(inputs)})"


def draw_dot(root, renderer: str | None = "auto") -> GraphDrawing:
    """Draw the graph that ends in ``root``, left to right: every value a box ``label | data | grad``,
    every op a small node between its inputs and its result.

    ``renderer``: "auto" finds one (see ``find_renderer``); a path picks one; None draws no picture.
    """
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
    chosen = find_renderer() if renderer == "auto" else renderer
    return GraphDrawing(_dot_source(order, name, has_grad), _summary(order, name, has_grad), chosen)


def _dot_source(order: list, name: dict, has_grad: bool) -> str:
    """The graph in Graphviz's DOT language: a record per value, an ellipse per op."""
    lines = [
        "digraph nanograd {",
        '  graph [rankdir=LR, bgcolor="white", nodesep=0.25, ranksep=0.35];',
        '  node [fontname="Helvetica", fontsize=11];',
    ]
    for node in order:
        fields = [_record_text(node.label), f"data {_fmt(node.data)}"]
        if has_grad:
            fields.append(f"grad {_fmt(node.grad)}")
        lines.append(f'  {name[node]} [shape=record, label="{{ {" | ".join(fields)} }}"];')
        if node.op:
            op_node = f"{name[node]}_op"
            lines.append(f'  {op_node} [label="{_record_text(node.op)}", shape=ellipse, fontsize=10, margin=0.02];')
            lines.append(f"  {op_node} -> {name[node]};")
            lines += [f"  {name[child]} -> {op_node};" for child in node.children]
    lines.append("}")
    return "\n".join(lines) + "\n"


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
