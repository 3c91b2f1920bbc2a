"""nanograd.pictures.drawing: real pictures from real Graphviz programs, the same on every run, and never an exception
in a notebook: without a renderer, with a failing one, or for a graph too large to draw, a clear message."""

import base64
import io
import json
import logging
import math
import os
import re
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz
import pytest
from PIL import Image

import nanograd
from nanograd import graph
from nanograd.core import Value
from nanograd.data import two_moons
from nanograd.nn import MLP
from nanograd.pictures.drawing import MAX_VALUES, GraphDrawing, draw_dot, find_renderer
from nanograd.training import classification_loss

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# graphviz-pure installs as a script beside the venv's python; the system `dot` comes from Debian's graphviz.
GRAPHVIZ_PURE = str(Path(sys.executable).parent / "graphviz-pure")
SYSTEM_DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(SYSTEM_DOT is None, reason="no system Graphviz `dot`")
RENDERERS = [
    pytest.param(GRAPHVIZ_PURE, id="graphviz-pure"),
    pytest.param(SYSTEM_DOT, id="dot", marks=needs_dot),
]
NOTEBOOK_WIDTH_PX = 1400  # the widest picture a notebook shows without shrinking it


def the_l_graph(cls=Value):
    """The course's first graph: L = (a*b + c) * f, with every value labelled."""
    a, b, c, f = cls(2.0, label="a"), cls(-3.0, label="b"), cls(10.0, label="c"), cls(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L


def tanh_neuron_by_hand(tanh=Value.tanh):
    """Notebook 04's neuron: o = tanh(x1*w1 + x2*w2 + b) built from * and +, every value labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1*w1", "x2*w2"
    weighted = x1w1 + x2w2
    weighted.label = "x1*w1 + x2*w2"
    n = weighted + b
    n.label = "n"
    o = tanh(n)
    o.label = "o"
    o.backward()
    return o


def tanh_from_exp(n):
    """Notebook 04's tanh as (e^(2n) - 1) / (e^(2n) + 1): the neuron that was drawn 3,269 px wide."""
    two_n = 2 * n
    two_n.label = "2n"
    e2n = two_n.exp()
    e2n.label = "e^2n"
    above, below = e2n - 1, e2n + 1
    above.label, below.label = "e^2n - 1", "e^2n + 1"
    return above / below


def neuron_class_graph():
    """Notebook 04's Neuron, its weighted-sum node named n: five inputs into one op."""
    from nanograd.neuron import Neuron

    o = Neuron(2, activation="tanh", seed=0)([Value(2.0, label="x1"), Value(0.0, label="x2")])
    o.label = "o"
    o.children[0].label = "n"
    o.backward()
    return o


def the_l_graph_with_grads():
    L = the_l_graph()
    L.backward()
    return L


NOTEBOOK_GRAPHS = {  # name: (how to build it, the direction draw_dot chooses for it)
    "L graph, stage 1": (lambda: the_l_graph(graph.Value), "LR"),
    "L graph with grads": (the_l_graph_with_grads, "LR"),
    "tanh neuron from * and +": (tanh_neuron_by_hand, "LR"),
    "tanh neuron with tanh from exp": (lambda: tanh_neuron_by_hand(tanh_from_exp), "TB"),
    "Neuron": (neuron_class_graph, "LR"),
}


def rankdir_of(drawing) -> str:
    return re.search(r"\brankdir=(\w+)", drawing.source).group(1)


def png_width(png: bytes) -> int:
    """The width a PNG declares in its header (the IHDR chunk comes first, right after the signature)."""
    assert png.startswith(PNG_MAGIC) and png[12:16] == b"IHDR"
    return struct.unpack(">I", png[16:20])[0]


def svg_width_px(svg: str) -> float:
    """The width of an SVG in CSS pixels: Graphviz writes it in points, 72 to the inch, a browser shows 96."""
    width = ET.fromstring(svg).attrib["width"]
    assert width.endswith("pt")
    return float(width[:-2]) * 96 / 72


def svg_scale(svg: str) -> float:
    """How much Graphviz shrank the drawing to fit its size limit (1.0: not at all)."""
    scales = re.findall(r'transform="scale\(([\d.]+) ([\d.]+)\)', svg)
    assert len(scales) == 1 and scales[0][0] == scales[0][1]
    return float(scales[0][0])


def svg_texts(svg: str) -> list[str]:
    """The text of every <text> element of an SVG, XML entities decoded (the parse also proves it is valid XML)."""
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return [element.text for element in root.iter("{http://www.w3.org/2000/svg}text")]


def assert_valid_png(png: bytes) -> None:
    assert png.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(png))
    image.load()  # decodes every pixel: a truncated or corrupt file raises here
    assert image.width > 50 and image.height > 20


def count_values(root) -> int:
    """The number of distinct Values in a graph, by a walk of its own."""
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node.children)
    return len(seen)


# --- the text summary


def test_the_summary_lists_every_value_with_data_grad_and_what_made_it():
    L = the_l_graph()
    L.backward()
    drawing = draw_dot(L, renderer=None)
    lines = drawing.summary.splitlines()
    assert lines[0] == "Graph of L: 7 values"
    assert lines[1].split() == ["value", "data", "grad", "made", "by"]
    # By hand: dL/dd = f = -2, dL/de = dL/dc = -2, dL/da = -2 * b = 6, dL/db = -2 * a = -4, dL/df = d = 4.
    expected = {
        "a": ["2.0000", "6.0000"],
        "b": ["-3.0000", "-4.0000"],
        "c": ["10.0000", "-2.0000"],
        "e": ["-6.0000", "-2.0000", "a", "*", "b"],
        "d": ["4.0000", "-2.0000", "e", "+", "c"],
        "f": ["-2.0000", "4.0000"],
        "L": ["-8.0000", "1.0000", "d", "*", "f"],
    }
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows == expected
    assert len(lines) == 2 + 7
    order = [line.split()[0] for line in lines[2:]]
    assert order.index("e") > max(order.index("a"), order.index("b"))  # each value after what made it
    assert order[-1] == "L"


def test_the_summary_rounds_to_four_decimals():
    x = Value(0.5, label="x")
    t = x.tanh()
    t.label = "t"
    t.backward()
    assert (f"{math.tanh(0.5):.4f}", f"{1 - math.tanh(0.5) ** 2:.4f}") == ("0.4621", "0.7864")
    rows = {line.split()[0]: line.split()[1:] for line in draw_dot(t, renderer=None).summary.splitlines()[2:]}
    assert rows == {"x": ["0.5000", "0.7864"], "t": ["0.4621", "1.0000", "tanh(x)"]}


def test_the_summary_names_unlabelled_values_and_writes_each_op_readably():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    s = Value.sum([a, b, Value(1.0, label="one")])
    out = (s**2 / a - b).relu()
    rows = [line.split(None, 3) for line in draw_dot(out, renderer=None).summary.splitlines()[2:]]
    made_by = {row[0]: row[3] for row in rows if len(row) == 4}
    assert sorted(made_by.values()) == sorted(["sum(a, b, one)", "v3**2", "v4 / a", "v5 - b", "relu(v6)"])
    assert draw_dot(out, renderer=None).summary.splitlines()[0] == "Graph of v7: 8 values"


def test_a_stage_one_graph_has_no_grad_column():
    drawing = draw_dot(the_l_graph(graph.Value), renderer=None)
    lines = drawing.summary.splitlines()
    assert "grad" not in lines[1]
    assert {line.split()[0]: line.split()[1:] for line in lines[2:]}["e"] == ["-6.0000", "a", "*", "b"]
    assert not re.search(r"grad -?\d", drawing.source)  # no grad row in any box
    assert "data -6.0000" in drawing.source
    assert "grad -2.0000" in draw_dot(the_l_graph_with_grads(), renderer=None).source  # where a stage 2+ box has one


# --- determinism


@pytest.mark.parametrize("renderer", RENDERERS)
def test_two_separately_built_identical_graphs_give_identical_dot_svg_and_png(renderer):
    first = draw_dot(the_l_graph(), renderer=renderer)
    clutter = [Value(float(i)) for i in range(1000)]  # other objects in between: other id()s for the second graph
    second = draw_dot(the_l_graph(), renderer=renderer)
    assert clutter and first.source == second.source
    assert first.summary == second.summary
    assert first.svg() is not None and first.svg() == second.svg()
    assert first.png() is not None and first.png() == second.png()


def test_node_names_come_from_the_graph_not_from_memory():
    L = the_l_graph()
    source = draw_dot(L, renderer=None).source
    names = set(re.findall(r"\b(v\d+(?:_op)?)\b", source))
    # 7 values, 3 of them made by an op.
    assert names == {f"v{i}" for i in range(7)} | {f"v{i}_op" for i in (2, 4, 6)}
    nodes, stack = [], [L]
    while stack:
        node = stack.pop()
        nodes.append(node)
        stack.extend(node.children)
    assert not any(str(id(node)) in source for node in nodes)


def test_an_unlabelled_value_is_shown_by_the_name_the_table_gives_it():
    a = Value(2.0, label="a")
    drawing = draw_dot((a * Value(3.0)).relu(), renderer=GRAPHVIZ_PURE)
    names = [line.split()[0] for line in drawing.summary.splitlines()[2:]]
    assert names == ["a", "v1", "v2", "v3"]
    texts = svg_texts(drawing.svg())
    assert all(name in texts for name in names)


def test_the_dot_source_has_one_box_per_value_and_an_op_node_per_result():
    source = draw_dot(the_l_graph(), renderer=None).source
    assert source.count("shape=plain") == 7  # a value: an HTML-like table with no shape around it
    assert source.count("<TABLE") == 7
    assert source.count("shape=ellipse") == 3
    assert source.count("->") == 3 * 3  # each op: two inputs in, one result out


# --- the graphviz.Digraph behind the drawing


def test_the_drawing_hands_over_its_digraph_whose_source_is_the_drawings():
    drawing = draw_dot(the_l_graph(), renderer=None)  # no renderer needed to build the graph
    assert isinstance(drawing, GraphDrawing)
    assert isinstance(drawing.digraph, graphviz.Digraph)
    assert drawing.digraph.source == drawing.source
    assert drawing.source.startswith("digraph nanograd {")
    assert draw_dot(Value.sum([Value(float(i)) for i in range(MAX_VALUES)])).digraph is None  # too large to draw


def test_a_changed_digraph_is_drawn_as_changed():
    drawing = draw_dot(the_l_graph(), renderer=GRAPHVIZ_PURE)
    before = svg_texts(drawing.svg())
    drawing.digraph.attr(label="the L graph")
    assert drawing.source == drawing.digraph.source and "the L graph" in drawing.source
    assert "the L graph" not in before and "the L graph" in svg_texts(drawing.svg())


@needs_dot
def test_a_micrograd_user_can_render_the_digraph_in_a_format_of_their_choice(tmp_path):
    digraph = draw_dot(the_l_graph()).digraph
    digraph.format = "svg"
    written = Path(digraph.render(tmp_path / "l"))
    assert written == tmp_path / "l.svg"
    assert "data -8.0000" in svg_texts(written.read_text())


@needs_dot
def test_with_a_system_dot_the_digraph_renders_itself_with_pipe(caplog):
    caplog.set_level(logging.DEBUG, logger="graphviz")
    drawing = draw_dot(the_l_graph())  # "auto": the dot on the PATH
    assert drawing.renderer == SYSTEM_DOT
    svg = drawing.svg()
    drawing.svg()  # rendered once: a second look runs nothing
    # The graphviz package logs each command it runs: pipe() ran `dot -Tsvg`, once.
    runs = [record.getMessage() for record in caplog.records if record.name.startswith("graphviz")]
    assert len(runs) == 1 and runs[0].startswith("run [") and "'dot'" in runs[0] and "'-Tsvg'" in runs[0]
    assert svg == drawing.digraph.pipe(format="svg", encoding="utf-8")


# --- rendering with a real Graphviz program


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_real_render_gives_valid_svg_and_png(renderer):
    L = the_l_graph()
    L.backward()
    drawing = draw_dot(L, renderer=renderer)
    texts = svg_texts(drawing.svg())
    for expected in ("a", "L", "data 2.0000", "grad 6.0000", "data -8.0000", "*", "+"):
        assert expected in texts
    assert_valid_png(drawing.png())
    assert drawing.problem is None


def test_graphviz_pure_is_found_beside_python_when_the_path_has_no_dot(caplog):
    caplog.set_level(logging.DEBUG, logger="graphviz")
    assert find_renderer(search_path="/nonexistent") == GRAPHVIZ_PURE
    drawing = draw_dot(the_l_graph(), renderer=find_renderer(search_path="/nonexistent"))
    assert "data -8.0000" in svg_texts(drawing.svg())
    assert_valid_png(drawing.png())
    assert not [record for record in caplog.records if record.name.startswith("graphviz")]  # pipe() ran nothing


def test_no_renderer_at_all_is_found_as_none():
    assert find_renderer(search_path="/nonexistent", scripts_dirs=[]) is None


@pytest.mark.skipif(SYSTEM_DOT is None, reason="no system Graphviz `dot`")
def test_the_system_dot_comes_first_when_it_is_on_the_path():
    assert find_renderer(search_path=str(Path(SYSTEM_DOT).parent)) == SYSTEM_DOT


def test_a_kernel_whose_path_has_neither_dot_nor_the_venv_draws_with_graphviz_pure(tmp_path):
    # A Jupyter kernel started from the venv's python without the venv activated: PATH is an empty folder.
    script = """
import json, shutil
from nanograd.core import Value
from nanograd.pictures.drawing import draw_dot
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
drawing = draw_dot(a * b)
svg, png = drawing.svg(), drawing.png()
try:
    drawing.digraph.pipe(format="svg")
    pipe = "rendered"
except Exception as error:
    pipe = type(error).__name__
print(json.dumps({"dot": shutil.which("dot"), "venv_on_path": shutil.which("graphviz-pure"),
                  "renderer": drawing.renderer, "problem": drawing.problem, "svg": svg,
                  "png": png[:8].hex() if png else None, "pipe": pipe}))
"""
    env = {**os.environ, "PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert result["dot"] is None and result["venv_on_path"] is None
    assert result["pipe"] == "ExecutableNotFound"  # the Digraph cannot render itself here: graphviz-pure does
    assert result["renderer"] == GRAPHVIZ_PURE
    assert result["problem"] is None
    assert "data -6.0000" in svg_texts(result["svg"])
    assert bytes.fromhex(result["png"]) == PNG_MAGIC


SPECIAL_LABELS = ["a|b", "{c}", "<d>", 'say "hi"', "back\\slash", 'all{|}<>"\\of them',
                  # and what is syntax in an HTML-like label: entities, tags, Graphviz's \N (the node's name)
                  "a & b", "&lt;", "<B>x</B>", "it's", "\\N", "\\\\", "end\\"]


NON_ASCII_LABELS = ["β₁", "ü", "∂L/∂w", "Ω²"]


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("labels", [SPECIAL_LABELS, NON_ASCII_LABELS], ids=["label syntax", "non-ASCII"])
def test_labels_are_drawn_as_written_and_print_nothing(renderer, labels, capfd):
    # What is syntax in DOT, in a record or in an HTML-like label ({ } | < > " & \) comes out as written;
    # graphviz-pure warns about non-ASCII text on its stderr, which must not reach the notebook.
    values = [Value(float(i), label=label) for i, label in enumerate(labels)]
    drawing = draw_dot(Value.sum(values), renderer=renderer)
    texts = svg_texts(drawing.svg())
    assert drawing.problem is None
    for label in labels:
        assert label in texts
    assert_valid_png(drawing.png())
    assert capfd.readouterr() == ("", "")


def test_a_neuron_is_drawn_with_its_weighted_sum_node(capfd):
    # The weighted-sum op is called "w·x+b": a non-ASCII name in every neuron picture.
    from nanograd.neuron import Neuron

    out = Neuron(2, seed=0)([1.0, -1.0])
    drawing = draw_dot(out, renderer=GRAPHVIZ_PURE)
    assert "w·x+b" in svg_texts(drawing.svg())
    assert capfd.readouterr() == ("", "")


# --- pictures that fit a notebook


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("name", NOTEBOOK_GRAPHS)
def test_the_course_graphs_fit_a_notebook_unshrunk_in_png_and_svg(name, renderer):
    build, direction = NOTEBOOK_GRAPHS[name]
    drawing = draw_dot(build(), renderer=renderer)
    assert rankdir_of(drawing) == direction
    svg, png = drawing.svg(), drawing.png()
    assert png_width(png) <= NOTEBOOK_WIDTH_PX
    assert svg_width_px(svg) <= NOTEBOOK_WIDTH_PX
    assert svg_scale(svg) == 1.0  # narrow enough by its direction alone: the text keeps its size
    assert_valid_png(png)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_a_graph_forced_too_wide_is_scaled_down_to_the_notebook_width(renderer):
    # Left to right, the 7-op neuron would be about 1,800 px wide (3,269 px as records): Graphviz shrinks it.
    drawing = draw_dot(tanh_neuron_by_hand(tanh_from_exp), renderer=renderer, rankdir="LR")
    svg, png = drawing.svg(), drawing.png()
    assert rankdir_of(drawing) == "LR"
    assert svg_scale(svg) < 1.0
    assert NOTEBOOK_WIDTH_PX - 2 <= png_width(png) <= NOTEBOOK_WIDTH_PX
    assert NOTEBOOK_WIDTH_PX - 2 <= svg_width_px(svg) <= NOTEBOOK_WIDTH_PX


def test_a_graph_wide_either_way_is_scaled_down_too():
    # 60 inputs into one sum: top to bottom they stand side by side, far wider than a notebook.
    drawing = draw_dot(Value.sum([Value(float(i), label=f"x{i}") for i in range(60)]), renderer=GRAPHVIZ_PURE,
                       rankdir="TB")
    assert png_width(drawing.png()) <= NOTEBOOK_WIDTH_PX and svg_width_px(drawing.svg()) <= NOTEBOOK_WIDTH_PX
    assert svg_scale(drawing.svg()) < 0.5


def tanh_chain(ops: int):
    value = Value(0.5, label="x")
    for _ in range(ops):
        value = value.tanh()
    return value


@pytest.mark.parametrize("ops, direction", [(1, "LR"), (4, "LR"), (5, "TB"), (12, "TB")])
def test_the_direction_is_chosen_by_the_longest_chain_of_ops(ops, direction):
    assert rankdir_of(draw_dot(tanh_chain(ops), renderer=None)) == direction


def test_ops_side_by_side_do_not_count_towards_the_depth():
    side_by_side = Value.sum([tanh_chain(2) for _ in range(12)])  # 25 ops, 3 on the longest chain
    assert rankdir_of(draw_dot(side_by_side, renderer=None)) == "LR"
    assert rankdir_of(draw_dot(Value.sum([tanh_chain(2), tanh_chain(4)]), renderer=None)) == "TB"  # 5 on the longest


@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_the_caller_can_force_a_direction(rankdir):
    for build in (the_l_graph, lambda: tanh_neuron_by_hand(tanh_from_exp)):
        assert rankdir_of(draw_dot(build(), renderer=None, rankdir=rankdir)) == rankdir


# --- wrong arguments


@pytest.mark.parametrize("arguments, error, message", [
    ({"rankdir": "BT"}, ValueError, r'must be "LR" \(left to right\), "TB" \(top to bottom\) or None, not \'BT\''),
    ({"rankdir": "lr"}, ValueError, r"rankdir must be .* not 'lr'"),
    ({"rankdir": 1}, TypeError, r'rankdir must be "LR", "TB" or None .*, not 1'),
    ({"renderer": 3}, TypeError, r'renderer must be "auto", the path of a Graphviz program, or None, not 3'),
])
def test_wrong_arguments_say_what_was_wrong_and_what_to_pass(arguments, error, message):
    with pytest.raises(error, match=message):
        draw_dot(the_l_graph(), **arguments)


def test_drawing_something_that_is_not_a_value_is_a_type_error():
    with pytest.raises(TypeError, match=r"draws a Value and the graph behind it, not a float: e\.g\. draw_dot\(L\)"):
        draw_dot(2.0)


def test_a_renderer_can_be_given_as_a_path_object():
    drawing = draw_dot(the_l_graph(), renderer=Path(GRAPHVIZ_PURE))
    assert drawing.renderer == GRAPHVIZ_PURE
    assert "data -8.0000" in svg_texts(drawing.svg())


# --- when there is no picture: a message, never an exception


def test_without_a_renderer_the_drawing_says_so_and_shows_the_summary():
    drawing = draw_dot(the_l_graph(), renderer=None)
    assert drawing.svg() is None and drawing.png() is None
    shown = repr(drawing)
    assert shown.startswith("No picture: no Graphviz renderer was found")
    assert "pip install -e ." in shown
    assert shown.endswith(drawing.summary)
    assert drawing._repr_mimebundle_() == {"text/plain": shown}


@pytest.mark.parametrize("renderer, problem", [
    ("/bin/false", "No picture: /bin/false exited with code 1"),
    ("/nonexistent/dot", "No picture: running /nonexistent/dot failed: [Errno 2] No such file or directory"),
])
def test_a_renderer_that_fails_gives_a_message_not_an_exception(renderer, problem, capfd):
    drawing = draw_dot(the_l_graph(), renderer=renderer)
    bundle = drawing._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert bundle["text/plain"].startswith(problem)
    assert bundle["text/plain"].endswith(drawing.summary)
    assert drawing.problem.startswith(problem)
    assert capfd.readouterr() == ("", "")


def test_a_graph_over_the_limit_gets_a_message_and_no_render():
    total = Value.sum([Value(float(i)) for i in range(MAX_VALUES)])  # MAX_VALUES leaves + their sum
    assert count_values(total) == MAX_VALUES + 1
    drawing = draw_dot(total, renderer="/bin/false")  # a render would fail and say so: none is tried
    assert drawing.source is None
    assert drawing.summary.startswith(f"This graph has {MAX_VALUES + 1} values; pictures stop at {MAX_VALUES}")
    assert drawing._repr_mimebundle_() == {"text/plain": drawing.summary}
    assert drawing.problem is None


def test_a_graph_at_the_limit_is_still_drawn():
    total = Value.sum([Value(float(i)) for i in range(MAX_VALUES - 1)])
    drawing = draw_dot(total, renderer=None)
    assert drawing.source is not None
    assert drawing.summary.startswith(f"Graph of v{MAX_VALUES - 1}: {MAX_VALUES} values")


def test_an_mlp_loss_graph_gets_the_message_with_its_size():
    X, y = two_moons(20, seed=0)
    loss, _ = classification_loss(MLP(2, [16, 16, 1]), X, y)
    n = count_values(loss)
    assert n > 1000
    drawing = draw_dot(loss)
    assert drawing.source is None
    assert drawing.summary.startswith(f"This graph has {n:,} values")
    assert "Draw a smaller piece of it" in drawing.summary
    assert drawing._repr_mimebundle_() == {"text/plain": drawing.summary}


# --- saving


@pytest.mark.parametrize("renderer", RENDERERS)
def test_save_writes_png_svg_and_dot(renderer, tmp_path):
    drawing = draw_dot(the_l_graph(), renderer=renderer)
    assert drawing.save(tmp_path / "l.png") == tmp_path / "l.png"
    assert_valid_png((tmp_path / "l.png").read_bytes())
    drawing.save(tmp_path / "l.svg")
    assert "data -8.0000" in svg_texts((tmp_path / "l.svg").read_text())
    drawing.save(str(tmp_path / "l.dot"))
    assert (tmp_path / "l.dot").read_text() == drawing.source
    drawing.save(tmp_path / "L.PNG")
    assert (tmp_path / "L.PNG").read_bytes() == (tmp_path / "l.png").read_bytes()


@pytest.mark.parametrize("name", ["l.pdf", "l", "l.svg.txt"])
def test_save_with_an_unknown_suffix_is_a_clear_error_and_writes_nothing(name, tmp_path):
    with pytest.raises(ValueError, match=r"cannot save a graph as .*: use a \.svg, \.png or \.dot file name"):
        draw_dot(the_l_graph(), renderer=None).save(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_save_without_a_picture_says_why(tmp_path):
    no_renderer = draw_dot(the_l_graph(), renderer=None)
    with pytest.raises(RuntimeError, match="No picture: no Graphviz renderer was found"):
        no_renderer.save(tmp_path / "l.svg")
    no_renderer.save(tmp_path / "l.dot")  # the DOT text needs no renderer
    too_large = draw_dot(Value.sum([Value(float(i)) for i in range(MAX_VALUES)]))
    with pytest.raises(RuntimeError, match=f"pictures stop at {MAX_VALUES}"):
        too_large.save(tmp_path / "big.dot")
    assert [p.name for p in tmp_path.iterdir()] == ["l.dot"]


# --- what a notebook shows


def test_the_mime_bundle_has_svg_png_and_the_summary_as_text():
    L = the_l_graph()
    L.backward()
    drawing = draw_dot(L)
    bundle = drawing._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert "data -8.0000" in svg_texts(bundle["image/svg+xml"])
    assert_valid_png(base64.b64decode(bundle["image/png"], validate=True))
    assert bundle["text/plain"] == drawing.summary
    assert not re.search(r"0x[0-9a-fA-F]{4,}|object at", bundle["text/plain"])
    assert str(drawing) == drawing.summary


def test_the_package_draw_dot_is_this_one_and_a_value_has_no_drawing_method():
    # Drawing sits above the engine: a Value does not know how it is pictured (the function draws it).
    assert nanograd.draw_dot is draw_dot
    assert not hasattr(the_l_graph(), "draw_dot")
