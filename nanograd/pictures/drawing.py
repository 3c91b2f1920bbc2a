"""Pictures of expression graphs, on any machine.

``draw_dot(value)`` returns a ``GraphDrawing``. Shown in a notebook it carries three forms
of the same graph: SVG (sharp, shown once a notebook is trusted), PNG (shown even in an
untrusted notebook, which is what a student opens first, and on GitHub) and a plain-text
table of every value, which is also what ``print`` shows and what nbval compares.

The graph is built as a ``graphviz.Digraph`` (the ``graphviz`` package writes the DOT language and
does its quoting), handed over as ``.digraph`` so that it can be changed, ``.render()``-ed or
``.view()``-ed as in micrograd. Each value is a small table, its label over its data and grad,
each op an ellipse between its inputs and its result.

Rendering (``nanograd.pictures.rendering``) needs a Graphviz program: the system's ``dot``, else the
``graphviz-pure`` binary that installs with nanograd, else viz.js in the browser. With none of them, the
drawing says so and shows the table; it never raises.

Pictures fit a notebook: a graph is drawn left to right while it is at most
``MAX_OPS_LEFT_TO_RIGHT`` ops deep and top to bottom when deeper (``rankdir`` forces either), and
Graphviz scales any picture down to ``MAX_WIDTH_PX`` pixels wide at most.

Everything is deterministic: nodes are named by their place in the graph, never by ``id()``, so
the same graph gives the same DOT source, and the same picture from the same renderer, on every run.
"""

from __future__ import annotations

import html
import os
from typing import TYPE_CHECKING

from nanograd.pictures.rendering import GraphDrawing, find_renderer
from nanograd.walk import topological_order

__all__ = ["draw_dot", "GraphDrawing", "find_renderer", "MAX_VALUES"]

if TYPE_CHECKING:  # at run time ``graphviz`` is imported when something is drawn, so ``import nanograd`` stays light
    import graphviz

MAX_VALUES = 250
"""Larger graphs are not drawn: Graphviz would take minutes and the picture would be unreadable."""

MAX_OPS_LEFT_TO_RIGHT = 4
"""Deeper graphs are drawn top to bottom: left to right, each op adds a column and the picture outgrows a notebook."""

MAX_WIDTH_PX = 1400
"""No picture is wider: Graphviz scales a wider drawing down to fit (96 pixels per inch, as in PNG and CSS)."""

PIXELS_PER_INCH = 96

RANKDIRS = ("LR", "TB")


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
