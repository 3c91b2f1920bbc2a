"""nanograd.course.checks: no check is vacuous.

For every task of every exercise, the check must say "passed" on the solution's code, "not attempted" on the
unsolved exercise's code, and "wrong" on plausible mistakes, on an answer that only fits the first input, on one
that raises and on one that does nothing. The code comes from the notebooks themselves: every code cell of
solutions/NN.ipynb or exercises/NN.ipynb except its check cells and its "see it" cells (``checks.show``) is run
in a fresh namespace. Most mistakes are one small edit of the solution's code (a mutation), so they stay
plausible and follow the solutions; an edit that no longer applies fails loudly.
"""

from __future__ import annotations

import copy
import math
import re
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import nbformat
import pytest

from nanograd import chain_rule, graph
from nanograd.course import checks

ROOT = Path(__file__).resolve().parents[1]
CHECK_CELL = re.compile(r"checks\.(task_\d\d_\d+)\((\w+)\)")
ALL_TASKS = [(exercise, task) for exercise, tasks in checks.TASKS.items() for task, _ in tasks]


def check_of(exercise: str, task: str) -> Callable:
    return getattr(checks, f"task_{exercise[:2]}_{task}")


@cache
def notebook_code(folder: str, exercise: str) -> tuple[str, dict[str, str]]:
    """The code of a notebook without its check and show cells, and each check's argument name."""
    notebook = nbformat.read(ROOT / folder / f"{exercise}.ipynb", as_version=4)
    code, answers = [], {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if match:
            answers[match[1]] = match[2]
        elif "checks.show(" not in cell.source:
            code.append(cell.source)
    return "\n\n".join(code), answers


def namespace(folder: str, exercise: str, mutations: tuple[tuple[str, str], ...] = ()) -> dict:
    code, _ = notebook_code(folder, exercise)
    for old, new in mutations:
        assert code.count(old) == 1, f"this wrong answer's edit no longer fits solutions/{exercise}.ipynb: {old!r}"
        code = code.replace(old, new)
    names: dict = {}
    exec(compile(code, f"{folder}/{exercise}.ipynb", "exec"), names)
    return names


def answer(folder: str, exercise: str, task: str, mutations: tuple = ()) -> object:
    """What the notebook's check cell of this task passes to the check, from the notebook's own code."""
    _, answers = notebook_code(folder, exercise)
    name = answers[f"task_{exercise[:2]}_{task}"]
    return namespace(folder, exercise, mutations)[name]


def ids(cases) -> list[str]:
    return [f"{exercise}-{task}" for exercise, task in cases]


# --- each check against the solution, the unsolved exercise, and answers that must not pass


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_the_solution_passes(exercise, task):
    result = check_of(exercise, task)(answer("solutions", exercise, task))
    assert result.status == "passed", result.message
    assert (result.exercise, result.task) == (exercise, task)


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_the_unsolved_exercise_is_not_attempted(exercise, task):
    result = check_of(exercise, task)(answer("exercises", exercise, task))
    assert result.status == "not attempted", result.message
    assert "not written yet" in result.message


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_an_answer_that_only_fits_the_first_input_is_wrong(exercise, task):
    """The solution, but it computes once and then returns (or does) the same thing for every later input."""
    solution = answer("solutions", exercise, task)
    memory: list = []

    def first_answer_only(*args):
        if not memory:
            memory.append(solution(*args))
        return memory[0]

    result = check_of(exercise, task)(first_answer_only)
    assert result.status == "wrong", result.message


RAISED = [
    (ValueError("boom"), "raised ValueError: boom"),
    (SystemExit(3), "raised SystemExit: 3: it called sys.exit() or exit(), which would stop the whole notebook"),
    (KeyboardInterrupt(), "raised KeyboardInterrupt: it was interrupted (Ctrl-C or the stop button)"),
]


@pytest.mark.parametrize("error, says", RAISED, ids=[type(error).__name__ for error, _ in RAISED])
@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_an_answer_that_raises_is_wrong_and_the_check_does_not_raise(exercise, task, error, says):
    """Even SystemExit and KeyboardInterrupt: a check reports them and passes nothing on."""

    def broken(*args):
        raise error

    result = check_of(exercise, task)(broken)
    assert result.status == "wrong"
    assert says in result.message


# What a check says of a function that returns None and changes nothing; the rest say "did you forget a `return`?"
DOES_NOTHING_SAYS = {
    ("01_value_graph", "4"): "it still holds its old value",
    ("02_chain_rule_by_hand", "2"): "left it as it was",
    ("06_capstone", "1"): "MyValue(2.0) gave None: it should give a MyValue (did __init__ or an op forget",
    ("06_capstone", "2"): "MyValue(2.0) gave None: it should give a MyValue (did __init__ or an op forget",
    ("06_capstone", "3"): "MyValue(2.0) gave None: it should give a MyValue (did __init__ or an op forget",
}


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_an_answer_that_does_nothing_is_wrong(exercise, task):
    result = check_of(exercise, task)(lambda *args: None)
    assert result.status == "wrong", result.message
    assert DOES_NOTHING_SAYS.get((exercise, task), "is None: did you forget a `return`?") in result.message


def test_a_check_that_cannot_finish_says_so_and_does_not_raise():
    class Unlistable:
        def __iter__(self):
            raise SystemExit("from inside __iter__")

    result = checks.task_03_3(lambda root: Unlistable())
    assert result.status == "wrong"
    assert result.message.startswith("the check could not finish: SystemExit: from inside __iter__.")


@pytest.mark.parametrize("exercise, task", ALL_TASKS, ids=ids(ALL_TASKS))
def test_something_that_is_not_a_function_is_wrong(exercise, task):
    result = check_of(exercise, task)(42)
    assert result.status == "wrong"
    assert "without calling it" in result.message


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer: edits of the solution's code, or an answer made from the notebook's names."""

    what: str
    says: str  # the hint must name what differs: a piece of the expected message
    edits: tuple[tuple[str, str], ...] = ()
    make: Callable[[dict], object] | None = field(default=None, compare=False)


def loss_before_last_update(names: dict) -> Callable:
    def loss_after(learning_rate, steps):
        X, y = names["two_moons"](50, noise=0.1, seed=1)
        model = names["MLP"](2, [8, 8, 1], seed=0)
        loss = math.nan
        for _ in range(steps):
            loss, _ = names["training_step"](model, X, y, learning_rate)
        return loss

    return loss_after


def one_model_for_every_call(names: dict) -> Callable:
    X, y = names["two_moons"](50, noise=0.1, seed=1)
    model = names["MLP"](2, [8, 8, 1], seed=0)

    def loss_after(learning_rate, steps):
        for _ in range(steps):
            names["training_step"](model, X, y, learning_rate)
        return names["classification_loss"](model, X, y)[0].data

    return loss_after


def every_node(root) -> list:
    found, to_visit = [], [root]
    while to_visit:
        node = to_visit.pop()
        if all(node is not seen for seen in found):
            found.append(node)
            to_visit.extend(node.children)
    return found


def recursive_backward_order(root) -> list:
    """Notebook 03's depth-first walk, reversed: right, until the graph is deeper than the recursion limit."""
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for child in node.children:
                visit(child)
            order.append(node)

    visit(root)
    return order[::-1]


def clears_every_node_first(names: dict) -> Callable:
    """recompute, after setting every node's data to 0.0 first (the leaves' too)."""

    def recompute(root):
        for node in every_node(root):
            node.data = 0.0
        names["recompute"](root)

    return recompute


def steps_only_nodes_made_from_leaves(names: dict) -> Callable:
    """Right for one op on leaves, which is all the per-op cases show; wrong once the step sits in a graph."""

    def chain_rule_step(node):
        if all(not child.children for child in node.children):
            names["chain_rule_step"](node)

    return chain_rule_step


WRAP = "        other = other if isinstance(other, MyValue) else MyValue(other)"  # MyValue's __add__ and __mul__
BACKWARD_BODY = """\
        order, share = topological_order(self), {self: 1.0}
        for node in reversed(order):
            for child, local in zip(node.children, node.local_grads):
                share[child] = share.get(child, 0.0) + local * share[node]
        for node in order:
            node.grad += share[node]
"""
FOUR_LINE_BACKWARD = """\
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            for child, local in zip(node.children, node.local_grads):
                child.grad += local * node.grad
"""


def nudges_every_parameter(names: dict) -> Callable:
    """Moves every parameter of the model by h at once, so that it measures the slope along all of them."""

    def nudged_slope(model, X, y, p, h=1e-5):
        start = [q.data for q in model.parameters()]
        losses = []
        for sign in (1, -1):
            for q, data in zip(model.parameters(), start, strict=True):
                q.data = data + sign * h
            losses.append(names["classification_loss"](model, X, y)[0].data)
        for q, data in zip(model.parameters(), start, strict=True):
            q.data = data
        return (losses[0] - losses[1]) / (2 * h)

    return nudged_slope


def nudges_the_first_parameter(names: dict) -> Callable:
    def nudged_slope(model, X, y, p, h=1e-5):
        return names["nudged_slope"](model, X, y, model.parameters()[0], h)

    return nudged_slope


def asks_backward(names: dict) -> Callable:
    """Reads the slope off backward(): right, but no check of backward() at all."""

    def nudged_slope(model, X, y, p, h=1e-5):
        loss, _ = names["classification_loss"](model, X, y)
        model.zero_grad()
        loss.backward()
        return p.grad

    return nudged_slope


def trains_a_copy(names: dict) -> Callable:
    """Leaves the model it was given alone, as if it were an input not to be changed."""

    def train(model, X, y, steps, learning_rate):
        return names["train"](copy.deepcopy(model), X, y, steps, learning_rate)

    return train


SLOPES = "    slope = s * (1 - s)\n    return slope, slope * (1 - 2 * s)"  # sigmoid_slopes' solution


def slopes(first: str = "s * (1 - s)", whole: str | None = None, second: str | None = "slope * (1 - 2 * s)") -> tuple:
    """The edit of sigmoid_slopes' solution that computes the slope as ``first`` and the second slope as ``second``
    (None: return the slope alone), or that is ``whole``."""
    returned = "slope" if second is None else f"slope, {second}"
    return SLOPES, whole or f"    slope = {first}\n    return {returned}"



# Each hint of each check is said by at least one of these, in its own words: deleting any hint fails a test.
MISTAKES = {
    ("01_value_graph", "1"): [
        Mistake("adds s and t", "expected '*': the last step multiplies", (("L = s * t", "L = s + t"),)),
        Mistake("L made from a number", "L has no history", (("L = s * t", "L = Value((s * t).data)"),)),
        Mistake("a - b for s", "should be a + b (made by '+'), but it is made by '-'",
                (("    s = a + b\n", "    s = a - b\n"),)),
        Mistake("s made from a number", "but it is a leaf with no history",
                (("    s = a + b\n", "    s = Value(a.data + b.data)\n"),)),
        Mistake("computes c - b", "children are in the wrong order", (("t = b - c\n", "t = c - b\n"),)),
        Mistake("s from copies of a and b", "are not 'a', 'b' themselves",
                (("    s = a + b\n", "    s = Value(a.data) + Value(b.data)\n"),)),
        Mistake("sets L.data by hand", "do not set it by hand",
                (('L.label = "L"', 'L.label = "L"\n    L.data = 13.0'),)),
        Mistake("returns L.data", "not a Value", (("    return L\n", "    return L.data\n"),)),
        Mistake("returns s, t and L", "but it should be a Value", (("    return L\n", "    return s, t, L\n"),)),
        Mistake("labels the sum 'sum'", "labelled 'sum', expected 's': set s.label = 's'",
                (('s.label = "s"', 's.label = "sum"'),)),
        Mistake("a label that is not text", "labelled 5, expected 's'", (('s.label = "s"', "s.label = 5"),)),
    ],
    ("01_value_graph", "2"): [
        Mistake("a new Value from the numbers", "does not reach",
                (("return sum(values) / len(values)", "return Value(sum(v.data for v in values) / len(values))"),)),
        Mistake("a float", "not a Value",
                (("return sum(values) / len(values)", "return sum(v.data for v in values) / len(values)"),)),
        Mistake("the sum", "that is their sum", (("return sum(values) / len(values)", "return sum(values)"),)),
        Mistake("divides by len - 1", "divide by len(values), not len(values) - 1",
                (("return sum(values) / len(values)", "return sum(values) / (len(values) - 1)"),)),
        Mistake("divides by len + 1", "the mean is the sum of the values divided by how many there are",
                (("return sum(values) / len(values)", "return sum(values) / (len(values) + 1)"),)),
    ],
    ("01_value_graph", "3"): [
        Mistake("forgets the nodes it has seen", "but 2 paths lead to it, and your count took that use once per path",
                (("        if node in seen:\n            continue\n", ""),)),
        Mistake("lists the nodes used once too", "which is used once: list only the nodes used two or more times",
                (("if count > 1]", "if count >= 1]"),)),
        Mistake("counts each different child once", "'y' alone uses it 2 times, so count every entry of node.children",
                (("        for child in node.children:\n            uses[child]",
                  "        for child in set(node.children):\n            uses[child]"),)),
        Mistake("follows only the first child", "is missing: it is used 2 times; walk into every child of every node",
                (("        for child in node.children:\n            uses[child]",
                  "        for child in node.children[:1]:\n            uses[child]"),)),
        Mistake("lists the labels", "list the Values themselves",
                (("return [node for node, count", "return [node.label for node, count"),)),
        Mistake("lists a node once per extra use", "appears 2 times: list each shared node once",
                make=lambda names: lambda root: [
                    node for node in names["shared_nodes"](root) for _ in range(sum(
                        user.children.count(node) for user in every_node(root)) - 1)]),
        Mistake("one dict for every call", "which is not in this graph: start every call with nothing counted yet", (
            ("def shared_nodes(root):", "def shared_nodes(root, uses={}):"),
            ("uses, seen, to_visit = {}, set(), [root]", "seen, to_visit = set(), [root]"),
        )),
    ],
    ("01_value_graph", "4"): [
        Mistake("updates only the root", "it still holds its old value",
                (("        for child in node.children:\n            update(child)\n", ""),)),
        Mistake("x - y for '+'", "for '+' it is the first child's data plus",
                (("node.data = x + y", "node.data = x - y"),)),
        Mistake("y - x for '-'", "for '-' it is the first child's data minus",
                (("node.data = x - y", "node.data = y - x"),)),
        Mistake("x * x for '*'", "for '*' it is the first child's data times",
                (("node.data = x * y", "node.data = x * x"),)),
        Mistake("y / x for '/'", "for '/' it is the first child's data divided by",
                (("node.data = x / y", "node.data = y / x"),)),
        Mistake("x for 'neg'", "for 'neg' it is minus the child's data", (("node.data = -x", "node.data = x"),)),
        Mistake("times k for '**k'", "for '**k' it is the child's data to the power k",
                (("node.data = x ** float(node.op[2:])", "node.data = x * float(node.op[2:])"),)),
        Mistake("clears every node first", "recompute changed the leaf", make=clears_every_node_first),
    ],
    ("02_chain_rule_by_hand", "1"): [
        Mistake("2*c for dL/da", "L grows with a at the rate c**2", (("dL_da = c**2", "dL_da = 2 * c"),)),
        Mistake("the sign of dL/db", "check the sign", (("dL_db = -(c**2)", "dL_db = c**2"),)),
        Mistake("-c for dL/db", "dL/db = d(a - b)/db * c**2, and d(a - b)/db = -1",
                (("dL_db = -(c**2)", "dL_db = -c"),)),
        Mistake("forgets the 2 of c**2", "did you forget the 2?",
                (("dL_dc = 2 * c * (a - b)", "dL_dc = c * (a - b)"),)),
        Mistake("forgets a - b in dL/dc", "dL/dc = (a - b) * d(c**2)/dc",
                (("dL_dc = 2 * c * (a - b)", "dL_dc = 2 * c"),)),
        Mistake("two gradients", "has 2 items, expected 3", (("return dL_da, dL_db, dL_dc", "return dL_da, dL_db"),)),
    ],
    ("02_chain_rule_by_hand", "2"): [
        Mistake("overwrites with =", "`=` replaced the 0.72 that a.grad already held",
                (("child.grad += local * node.grad", "child.grad = local * node.grad"),)),
        Mistake("adds node.grad", "you added n.grad itself",
                (("child.grad += local * node.grad", "child.grad += node.grad"),)),
        Mistake("adds the local derivative alone", "you added the local derivative alone",
                (("child.grad += local * node.grad", "child.grad += local"),)),
        Mistake("never sets the grad", "left it as it was: add ",
                (("child.grad += local * node.grad", "grad = local * node.grad"),)),
        Mistake("resets n.grad", "chain_rule_step changed n itself", ((
            "        child.grad += local * node.grad\n",
            "        child.grad += local * node.grad\n    node.grad = 0.0\n",
        ),)),
        Mistake("local_grads in reverse", "in the order of n.children",
                (("zip(node.children, node.local_grads)", "zip(node.children, reversed(node.local_grads))"),)),
        Mistake("times the node, not its grad", "but it should be a plain number",
                (("child.grad += local * node.grad", "child.grad += local * node"),)),
        Mistake("steps only nodes made from leaves", "a step must work wherever the node sits in a graph",
                make=steps_only_nodes_made_from_leaves),
    ],
    ("02_chain_rule_by_hand", "3"): [
        Mistake("a one-sided difference", "that is the one-sided difference",
                (("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),)),
        Mistake("divides by h", "that is twice the slope",
                (("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / h"),)),
        Mistake("divides by 4h", "that is half the slope",
                (("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / (4 * h)"),)),
        Mistake("no brackets around 2 * h", "mind the brackets around 2*h",
                (("(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x - h)) / 2 * h"),)),
    ],
    ("02_chain_rule_by_hand", "4"): [
        Mistake("nudges every input at once", "every entry is the same: nudge one input at a time", ((
            "        up, down = list(inputs), list(inputs)\n        up[i] += h\n        down[i] -= h\n",
            "        up = [v + h for v in inputs]\n        down = [v - h for v in inputs]\n",
        ),)),
        Mistake("nudges one list up and down", "every entry is 0.0: f saw the same inputs twice",
                (("up, down = list(inputs), list(inputs)", "up = down = inputs"),)),
        Mistake("nudges the given list up", "numerical_gradient changed the list it was given",
                (("up, down = list(inputs), list(inputs)", "up, down = inputs, list(inputs)"),)),
        Mistake("divides by h", "that is twice it: divide by 2h",
                (("(f(up) - f(down)) / (2 * h)", "(f(up) - f(down)) / h"),)),
        Mistake("nudges only up", "the other inputs unchanged",
                (("(f(up) - f(down)) / (2 * h)", "(f(up) - f(inputs)) / (2 * h)"),)),
    ],
    ("03_backward", "1"): [
        Mistake("1 and 0 for plus", "d(a + b)/da = 1 and d(a + b)/db = 1",
                (("return (1.0, 1.0)", "return (1.0, 0.0)"),)),
        Mistake("minus like plus", "d(a - b)/db = -1", (("return (1.0, -1.0)", "return (1.0, 1.0)"),)),
        Mistake("the product's factors swapped", "each factor's local derivative is the other factor",
                (("return (node.children[1].data, x)", "return (x, node.children[1].data)"),)),
        Mistake("the quotient's sign", "d(a / b)/db = -a / b**2",
                (("return (1 / y, -x / y**2)", "return (1 / y, x / y**2)"),)),
        Mistake("1 for neg", "d(-a)/da = -1", (("return (-1.0,)", "return (1.0,)"),)),
        Mistake("k * x**k for a power", "d(a**k)/da = k * a**(k - 1)",
                (("return (k * x ** (k - 1),)", "return (k * x**k,)"),)),
        Mistake("reads node.local_grads", "the check hides node.local_grads",
                make=lambda names: lambda node: node.local_grads),
    ],
    ("03_backward", "2"): [
        Mistake("calls backward() twice", "that is exactly twice it",
                (("    f.backward()\n", "    f.backward()\n    f.backward()\n"),)),
        Mistake("never calls backward()", "call f.backward() before you read the grads", (("    f.backward()\n", ""),)),
        Mistake("adds x", "build f = (x*y + y)**2 - x from Values x and y",
                (("f = (x * y + y) ** 2 - x", "f = (x * y + y) ** 2 + x"),)),
        Mistake("returns df/dx alone", "but it should be a list", (("return x.grad, y.grad", "return x.grad"),)),
    ],
    ("03_backward", "3"): [
        Mistake("notebook 03's recursive walk, reversed", "a function that calls itself goes one call deeper",
                make=lambda names: recursive_backward_order),
        Mistake("counts a use once per path", "is missing: a node is ready when every node that uses it",
                (("            if child not in seen:\n                seen.add(child)\n"
                  "                to_count.append(child)", "            to_count.append(child)"),)),
        Mistake("counts each different child once", "which uses it: list a node only when every node that uses it",
                (("        for child in node.children:\n            uses[child] = uses.get(child, 0) + 1",
                  "        for child in set(node.children):\n            uses[child] = uses.get(child, 0) + 1"),)),
        Mistake("lists a child each time its count is 0 or less", "appears 2 times: list a node once", (
            ("        for child in node.children:\n            uses[child] = uses.get(child, 0) + 1",
             "        for child in set(node.children):\n            uses[child] = uses.get(child, 0) + 1"),
            ("if uses[child] == 0:", "if uses[child] <= 0:"),
        )),
        Mistake("the topological order, root last", "comes first: start with the root",
                make=lambda names: names["topological_order"]),
        Mistake("lists the labels", "list the nodes themselves",
                (("order.append(node)", "order.append(node.label)"),)),
        Mistake("one list for every call", "which is not in this graph: start each call with an empty list", (
            ("def backward_order(root):", "def backward_order(root, order=[]):"),
            ("order, ready = [], [root]", "ready = [root]"),
        )),
    ],
    ("03_backward", "4"): [
        Mistake("every leaf starts at 1", "you gave every leaf a slope of 1",
                (("1.0 if node is x else 0.0", "0.0 if node.children else 1.0"),)),
        Mistake("keeps the last share", "add them up (+=) instead of keeping the last one",
                (("slope[node] += local * slope[child]", "slope[node] = local * slope[child]"),)),
        Mistake("walks root first", "the slope came out 0: walk the nodes children first (in topological order)", (
            ("for node in topological_order(root):", "for node in reversed(topological_order(root)):"),
            ("slope[node] += local * slope[child]", "slope[node] += local * slope.get(child, 0.0)"),
        )),
        Mistake("forgets the local derivative", "the sum over its children of (d node/d child) * (d child/dx)",
                (("slope[node] += local * slope[child]", "slope[node] += slope[child]"),)),
        Mistake("calls backward()", "which has no backward(); carry the slopes forward yourself",
                make=lambda names: lambda root, x: (root.backward(), x.grad)[1]),
        Mistake("returns every slope", "but it should be a number", (("return slope[root]", "return slope"),)),
    ],
    ("04_a_neuron", "1"): [
        Mistake("sigmoid of x instead of 2x", "which is tanh(x/2)", (("(2 * x).sigmoid()", "x.sigmoid()"),)),
        Mistake("the sign flipped", "the sign is flipped",
                (("2 * (2 * x).sigmoid() - 1", "1 - 2 * (2 * x).sigmoid()"),)),
        Mistake("forgets the factor 2", "multiply the sigmoid by 2 before you take 1 away",
                (("2 * (2 * x).sigmoid() - 1", "(2 * x).sigmoid() - 1"),)),
        Mistake("forgets the - 1", "that is 2σ(2x): take 1 away",
                (("2 * (2 * x).sigmoid() - 1", "2 * (2 * x).sigmoid()"),)),
        Mistake("adds 1", "tanh(x) = 2σ(2x) - 1: twice the sigmoid of 2x, minus 1",
                (("2 * (2 * x).sigmoid() - 1", "2 * (2 * x).sigmoid() + 1"),)),
        Mistake("the sigmoid as a number", "every step must be a Value operation",
                (("2 * (2 * x).sigmoid() - 1", "2 * (2 * x).sigmoid().data - 1 + 0 * x"),)),
        Mistake("calls tanh itself", "calls .tanh() itself: build it from .sigmoid()",
                make=lambda names: lambda x: x.tanh()),
        Mistake("math.tanh of the number", "not a Value", make=lambda names: lambda x: names["math"].tanh(x.data)),
        Mistake("a Value made from math.tanh", "does not depend on x",
                make=lambda names: lambda x: names["Value"](names["math"].tanh(x.data))),
    ],
    ("04_a_neuron", "2"): [
        Mistake("e**x instead of e**-x", "that is sigmoid(-x)", (("(-x).exp()", "x.exp()"),)),
        Mistake("1 - e**-x", "where e**-x is (-x).exp()", (("1 / (1 + (-x).exp())", "1 / (1 - (-x).exp())"),)),
        Mistake("calls sigmoid itself", "calls .sigmoid() itself", make=lambda names: lambda x: x.sigmoid()),
    ],
    ("04_a_neuron", "3"): [
        Mistake("tanh's slope", "1 - s**2 is tanh's slope", (slopes("1 - s**2"),)),
        Mistake("the sigmoid itself", "that is the sigmoid itself, not its slope", (slopes("s"),)),
        Mistake("1 - s", "that is 1 - s alone", (slopes("1 - s"),)),
        Mistake("e**-x as 1/s + 1", "mind the minus: from s = 1 / (1 + e**-x)", (slopes("s * (1 + s)"),)),
        Mistake("one minus sign lost", "check the sign: the slope of e**-x is -e**-x", (slopes("-s * (1 - s)"),)),
        Mistake("the sigmoid of s", "do not apply the sigmoid to it again", (slopes("s * (1 - s)", (
            "    s = 1 / (1 + math.exp(-s))\n    slope = s * (1 - s)\n    return slope, slope * (1 - 2 * s)")),)),
        Mistake("forgets the inner slope", "with the chain rule, then write e**-x as 1/s - 1", (slopes("-s**2"),)),
        Mistake("the second slope in s only", "multiply it by ds/dx", (slopes(second="1 - 2 * s"),)),
        Mistake("only the share through s", "only the share through the factor s;",
                (slopes(second="slope * (1 - s)"),)),
        Mistake("only the share through 1 - s", "only the share through the factor 1 - s;",
                (slopes(second="-s * slope"),)),
        Mistake("the second slope's sign", "check the sign of the slope's rate of change",
                (slopes(second="slope * (2 * s - 1)"),)),
        Mistake("a square too many", "differentiate it by s, then multiply by ds/dx",
                (slopes(second="slope * (1 - 2 * s) ** 2"),)),
        Mistake("one number", "but it should be a list", (slopes(second=None),)),
        Mistake("infinity", "is inf: a number along the way grew too large",
                make=lambda names: lambda s: (math.inf, math.inf)),
    ],
    ("04_a_neuron", "4"): [
        Mistake("no bias", "you left out the bias b", (("    n = b\n", "    n = 0\n"),)),
        Mistake("tanh as the activation", "that is tanh; this neuron's activation is the sigmoid",
                (("return n.sigmoid()", "return n.tanh()"),)),
        Mistake("no activation", "that is w·x + b before the activation", (("return n.sigmoid()", "return n"),)),
        Mistake("w paired with x reversed", "each weight times the input at the same position",
                (("for wi, xi in zip(w, x):", "for wi, xi in zip(w, reversed(x)):"),)),
        Mistake("a new Value from the numbers", "build the output from the Values",
                make=lambda names: lambda x, w, b: names["Value"](
            sum(wi.data * xi.data for wi, xi in zip(w, x, strict=True)) + b.data).sigmoid()),
    ],
    ("04_a_neuron", "5"): [
        Mistake("w_i instead of x_i", "is x1, the input that w1 multiplies",
                (("[slope * xi for xi in x]", "[slope * wi for wi in w]"),)),
        Mistake("no sigmoid slope", "multiply by the sigmoid's slope",
                (("return [slope * xi for xi in x], slope", "return list(x), 1.0"),)),
        Mistake("s instead of the slope", "d out/d w_i = s * (1 - s) * x_i",
                (("[slope * xi for xi in x]", "[s * xi for xi in x]"),)),
        Mistake("s for d out/d b", "dn/db = 1, so d out/d b = s * (1 - s)",
                (("return [slope * xi for xi in x], slope", "return [slope * xi for xi in x], s"),)),
    ],
    ("05_an_mlp", "1"): [
        Mistake("the count", "that is how many points are right", (("return right / len(X)", "return right"),)),
        Mistake("the fraction wrong", "that is the fraction classified wrong",
                (("if model(x).data * label > 0:", "if model(x).data * label < 0:"),)),
        Mistake("a score of 0 predicts -1", "a score of exactly 0 has no sign",
                (("if model(x).data * label > 0:", "if (1 if model(x).data > 0 else -1) == label:"),)),
        Mistake("a score of 0 predicts +1", "count that point as wrong, whatever its label",
                (("if model(x).data * label > 0:", "if (1 if model(x).data >= 0 else -1) == label:"),)),
        Mistake("the score compared with the label", "has the sign of their label (-1 or +1), then divide",
                (("if model(x).data * label > 0:", "if model(x).data == label:"),)),
    ],
    ("05_an_mlp", "2"): [
        Mistake("leaves p nudged", "put p.data back where it was", (("    p.data = start\n", ""),)),
        Mistake("nudges a copy", "the slope came out 0: the loss never saw the nudge", (
            ("    p.data = start + h\n", "    nudged = start + h\n"),
            ("    p.data = start - h\n", "    nudged = start - h\n"),
        )),
        Mistake("divides by h", "that is twice the slope: divide by 2h",
                (("return (up - down) / (2 * h)", "return (up - down) / h"),)),
        Mistake("nudges every parameter", "that is the slope in every parameter at once: nudge p alone",
                make=nudges_every_parameter),
        Mistake("nudges the first parameter", "the slope is (loss with p.data + h - loss with p.data - h) / (2h)",
                make=nudges_the_first_parameter),
        Mistake("asks backward()", "it called backward(). Measure the slope by nudging p.data alone",
                make=asks_backward),
        Mistake("the losses as Values", "but it should be a plain number", (
            ("up = classification_loss(model, X, y)[0].data", "up = classification_loss(model, X, y)[0]"),
            ("down = classification_loss(model, X, y)[0].data", "down = classification_loss(model, X, y)[0]"),
        )),
    ],
    ("05_an_mlp", "3"): [
        Mistake("forgets zero_grad", "call model.zero_grad() before it", (("        model.zero_grad()\n", ""),)),
        Mistake("steps uphill", "step against the gradient",
                (("p.data -= learning_rate * p.grad", "p.data += learning_rate * p.grad"),)),
        Mistake("the loss after the update", "the loss of step 1 is classification_loss(model, X, y) on the untouched",
                (("losses.append(loss.data)", "losses.append(classification_loss(model, X, y)[0].data)"),)),
        Mistake("never updates", "each step: loss, zero_grad(), backward(), then",
                (("            p.data -= learning_rate * p.grad\n", "            pass\n"),)),
        Mistake("trains a copy", "update that model, once per step", make=trains_a_copy),
        Mistake("a mini-batch of 20", "every step learns from all of X and y", (
            ("classification_loss(model, X, y)\n", "classification_loss(model, X[:20], y[:20])\n"),)),
    ],
    ("05_an_mlp", "4"): [
        Mistake("the loss before the last update", "that is the loss before the last update",
                make=loss_before_last_update),
        Mistake("one model for every call", "make a fresh MLP(2, [8, 8, 1], seed=0) inside",
                make=one_model_for_every_call),
        Mistake("another seed", "with training_step, as the task says",
                (("model = MLP(2, [8, 8, 1], seed=0)", "model = MLP(2, [8, 8, 1], seed=1)"),)),
        Mistake("the (loss, accuracy) pair", "but it should be a number",
                (("return classification_loss(model, X, y)[0].data", "return classification_loss(model, X, y)"),)),
        Mistake("the loss as a Value", "but it should be a plain number",
                (("return classification_loss(model, X, y)[0].data", "return classification_loss(model, X, y)[0]"),)),
        Mistake("nan", "is nan (not a number)", make=lambda names: lambda learning_rate, steps: math.nan),
    ],
    ("06_capstone", "1"): [
        Mistake("a plain number not wrapped", "must become a MyValue before its .data is read",
                ((f"{WRAP}\n        return MyValue(self.data + other.data",
                  "        return MyValue(self.data + other.data"),)),
        Mistake("no __radd__ and __rmul__", "keep the line __radd__, __rmul__ = __add__, __mul__",
                (("    __radd__, __rmul__ = __add__, __mul__", "    pass"),)),
        Mistake("grad starts at None", "every Value starts with .grad = 0.0",
                (("data, 0.0, children", "data, None, children"),)),
        Mistake("stores an int", "store the number given", (("= data, 0.0,", "= int(data), 0.0,"),)),
        Mistake("+ gives a number", "it should give a MyValue, whose .data holds its number",
                (("return MyValue(self.data + other.data, (self, other), (1.0, 1.0))",
                  "return self.data + other.data"),)),
        Mistake("- for +", "the data of a + b is a.data + b.data",
                (("MyValue(self.data + other.data,", "MyValue(self.data - other.data,"),)),
        Mistake("a * a for a * b", "the data of a * b is a.data * b.data",
                (("MyValue(self.data * other.data,", "MyValue(self.data * self.data,"),)),
        Mistake("tanh(x/2) for tanh", "the data of x.tanh() is math.tanh(x.data)",
                (("t = math.tanh(self.data)", "t = (math.exp(self.data) - 1) / (math.exp(self.data) + 1)"),)),
    ],
    ("06_capstone", "2"): [
        Mistake("overwrites a share", "x is used 3 times: add each use's share (+=), do not overwrite it (=)",
                (("share[child] = share.get(child, 0.0) + local * share[node]",
                  "share[child] = local * share[node]"),)),
        Mistake("walks the order forwards", "visit the nodes root first, each after every node that uses it", (
            ("for node in reversed(order):", "for node in order:"),
            ("local * share[node]", "local * share.get(node, 0.0)"),
        )),
        Mistake("tanh's slope from its input", "where t is tanh's output, not its input",
                (("(1 - t**2,)", "(1 - self.data**2,)"),)),
        Mistake("the product's local derivatives swapped", "each factor's local derivative is the other factor",
                (("(other.data, self.data)", "(self.data, other.data)"),)),
        Mistake("the root starts at 0", "start the pass with the root's own gradient",
                (("{self: 1.0}", "{self: 0.0}"),)),
        Mistake("-1 for the second child of +", "every node's grad is d root/d node: the root's is 1",
                (("(1.0, 1.0))", "(1.0, -1.0))"),)),
        Mistake("no backward()", "a MyValue has no method backward()",
                (("def backward(self):", "def backprop(self):"),)),
    ],
    ("06_capstone", "3"): [
        Mistake("notebook 03's four-line backward", "the first call's gradients, still on the inner nodes, were passed",
                ((BACKWARD_BODY, FOUR_LINE_BACKWARD),)),
        Mistake("starts every call from zero", "that is one pass's gradient: a second call adds one more pass",
                (("node.grad += share[node]", "node.grad = share[node]"),)),
        Mistake("sets the root's grad to 1 at the end", "a second call adds one pass to the root as well",
                (("            node.grad += share[node]\n",
                  "            node.grad += share[node]\n        self.grad = 1.0\n"),)),
    ],
}


MISTAKE_CASES = [(exercise, task, mistake) for (exercise, task), mistakes in MISTAKES.items() for mistake in mistakes]


def test_every_task_has_plausible_mistakes():
    assert set(MISTAKES) == set(ALL_TASKS)


@pytest.mark.parametrize(
    "exercise, task, mistake", MISTAKE_CASES, ids=[f"{e}-{t}-{m.what}" for e, t, m in MISTAKE_CASES]
)
def test_a_plausible_mistake_is_wrong_with_a_hint(exercise, task, mistake):
    if mistake.make is not None:
        wrong = mistake.make(namespace("solutions", exercise))
    else:
        wrong = answer("solutions", exercise, task, mistake.edits)
    result = check_of(exercise, task)(wrong)
    assert result.status == "wrong", result.message
    assert mistake.says in result.message


# --- the interface the notebooks and the grader rely on


def test_tasks_list_three_to_six_tasks_per_exercise_numbered_from_one():
    assert list(checks.TASKS) == [
        "01_value_graph", "02_chain_rule_by_hand", "03_backward", "04_a_neuron", "05_an_mlp", "06_capstone"
    ]
    for exercise, tasks in checks.TASKS.items():
        assert 3 <= len(tasks) <= 6, exercise
        assert [task for task, _ in tasks] == [str(i) for i in range(1, len(tasks) + 1)], exercise
        assert all(isinstance(title, str) and title for _, title in tasks), exercise


def test_every_check_function_is_a_listed_task():
    defined = {name for name in dir(checks) if re.fullmatch(r"task_\d\d_\d+", name)}
    assert defined == {f"task_{exercise[:2]}_{task}" for exercise, task in ALL_TASKS}


def test_a_result_is_one_output_bundle_with_text_and_a_record_for_the_grader():
    result = checks.task_03_2(answer("exercises", "03_backward", "2"))
    assert result.bundle() == {
        "text/plain": "Task 2 (Backward on a new graph): not attempted yet.\n" + result.message,
        "application/vnd.nanograd.check+json": {
            "exercise": "03_backward",
            "task": "2",
            "title": "Backward on a new graph",
            "status": "not attempted",
            "message": result.message,
        },
    }


def test_outside_ipython_a_check_prints_its_verdict_once(capsys):
    grads_of = answer("solutions", "03_backward", "2")
    capsys.readouterr()
    result = checks.task_03_2(grads_of)
    assert capsys.readouterr().out == result.text + "\n"
    assert result.text.startswith("Task 2 (Backward on a new graph): passed.\n")


def test_a_wrong_verdict_gives_numbers_and_the_reason():
    def sign_error(a, b, c):
        return c**2, c**2, 2 * c * (a - b)

    result = checks.task_02_1(sign_error)
    assert result.message == (
        "with a=2.0, b=-3.0, c=4.0: dL/db is 16.0, expected -16.0: check the sign: b enters L through a - b, "
        "and d(a - b)/db = -1"
    )


def test_the_same_answer_gets_the_same_verdict_every_time():
    wrong = answer("solutions", "01_value_graph", "4", (("node.data = x - y", "node.data = y - x"),))
    assert checks.task_01_4(wrong) == checks.task_01_4(wrong)


def test_show_draws_a_value_and_never_raises(capsys):
    names = namespace("solutions", "01_value_graph")
    unsolved = answer("exercises", "01_value_graph", "1")
    Value = names["Value"]
    capsys.readouterr()
    checks.show(names["build_expression"], Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"))
    drawn = capsys.readouterr().out
    assert "Graph of L: 6 values" in drawn
    assert re.search(r"^L +13\.0000 +s \* t$", drawn, re.MULTILINE), drawn
    checks.show(unsolved, Value(1.0), Value(2.0), Value(3.0))
    assert capsys.readouterr().out.startswith("Nothing to show yet: build_expression is not written yet")
    checks.show(lambda: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def a_grad_that_holds_a_value():
    """The course's first step with a classic slip: the child's grad multiplies the node, not its grad."""
    a, b = chain_rule.Value(2.0, label="a"), chain_rule.Value(-3.0, label="b")
    e = a * b
    e.label, e.grad = "e", 1.0
    for child, local in zip(e.children, e.local_grads, strict=True):
        child.grad = local * e
    return e


class Unprintable:
    def __str__(self):
        raise RuntimeError("no text")

    __repr__ = __str__


SHOW_CANNOT = [
    (a_grad_that_holds_a_value, "Nothing to show: in what a_grad_that_holds_a_value returned, 'a'.grad is the Value "),
    (lambda: graph.Value(1.0, label=5) + 1, "a node's label is 5, of type int: a label is text"),
    (lambda: graph.Value(1.0, label=["a"]) + 1, "a node's label is ['a'], of type list: a label is text"),
    (lambda: sys.exit(3), "Nothing to show: your <lambda> raised SystemExit: 3: it called sys.exit()"),
    (Unprintable, "Cannot show what Unprintable returned: RuntimeError: no text"),
]


@pytest.mark.parametrize(
    "function, says", SHOW_CANNOT, ids=["grad-is-a-Value", "int-label", "list-label", "exit", "str-raises"]
)
def test_show_says_why_it_cannot_show_and_never_raises(capsys, function, says):
    checks.show(function)
    assert says in capsys.readouterr().out


def test_show_reports_a_keyboard_interrupt_instead_of_raising_it(capsys):
    def interrupted():
        raise KeyboardInterrupt

    checks.show(interrupted)
    assert "raised KeyboardInterrupt: it was interrupted" in capsys.readouterr().out


def test_a_plain_number_among_a_capstone_steps_operands_is_no_use_of_a_node():
    from nanograd.course.checks.ex06_capstone import Capstone

    capstone = Capstone("n1 = 1.0 * x + y", ("x", "y"), (2.0, 3.0), (("p", "*", (1.0, 0)), ("n1", "+", (2, 1))))
    assert [capstone.uses(i) for i in range(3)] == [1, 1, 1]  # 1.0 == 1 in Python, yet the 1.0 is no use of y
