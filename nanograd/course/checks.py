"""Automatic feedback for the exercises: one check per task, called from the exercise notebooks.

    checks.task_03_3(topo_order)

A check calls your function on several inputs, some fixed and some drawn from a seeded random
generator (so an answer that only fits one input does not pass), compares what it gives with an
independent truth (the package's own engine, a formula worked out here, or a central difference),
and shows one verdict:

- **passed**;
- **not attempted yet**: the function still raises ``NotImplementedError``;
- **wrong**, with a hint that names what differs.

A check never raises: an error in your code becomes part of a "wrong" verdict, so Run All always
runs to the end. In a notebook the verdict is one output that carries text and a JSON record
(``Result.bundle()``), which ``python -m nanograd.course.grade`` reads; outside IPython it is printed.
Each check also returns its ``Result``.

``TASKS`` lists every exercise's tasks, in order: ``{"01_value_graph": [("1", "Build an expression"), ...]}``.
``show(function, *args)`` calls one of your functions and shows what it returns (a Value as its
drawing); like the checks it never raises, so it can sit in a notebook before the function is written.
"""

from __future__ import annotations

import functools
import inspect
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from nanograd import activations, backprop, chain_rule, graph
from nanograd.data import two_moons
from nanograd.nn import MLP, Neuron
from nanograd.training import accuracy, classification_loss, training_step

MIME_TYPE = "application/vnd.nanograd.check+json"
PASSED, WRONG, NOT_ATTEMPTED = "passed", "wrong", "not attempted"
VERDICTS = {PASSED: "passed", WRONG: "wrong", NOT_ATTEMPTED: "not attempted yet"}

def check_records(outputs: list) -> list[dict]:
    """The check records among a notebook cell's outputs, in order: what the grader and the generator read."""
    return [output["data"][MIME_TYPE] for output in outputs if MIME_TYPE in output.get("data", {})]


TASKS: dict[str, list[tuple[str, str]]] = {}
"""Each exercise's tasks in order, as (task id, short title); filled in by the checks below as they are defined."""


@dataclass(frozen=True)
class Result:
    """What one check found: ``status`` is "passed", "wrong" or "not attempted"; ``message`` says why."""

    exercise: str
    task: str
    title: str
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASSED

    @property
    def text(self) -> str:
        return f"Task {self.task} ({self.title}): {VERDICTS[self.status]}.\n{self.message}"

    def bundle(self) -> dict:
        """The notebook output: the verdict as text, and the same as a record for the grader."""
        record = {
            "exercise": self.exercise,
            "task": self.task,
            "title": self.title,
            "status": self.status,
            "message": self.message,
        }
        return {"text/plain": self.text, MIME_TYPE: record}

    def show(self) -> None:
        """Show the verdict (again): one notebook output, or printed text outside IPython."""
        _publish(self.bundle(), self.text, raw=True)

    def _ipython_display_(self) -> None:
        """Show nothing when a Result is a cell's value: the check showed it once already, when it ran."""


# --- how a check runs, calls your code and reports


class _Verdict(Exception):
    status = WRONG


class _NotAttempted(_Verdict):
    status = NOT_ATTEMPTED


class _Wrong(_Verdict):
    status = WRONG


def _wrong(message: str) -> NoReturn:
    raise _Wrong(message)


def _task(exercise: str, number: str, title: str) -> Callable:
    """Register a check as task ``number`` of ``exercise``; the check body returns the "passed" message."""

    def register(body: Callable[[Any], str]) -> Callable[[Any], Result]:
        TASKS.setdefault(exercise, []).append((number, title))

        @functools.wraps(body)
        def check(answer: Any) -> Result:
            try:
                status, message = PASSED, body(answer)
            except _Verdict as verdict:
                status, message = verdict.status, str(verdict)
            except Exception as error:  # something the check did not foresee: a verdict, never a crash
                status = WRONG
                message = (
                    f"the check could not finish: {type(error).__name__}: {error}. Compare what your code "
                    f"returns (its type, its length) with what the task asks for."
                )
            result = Result(exercise, number, title, status, message)
            result.show()
            return result

        # help() shows the body's parameter (e.g. build_expression) and what the check returns: a Result
        check.__signature__ = inspect.signature(body).replace(return_annotation="Result")
        return check

    return register


def _publish(shown: Any, text: str, raw: bool = False) -> None:
    """Display ``shown`` as one notebook output when IPython runs (``raw``: a ready mime bundle); else print ``text``."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # IPython is not installed: plain Python
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(shown, raw=raw)


def _name_of(function: Any) -> str:
    return getattr(function, "__qualname__", None) or getattr(function, "__name__", None) or "your function"


def _raised_in(error: BaseException, default: str) -> str:
    """The function whose line raised ``error`` (e.g. ``MyLayer.__init__``), or ``default``."""
    tb = error.__traceback__
    if tb is None:
        return default
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    name = getattr(code, "co_qualname", code.co_name)
    return default if name.startswith("<") else name


def _call(function: Any, *args: Any, name: str | None = None) -> Any:
    """``function(*args)``, with NotImplementedError as "not attempted" and any other error as "wrong"."""
    name = name or _name_of(function)
    if not callable(function):
        _wrong(
            f"this check needs your function (or class) itself, but got {_describe(function)}: "
            f"pass its name without calling it, e.g. checks.task_01_1(build_expression)"
        )
    try:
        return function(*args)
    except NotImplementedError as error:
        where = _raised_in(error, name)
        raise _NotAttempted(
            f"{where} is not written yet: replace `raise NotImplementedError()` with your code, "
            f"run that cell, then run this one again."
        ) from None
    except Exception as error:
        _wrong(f"your {name} raised {type(error).__name__}: {error}")


def show(function: Callable, *args: Any) -> None:
    """Call ``function(*args)`` and show what it returns; a Value is shown as the drawing of its graph.

    Never raises: before the function is written it says so instead, so Run All goes on.
    """
    try:
        result = _call(function, *args)
    except _Verdict as verdict:
        print(f"Nothing to show yet: {verdict}")
        return
    if result is None:
        return
    if isinstance(result, graph.Value):
        from nanograd.pictures.drawing import draw_dot

        result = draw_dot(result)
    _publish(result, str(result))


# --- reading answers


def _fmt(x: Any) -> str:
    """A number as the messages show it: short, and the same on every machine."""
    if not graph.is_number(x):
        return repr(x)
    x = float(x)
    if not math.isfinite(x):
        return repr(x)
    if x != 0.0 and not 1e-4 <= abs(x) < 1e6:
        return f"{x:.6g}"
    rounded = round(x, 6)
    return repr(rounded if rounded != 0.0 else 0.0)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _fmt_all(xs: Any) -> str:
    return "[" + ", ".join(_fmt(x) for x in xs) + "]"


def _describe(x: Any) -> str:
    if x is None:
        return "None"
    if isinstance(x, graph.Value):
        return f"the Value {x!r}"
    if graph.is_number(x):
        return f"the number {_fmt(x)}"
    text = repr(x)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(x).__name__} {text}"


def _close(got: float, expected: float, rel: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_tol)


def _value(x: Any, what: str) -> graph.Value:
    if isinstance(x, graph.Value):
        return x
    if x is None:
        _wrong(f"{what} is None: did you forget a `return`?")
    if graph.is_number(x):
        _wrong(
            f"{what} is the number {_fmt(x)}, not a Value: return the Value itself (not its .data), "
            f"so that the graph it was built from stays with it"
        )
    _wrong(f"{what} is {_describe(x)}, but it should be a Value")


def _number(x: Any, what: str) -> float:
    if isinstance(x, graph.Value):
        _wrong(f"{what} is a Value ({x!r}); return a plain number, e.g. its .data or its .grad")
    if x is None:
        _wrong(f"{what} is None: did you forget a `return`?")
    if not graph.is_number(x):
        _wrong(f"{what} is {_describe(x)}, but it should be a number")
    return float(x)


def _items(x: Any, what: str, length: int | None = None) -> list:
    """``x`` as a list (from a list, tuple or other iterable), optionally of exactly ``length`` items."""
    if x is None:
        _wrong(f"{what} is None: did you forget a `return`?")
    if isinstance(x, (str, bytes, dict)) or isinstance(x, graph.Value) or not hasattr(x, "__iter__"):
        _wrong(f"{what} is {_describe(x)}, but it should be a list")
    items = list(x)
    if length is not None and len(items) != length:
        _wrong(f"{what} has {len(items)} items, expected {length}")
    return items


# --- graphs the checks build: recipes that can be built twice, once for you and once for the truth


def _name(node: graph.Value) -> str:
    if node.label:
        return repr(node.label)
    if not node.children:
        return f"the constant {_fmt(node.data)}"
    return f"an unlabelled {node.op!r} node"


def _nodes(root: graph.Value) -> list:
    """Every Value of the graph that ends in ``root``, each once (the check's own walk)."""
    seen, found, stack = set(), [], [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        found.append(node)
        stack.extend(node.children)
    return found


def _apply(op: str, args: list) -> graph.Value:
    first = args[0]
    if op == "+":
        return first + args[1]
    if op == "-":
        return first - args[1]
    if op == "*":
        return first * args[1]
    if op == "/":
        return first / args[1]
    if op == "neg":
        return -first
    if op.startswith("**"):
        return first ** float(op[2:])
    return getattr(first, op)()  # tanh, exp, sigmoid


@dataclass(frozen=True)
class _Recipe:
    """A graph as leaf labels and steps (label, op, operand indices); index i < len(leaves) is a leaf."""

    leaves: tuple[str, ...]
    steps: tuple[tuple[str, str, tuple[int, ...]], ...]

    def build(self, cls: type, data: list[float]) -> list:
        nodes = [cls(x, label=name) for name, x in zip(self.leaves, data)]
        for label, op, operands in self.steps:
            node = _apply(op, [nodes[i] for i in operands])
            node.label = label
            nodes.append(node)
        return nodes

    def label(self, index: int) -> str:
        return self.leaves[index] if index < len(self.leaves) else self.steps[index - len(self.leaves)][0]

    def formula(self, index: int) -> str:
        """How node ``index`` is made, e.g. 'n3 = n2 - b'."""
        if index < len(self.leaves):
            return f"{self.leaves[index]} (a leaf)"
        label, op, operands = self.steps[index - len(self.leaves)]
        names = [self.label(i) for i in operands]
        if op == "neg":
            return f"{label} = -{names[0]}"
        if op.startswith("**"):
            return f"{label} = {names[0]}{op}"
        if op in ("+", "-", "*", "/"):
            return f"{label} = {names[0]} {op} {names[1]}"
        return f"{label} = {names[0]}.{op}()"

    def uses(self, index: int) -> int:
        return sum(operands.count(index) for _, _, operands in self.steps)


COURSE_GRAPH = _Recipe(("a", "b", "c", "f"), (("e", "*", (0, 1)), ("d", "+", (4, 2)), ("L", "*", (5, 3))))
COURSE_DATA = [2.0, -3.0, 10.0, -2.0]  # the course's L = (a*b + c) * f = -8
SHARED_B = _Recipe(("a", "b", "c"), (("s", "+", (0, 1)), ("t", "-", (1, 2)), ("L", "*", (3, 4))))
SQUARE_PLUS = _Recipe(("x",), (("x*x", "*", (0, 0)), ("y", "+", (1, 0))))  # x*x + x: x is used three times


def _draw(rng: random.Random, low: float = -3.0, high: float = 3.0) -> float:
    return round(rng.uniform(low, high), 2)


def _away(rng: random.Random, low: float = 0.5, high: float = 2.5) -> float:
    """A number whose size is between low and high, of either sign: safe to divide by."""
    return round(rng.uniform(low, high), 2) * rng.choice((-1.0, 1.0))


def _random_recipe(rng: random.Random, n_leaves: int = 3, n_steps: int = 5) -> _Recipe:
    """A random graph in which every step uses the one before (so all are reached from the last)
    and often an earlier node again (so nodes are shared). Divisors are leaves, which ``_away`` keeps
    away from zero; at most one square, so that numbers stay readable."""
    leaves = tuple("abcdefgh"[:n_leaves])
    steps = []
    squared = False
    for k in range(n_steps):
        index = n_leaves + k
        op = rng.choice(("+", "-", "*", "/", "neg", "**2", "+", "*"))
        if op == "**2" and squared:
            op = "*"
        squared = squared or op == "**2"
        first = index - 1 if k > 0 else rng.randrange(n_leaves)
        if op == "neg" or op.startswith("**"):
            operands: tuple[int, ...] = (first,)
        elif op == "/":
            operands = (first, rng.randrange(n_leaves))
        else:
            other = rng.randrange(n_leaves) if rng.random() < 0.6 else rng.randrange(index)
            operands = (first, other) if rng.random() < 0.5 else (other, first)
        steps.append((f"n{k + 1}", op, operands))
    return _Recipe(leaves, tuple(steps))


def _twin_grads(recipe: _Recipe, data: list[float]) -> list[float]:
    """Every node's gradient, by the package's backward() on a fresh copy of the graph."""
    twin = recipe.build(backprop.Value, data)
    twin[-1].backward()
    return [node.grad for node in twin]


def _graphs_for(rng: random.Random, cls: type, count: int) -> list[tuple[str, _Recipe, list]]:
    """The course graph, x*x + x, and ``count`` random graphs, each as (description, recipe, nodes)."""
    cases = [
        ("the course's graph L = (a*b + c) * f", COURSE_GRAPH, COURSE_DATA),
        ("y = x*x + x", SQUARE_PLUS, [1.5]),
    ]
    for _ in range(count):
        recipe = _random_recipe(rng)
        data = [_away(rng) for _ in recipe.leaves]
        steps = range(len(recipe.leaves), len(recipe.leaves) + len(recipe.steps))
        cases.append((f"the random graph {'; '.join(recipe.formula(i) for i in steps)}", recipe, data))
    return [(text, recipe, data, recipe.build(cls, data)) for text, recipe, data in cases]


# ================================================================ 01 · the value graph

GraphValue = graph.Value


def _expect_node(node: graph.Value, op: str, children: tuple, name: str, formula: str) -> None:
    if node.op != op:
        made = f"made by {node.op!r}" if node.op else "a leaf with no history"
        _wrong(f"{name} should be {formula} (made by {op!r}), but it is {made}")
    if len(node.children) == len(children) and all(x is y for x, y in zip(node.children, children)):
        return
    if len(node.children) == len(children) and all(x is y for x, y in zip(node.children, reversed(children))):
        _wrong(f"{name}'s children are in the wrong order: write {formula}, in that order")
    _wrong(
        f"{name}'s children are not {', '.join(_name(c) for c in children)} themselves: compute {formula} "
        f"from the Values you were given, not from new Values made from their numbers"
    )


@_task("01_value_graph", "1", "Build an expression")
def task_01_1(build_expression: Callable) -> str:
    """build_expression(a, b, c) returns L = (a + b) * (b - c) with s = a + b and t = b - c, labelled s, t, L."""
    rng = random.Random(101)
    cases = [(2.0, -3.0, 10.0)] + [(_draw(rng), _draw(rng), _draw(rng)) for _ in range(3)]
    for a_data, b_data, c_data in cases:
        a, b, c = GraphValue(a_data, label="a"), GraphValue(b_data, label="b"), GraphValue(c_data, label="c")
        given = f"a={_fmt(a_data)}, b={_fmt(b_data)}, c={_fmt(c_data)}"
        L = _value(_call(build_expression, a, b, c), f"what build_expression({given}) returned")
        if L.op != "*" or len(L.children) != 2:
            _wrong(
                f"L is made by {L.op!r}, expected '*': the last step multiplies s = a + b by t = b - c"
                if L.op
                else "L has no history (no children, no op): build it from a, b and c with + - *, "
                "not as a new Value made from a number"
            )
        s, t = L.children
        _expect_node(s, "+", (a, b), "s (L's first child)", "a + b")
        _expect_node(t, "-", (b, c), "t (L's second child)", "b - c")
        expected = (a_data + b_data) * (b_data - c_data)
        if not _close(L.data, expected):
            _wrong(f"with {given}: L.data is {_fmt(L.data)}, expected {_fmt(expected)} = (a + b) * (b - c)")
        for node, label, what in ((s, "s", "the sum a + b"), (t, "t", "the difference b - c"), (L, "L", "the result")):
            if node.label != label:
                _wrong(f"{what} is labelled {node.label!r}, expected {label!r}: set {label}.label = {label!r}")
    return "L = (a + b) * (b - c) has the right data, children, ops and labels on 4 inputs; b is one node that s and t share."


@_task("01_value_graph", "2", "Average a list of Values")
def task_01_2(mean: Callable) -> str:
    """mean(values) returns the mean of a list of Values, as a Value built from them."""
    rng = random.Random(102)
    for n in (1, 2, 3, 5, rng.randint(6, 9)):
        data = [_draw(rng) for _ in range(n)]
        values = [GraphValue(x, label=f"x{i}") for i, x in enumerate(data, 1)]
        result = _value(_call(mean, list(values)), f"the mean of {_count(n, 'Value')}")
        expected = math.fsum(data) / n
        if not _close(result.data, expected):
            hint = ""
            if _close(result.data, math.fsum(data)) and n > 1:
                hint = ": that is their sum; divide it by how many there are"
            elif n > 1 and _close(result.data, math.fsum(data) / (n - 1)):
                hint = ": divide by len(values), not len(values) - 1"
            _wrong(f"the mean of {_fmt_all(data)} came out as {_fmt(result.data)}, expected {_fmt(expected)}{hint}")
        reached = set(_nodes(result))
        missing = [v for v in values if v not in reached]
        if missing:
            _wrong(
                f"for {_count(n, 'Value')}, the result's graph does not reach {_name(missing[0])}: build the mean "
                f"from the Values themselves with + and / (a Value made from a plain number, such as "
                f"Value(total), forgets where the number came from)"
            )
    return "mean gives the right Value for lists of 1 to 9 Values, and its graph reaches every one of them."


@_task("01_value_graph", "3", "Find the leaves")
def task_01_3(leaves: Callable) -> str:
    """leaves(root) lists every leaf of the graph (a Value with no children) exactly once."""
    rng = random.Random(103)
    a = GraphValue(3.0, label="a")
    constants = 2 * a + 1
    constants.label = "y"
    lone = GraphValue(4.0, label="v")
    cases = [
        ("L = (a + b) * (b - c)", SHARED_B.build(GraphValue, [2.0, -3.0, 10.0])[-1]),
        ("y = x*x + x", SQUARE_PLUS.build(GraphValue, [1.5])[-1]),
        ("y = 2 * a + 1", constants),
        ("a single Value v", lone),
    ]
    for _ in range(2):
        recipe = _random_recipe(rng)
        nodes = recipe.build(GraphValue, [_away(rng) for _ in recipe.leaves])
        cases.append(("a random graph ending in " + recipe.formula(len(nodes) - 1), nodes[-1]))
    for text, root in cases:
        expected = [node for node in _nodes(root) if not node.children]
        found = _items(_call(leaves, root), f"what leaves returned for {text}")
        for item in found:
            if not isinstance(item, graph.Value):
                _wrong(f"for {text}, leaves returned {_describe(item)} in its list: list the leaf Values themselves")
        for item in found:
            count = sum(other is item for other in found)
            if count > 1:
                _wrong(
                    f"for {text}, {_name(item)} appears {count} times: a Value that is used twice is still one "
                    f"node; remember the nodes you have seen and visit each once"
                )
        for item in found:
            if item.children:
                _wrong(f"for {text}, your list holds {_name(item)}, which is not a leaf: it is made by {item.op!r}")
        for leaf in expected:
            if not any(item is leaf for item in found):
                hint = (
                    ": a plain number in an expression (the 2 in 2 * a) becomes a leaf Value too"
                    if not leaf.label
                    else ": walk into every child of every node you visit"
                )
                _wrong(f"for {text}, {_name(leaf)} is missing{hint}")
    return f"leaves found every leaf exactly once in {len(cases)} graphs, constants and shared nodes included."


_OP_WORDS = {"+": "plus", "-": "minus", "*": "times", "/": "divided by"}


def _recompute_cases(rng: random.Random) -> list[tuple[_Recipe, list[float], list[float]]]:
    cases = [(SHARED_B, [2.0, -3.0, 10.0], [1.0, -3.0, 10.0])]
    for _ in range(4):
        recipe = _random_recipe(rng)
        cases.append((recipe, [_away(rng) for _ in recipe.leaves], [_away(rng) for _ in recipe.leaves]))
    return cases


@_task("01_value_graph", "4", "Recompute after a change")
def task_01_4(recompute: Callable) -> str:
    """recompute(root): after some leaves' data changed, bring every node's data up to date."""
    rng = random.Random(104)
    cases = _recompute_cases(rng)
    for recipe, before, after in cases:
        nodes = recipe.build(GraphValue, before)
        for leaf, x in zip(nodes, after):
            leaf.data = x
        stale = [node.data for node in nodes]
        _call(recompute, nodes[-1])
        truth = recipe.build(GraphValue, after)
        changed = ", ".join(f"{name}={_fmt(x)}" for name, x in zip(recipe.leaves, after))
        for index, (node, twin) in enumerate(zip(nodes, truth)):
            if index < len(recipe.leaves):
                if node.data != twin.data:
                    _wrong(f"recompute changed the leaf {_name(node)} (to {_fmt(node.data)}): only nodes made by an op change")
                continue
            if not _close(node.data, twin.data):
                op = recipe.steps[index - len(recipe.leaves)][1]
                if _close(node.data, stale[index]):
                    hint = ": it still holds its old value; recompute the nodes below the root too, children first"
                elif op in _OP_WORDS:
                    hint = f": for {op!r} it is the first child's data {_OP_WORDS[op]} the second child's data"
                else:
                    hint = ": for 'neg' it is minus the child's data, for '**k' the child's data to the power k"
                _wrong(
                    f"after the leaves became {changed}, {recipe.formula(index)} holds {_fmt(node.data)}, "
                    f"expected {_fmt(twin.data)}{hint}"
                )
    return f"recompute brought every node of {len(cases)} graphs up to date, shared nodes and all six ops included."


# ================================================================ 02 · the chain rule by hand

ChainValue = chain_rule.Value


def _backward_grads(build: Callable, *data: float) -> list[float]:
    """The gradients of ``build(*leaves)`` with respect to each leaf, by the package's backward()."""
    leaves = [activations.Value(x) for x in data]
    build(*leaves).backward()
    return [leaf.grad for leaf in leaves]


@_task("02_chain_rule_by_hand", "1", "Gradients by hand")
def task_02_1(grads_by_hand: Callable) -> str:
    """grads_by_hand(a, b, c) returns (dL/da, dL/db, dL/dc) for L = (a - b) * c**2, from formulas."""
    rng = random.Random(201)
    cases = [(2.0, -3.0, 4.0)] + [(_draw(rng), _draw(rng), _away(rng)) for _ in range(3)]
    for a, b, c in cases:
        given = f"a={_fmt(a)}, b={_fmt(b)}, c={_fmt(c)}"
        got = [_number(x, f"an entry of grads_by_hand({given})") for x in _items(_call(grads_by_hand, a, b, c), f"what grads_by_hand({given}) returned", 3)]
        expected = _backward_grads(lambda a, b, c: (a - b) * c**2, a, b, c)
        hints = (
            "L grows with a at the rate c**2: dL/da = d(a - b)/da * c**2 = c**2",
            "check the sign: b enters L through a - b, and d(a - b)/db = -1",
            "dL/dc = (a - b) * d(c**2)/dc, and d(c**2)/dc = 2*c",
        )
        for name, value, truth, hint in zip(("dL/da", "dL/db", "dL/dc"), got, expected, hints):
            if not _close(value, truth):
                if name == "dL/dc" and _close(value, truth / 2):
                    hint = "that is half of it: d(c**2)/dc = 2*c, did you forget the 2?"
                _wrong(f"with {given}: {name} is {_fmt(value)}, expected {_fmt(truth)}: {hint}")
    return "all three gradients of L = (a - b) * c**2 match backward() on 4 inputs."


def _op_cases(rng: random.Random, cls: type, ops: tuple[str, ...]) -> list[tuple[str, list, graph.Value]]:
    """One node per op, from fresh leaves a (and b): (its formula, its children, the node)."""
    cases = []
    for op in ops:
        if op == "**0.5":
            data = [round(rng.uniform(0.5, 3.0), 2)]
        else:
            data = [_away(rng), _away(rng)] if op in ("+", "-", "*", "/") else [_away(rng)]
        children = [cls(x, label=name) for name, x in zip("ab", data)]
        node = _apply(op, children)
        node.label = "n"
        formula = _Recipe(("a", "b")[: len(children)], (("n", op, tuple(range(len(children)))),)).formula(len(children))
        cases.append((f"{formula} with {', '.join(f'{c.label}={_fmt(c.data)}' for c in children)}", children, node))
    return cases


def _slope(op: str, data: list[float], i: int) -> float:
    """d(op)/d(input i) at ``data`` by a central difference on plain floats: independent of local_grads."""
    h = 1e-6 * max(1.0, abs(data[i]))

    def at(x: float) -> float:
        nudged = list(data)
        nudged[i] = x
        return _apply(op, [activations.Value(v) for v in nudged]).data

    return (at(data[i] + h) - at(data[i] - h)) / (2 * h)


@_task("02_chain_rule_by_hand", "2", "One chain-rule step")
def task_02_2(chain_rule_step: Callable) -> str:
    """chain_rule_step(node): with node.grad known, set each child's grad to its local derivative times node.grad."""
    rng = random.Random(202)
    for text, children, node in _op_cases(rng, ChainValue, ("+", "-", "*", "/", "neg", "**2", "**3")):
        g = _away(rng, 1.5, 3.0)
        node.grad = g
        data_before = node.data
        _call(chain_rule_step, node)
        if node.grad != g or node.data != data_before:
            _wrong(f"for {text}: chain_rule_step changed n itself (n.grad or n.data); it should change only n's children")
        for i, child in enumerate(children):
            local = _slope(node.op, [c.data for c in children], i)
            expected = local * g
            if not _close(child.grad, expected, rel=1e-5, abs_tol=1e-6):
                if child.grad == 0.0:
                    hint = f"{child.label}.grad is still 0.0: set it"
                elif _close(child.grad, g):
                    hint = f"you copied n.grad; multiply it by the local derivative dn/d{child.label} too"
                elif _close(child.grad, local, rel=1e-5):
                    hint = "that is the local derivative alone; multiply it by n.grad"
                else:
                    hint = f"{child.label}.grad = (dn/d{child.label}) * n.grad, and n.local_grads holds each dn/dchild in the order of n.children"
                _wrong(f"for {text} and n.grad = {_fmt(g)}: {child.label}.grad is {_fmt(child.grad)}, expected {_fmt(expected)}: {hint}")
    nodes = COURSE_GRAPH.build(ChainValue, COURSE_DATA)
    nodes[-1].grad = 1.0
    for index in (6, 5, 4):  # L, d, e: each node after everything that uses it
        _call(chain_rule_step, nodes[index])
    for node, expected in zip(nodes, _twin_grads(COURSE_GRAPH, COURSE_DATA)):
        if not _close(node.grad, expected):
            _wrong(f"on the course's graph, stepping from L through d and e gives {node.label}.grad = {_fmt(node.grad)}, expected {_fmt(expected)}")
    return "chain_rule_step is right for + - * / neg **2 **3, and stepping through the course's graph gives dL/db = -4.0."


@_task("02_chain_rule_by_hand", "3", "A central difference")
def task_02_3(central_difference: Callable) -> str:
    """central_difference(f, x, h=1e-5) returns (f(x + h) - f(x - h)) / (2h)."""
    rng = random.Random(203)
    functions = [
        ("x**3", lambda x: x**3, lambda x: 3 * x**2, round(rng.uniform(0.5, 2.0), 2), 1e-3),
        ("sin(x)", math.sin, math.cos, _draw(rng), 1e-4),
        ("exp(x)", math.exp, math.exp, _draw(rng, -2.0, 2.0), 1e-4),
        ("1/x", lambda x: 1 / x, lambda x: -1 / x**2, _away(rng, 0.5, 2.0), 1e-4),
        ("x**3", lambda x: x**3, lambda x: 3 * x**2, 2.0, None),  # with the default h
    ]
    for text, f, slope, x, h in functions:
        args = (f, x) if h is None else (f, x, h)
        with_h = "with the default h" if h is None else f"with h={h:g}"
        got = _number(_call(central_difference, *args), f"central_difference for {text} at x={_fmt(x)}")
        truth = slope(x)
        step = 1e-5 if h is None else h
        if not _close(got, truth, rel=1e-5, abs_tol=1e-5):
            forward = (f(x + step) - f(x)) / step
            if _close(got, forward, rel=1e-9, abs_tol=1e-12):
                hint = "that is the one-sided difference (f(x + h) - f(x)) / h; use f(x + h) and f(x - h)"
            elif _close(got, 2 * truth, rel=1e-4):
                hint = "that is twice the slope: divide by 2h, the distance from x - h to x + h"
            elif _close(got, truth / 2, rel=1e-4):
                hint = "that is half the slope: divide by 2*h, not by 4*h"
            else:
                hint = "the central difference is (f(x + h) - f(x - h)) / (2*h)"
            _wrong(f"for f(x) = {text} at x={_fmt(x)} {with_h}: you got {_fmt(got)}, the slope is {_fmt(truth)}: {hint}")
    return "central_difference matches the exact slope of x**3, sin, exp and 1/x to within its h**2 error."


@_task("02_chain_rule_by_hand", "4", "A numerical gradient")
def task_02_4(numerical_gradient: Callable) -> str:
    """numerical_gradient(f, inputs, h=1e-5): the partial derivative of f for each input, one nudge at a time."""
    rng = random.Random(204)
    functions = [
        ("(v[0] - v[1]) * v[2]**2", lambda v: (v[0] - v[1]) * v[2] ** 2, lambda v: [v[2] ** 2, -v[2] ** 2, 2 * v[2] * (v[0] - v[1])], 3),
        ("v[0]*v[1] + v[1]*v[2] + v[2]*v[3]", lambda v: v[0] * v[1] + v[1] * v[2] + v[2] * v[3], lambda v: [v[1], v[0] + v[2], v[1] + v[3], v[2]], 4),
        ("exp(v[0]) * v[1]", lambda v: math.exp(v[0]) * v[1], lambda v: [math.exp(v[0]) * v[1], math.exp(v[0])], 2),
        ("v[0]**3", lambda v: v[0] ** 3, lambda v: [3 * v[0] ** 2], 1),
    ]
    for text, f, gradient, n in functions:
        inputs = [_draw(rng, -2.0, 2.0) for _ in range(n)]
        given = list(inputs)
        got = _items(_call(numerical_gradient, f, inputs), f"numerical_gradient for f(v) = {text}", n)
        got = [_number(x, f"an entry of numerical_gradient for f(v) = {text}") for x in got]
        if any(not _close(x, y, rel=0.0, abs_tol=1e-12) for x, y in zip(inputs, given)):
            _wrong(f"numerical_gradient changed the list it was given (from {_fmt_all(given)} to {_fmt_all(inputs)}): nudge a copy, e.g. list(inputs)")
        truth = gradient(given)
        for i, (value, expected) in enumerate(zip(got, truth)):
            if not _close(value, expected, rel=1e-5, abs_tol=1e-5):
                if all(v == 0.0 for v in got):
                    hint = "every entry is 0.0: f saw the same inputs twice; nudge two separate copies of inputs, one up and one down"
                elif n > 1 and all(_close(v, got[0], rel=1e-9) for v in got):
                    hint = "every entry is the same: nudge one input at a time and keep the others as they are"
                elif _close(value, 2 * expected, rel=1e-4):
                    hint = "that is twice it: divide by 2h"
                else:
                    hint = f"entry {i} is (f(v with v[{i}] + h) - f(v with v[{i}] - h)) / (2h), the other inputs unchanged"
                _wrong(f"for f(v) = {text} at v = {_fmt_all(given)}: entry {i} is {_fmt(value)}, expected {_fmt(expected)}: {hint}")
    return "numerical_gradient matches the exact partial derivatives of 4 functions of 1 to 4 inputs, and leaves its input alone."


# ================================================================ 03 · backward

BackpropValue = backprop.Value

_LOCAL_HINTS = {
    "+": "d(a + b)/da = 1 and d(a + b)/db = 1",
    "-": "d(a - b)/da = 1 and d(a - b)/db = -1",
    "*": "each factor's local derivative is the other factor: d(a*b)/da = b",
    "/": "d(a / b)/da = 1 / b and d(a / b)/db = -a / b**2",
    "neg": "d(-a)/da = -1",
    "**": "d(a**k)/da = k * a**(k - 1), where k = float(node.op[2:])",
}


@_task("03_backward", "1", "Local derivatives")
def task_03_1(local_derivatives: Callable) -> str:
    """local_derivatives(node) returns d(node)/d(child) for each child, from node.op and the children's data."""
    rng = random.Random(301)
    ops = ("+", "-", "*", "/", "neg", "**2", "**3", "**-1", "**0.5")
    cases = _op_cases(rng, BackpropValue, ops) + _op_cases(rng, BackpropValue, ops)
    for text, children, node in cases:
        expected = node.local_grads
        node.local_grads = ()  # hidden: the task is to work them out
        got = _call(local_derivatives, node)
        node.local_grads = expected
        if isinstance(got, (tuple, list)) and not got:
            _wrong(f"for {text}: you returned an empty {type(got).__name__}; the check hides node.local_grads, so work each derivative out from node.op and the children's data")
        got = [_number(x, f"an entry of local_derivatives for {text}") for x in _items(got, f"what local_derivatives returned for {text}", len(children))]
        if not all(_close(x, y) for x, y in zip(got, expected)):
            hint = _LOCAL_HINTS["**" if node.op.startswith("**") else node.op]
            _wrong(f"for {text}: your local derivatives are {_fmt_all(got)}, expected {_fmt_all(expected)}: {hint}")
    return f"local_derivatives is right for every op ({', '.join(ops)}), twice each on random inputs."


@_task("03_backward", "2", "Backward on a new graph")
def task_03_2(grads_of: Callable) -> str:
    """grads_of(x, y) builds f = (x*y + y)**2 - x from Values, calls backward() and returns (df/dx, df/dy)."""
    rng = random.Random(304)
    cases = [(2.0, -3.0)] + [(_draw(rng, -2.0, 2.0), _draw(rng, -2.0, 2.0)) for _ in range(3)]
    for x, y in cases:
        given = f"x={_fmt(x)}, y={_fmt(y)}"
        got = _items(_call(grads_of, x, y), f"what grads_of({given}) returned", 2)
        got = [_number(v, f"an entry of grads_of({given})") for v in got]
        inner = x * y + y
        expected = [2 * inner * y - 1, 2 * inner * (x + 1)]  # worked out by hand
        for name, value, truth in zip(("df/dx", "df/dy"), got, expected):
            if not _close(value, truth):
                if value == 0.0:
                    hint = "call f.backward() before you read the grads"
                elif _close(value, 2 * truth):
                    hint = "that is exactly twice it: every backward() call adds its gradients, so call it once"
                else:
                    hint = "build f = (x*y + y)**2 - x from Values x and y, call f.backward(), then read x.grad and y.grad"
                _wrong(f"with {given}: {name} is {_fmt(value)}, expected {_fmt(truth)}: {hint}")
    return "grads_of matches the hand-derived df/dx = 2(xy + y)y - 1 and df/dy = 2(xy + y)(x + 1) on 4 inputs."


@_task("03_backward", "3", "Topological order")
def task_03_3(topo_order: Callable) -> str:
    """topo_order(root) lists every node of the graph once, each after all of its children."""
    rng = random.Random(302)
    chain = BackpropValue(0.5, label="x0")
    for i in range(1, 31):
        chain = chain + 1.0
        chain.label = f"x{i}"
    cases = [(text, nodes[-1]) for text, _, _, nodes in _graphs_for(rng, BackpropValue, 3)]
    cases += [("a chain of 30 additions", chain), ("a single Value v", BackpropValue(1.0, label="v"))]
    for text, root in cases:
        expected = _nodes(root)
        order = _items(_call(topo_order, root), f"what topo_order returned for {text}")
        for item in order:
            if not isinstance(item, graph.Value):
                _wrong(f"for {text}, topo_order returned {_describe(item)} in its list: list the nodes (Values) themselves")
            count = sum(other is item for other in order)
            if count > 1:
                _wrong(f"for {text}, {_name(item)} appears {count} times: remember which nodes you have visited and visit each once")
        members = set(order)
        for node in expected:
            if node not in members:
                _wrong(f"for {text}, {_name(node)} is missing: visit every child of every node")
        if len(order) != len(expected):
            stranger = next(item for item in order if item not in set(expected))
            _wrong(f"for {text}, your list holds {_name(stranger)}, which is not in this graph")
        position = {node: i for i, node in enumerate(order)}
        for node in order:
            for child in node.children:
                if position[child] > position[node]:
                    _wrong(
                        f"for {text}, {_name(node)} comes before its child {_name(child)}: add a node to the "
                        f"list only after all of its children are in it"
                    )
    return f"topo_order puts every node after its children, each once, in {len(cases)} graphs (a 31-node chain included)."


@_task("03_backward", "4", "Your own backward")
def task_03_4(my_backward: Callable) -> str:
    """my_backward(root) fills in every node's grad (all start at 0.0), like root.backward()."""
    rng = random.Random(303)
    cases = _graphs_for(rng, BackpropValue, 3)
    for text, recipe, data, nodes in cases:
        root = nodes[-1]
        _call(my_backward, root)
        expected = _twin_grads(recipe, data)
        if not _close(root.grad, 1.0):
            _wrong(f"for {text}: the root's grad is {_fmt(root.grad)}, expected 1.0: start with root.grad = 1.0 (d root / d root = 1)")
        for index in reversed(range(len(nodes))):  # from the root down: the first wrong node is the informative one
            node, truth = nodes[index], expected[index]
            if not _close(node.grad, truth):
                if recipe.uses(index) > 1:
                    hint = f"{node.label} is used {recipe.uses(index)} times: add each use's share (+=), do not overwrite it (=)"
                else:
                    hint = "visit the nodes in reverse topological order (the root first), so that a node's grad is complete before it passes it on"
                _wrong(f"for {text}: {node.label}.grad is {_fmt(node.grad)}, expected {_fmt(truth)}: {hint}")
    return f"my_backward gives every node the same grad as backward() in {len(cases)} graphs, shared nodes included."


# ================================================================ 04 · a neuron

NeuronValue = activations.Value


def _check_activation(
    function: Callable, name: str, truth: Callable[[float], NeuronValue], banned: str, hints: Callable, seed: int
) -> int:
    """Check that ``function(x)`` is a Value with ``truth``'s data and gradient, built without ``banned``."""
    rng = random.Random(seed)
    points = [0.5, -1.2, 0.0] + [_draw(rng) for _ in range(3)]
    for point in points:
        x = NeuronValue(point, label="x")
        out = _value(_call(function, x), f"what {name}(x) returned for x={_fmt(point)}")
        made = _nodes(out)
        if any(node.op == banned for node in made):
            _wrong(f"{name} calls .{banned}() itself: build it from .exp(), + - * / and numbers")
        if not any(node is x for node in made):
            _wrong(f"the result of {name}(x) does not depend on x: build it from x with Value operations, not from math.* on x.data")
        expected = truth(point)
        if not _close(out.data, expected.data, rel=1e-9, abs_tol=1e-12):
            _wrong(f"{name}(x) at x={_fmt(point)} is {_fmt(out.data)}, expected {_fmt(expected.data)}{hints(point, out.data)}")
        out.backward()
        slope = expected.local_grads[0]
        if not _close(x.grad, slope, rel=1e-7, abs_tol=1e-9):
            _wrong(f"after backward(), x.grad at x={_fmt(point)} is {_fmt(x.grad)}, expected {_fmt(slope)}: every step must be a Value operation")
    return len(points)


@_task("04_a_neuron", "1", "tanh through exp")
def task_04_1(tanh_via_exp: Callable) -> str:
    """tanh_via_exp(x) builds tanh(x) = (e**2x - 1) / (e**2x + 1) from Value operations."""

    def hints(x: float, got: float) -> str:
        if _close(got, math.tanh(x / 2)):
            return ": that is tanh(x/2); the exponent is 2x, i.e. (2 * x).exp()"
        if _close(got, -math.tanh(x)):
            return ": the sign is flipped; tanh(x) = (e**2x - 1) / (e**2x + 1)"
        return ""

    count = _check_activation(tanh_via_exp, "tanh_via_exp", lambda x: NeuronValue(x).tanh(), "tanh", hints, seed=401)
    return f"tanh_via_exp matches tanh and its slope 1 - tanh(x)**2 at {count} points."


@_task("04_a_neuron", "2", "sigmoid through exp")
def task_04_2(sigmoid_via_exp: Callable) -> str:
    """sigmoid_via_exp(x) builds 1 / (1 + e**-x) from Value operations."""

    def hints(x: float, got: float) -> str:
        if _close(got, NeuronValue(-x).sigmoid().data):
            return ": that is sigmoid(-x); the exponent is -x, i.e. (-x).exp()"
        return ""

    count = _check_activation(sigmoid_via_exp, "sigmoid_via_exp", lambda x: NeuronValue(x).sigmoid(), "sigmoid", hints, seed=402)
    return f"sigmoid_via_exp matches the sigmoid and its slope at {count} points."


@_task("04_a_neuron", "3", "The sigmoid's slope by hand")
def task_04_3(sigmoid_slope: Callable) -> str:
    """sigmoid_slope(x) returns d sigmoid(x) / dx for a plain number x, from a formula."""
    rng = random.Random(403)
    for x in [0.0, 2.0, -1.0] + [_draw(rng, -4.0, 4.0) for _ in range(3)]:
        got = _number(_call(sigmoid_slope, x), f"sigmoid_slope({_fmt(x)})")
        node = NeuronValue(x).sigmoid()
        s, expected = node.data, node.local_grads[0]
        if not _close(got, expected):
            hint = ""
            if _close(got, 1 - s * s):
                hint = ": 1 - s**2 is tanh's slope; the sigmoid's is s * (1 - s)"
            elif _close(got, s):
                hint = ": that is the sigmoid itself, not its slope"
            elif _close(got, s * (1 + s)):
                hint = ": check the sign: s * (1 - s)"
            else:
                hint = ": the slope is s * (1 - s), where s = 1 / (1 + e**-x)"
            _wrong(f"sigmoid_slope({_fmt(x)}) is {_fmt(got)}, expected {_fmt(expected)}{hint}")
    return "sigmoid_slope matches the sigmoid's slope s * (1 - s) at 6 points."


def _neuron_case(rng: random.Random, n: int) -> tuple[list[float], list[float], float]:
    return [_draw(rng) for _ in range(n)], [_draw(rng, -1.0, 1.0) for _ in range(n)], _draw(rng, -1.0, 1.0)


def _twin_neuron(x: list[float], w: list[float], b: float) -> tuple[Neuron, NeuronValue]:
    """The package's sigmoid Neuron with weights w and bias b, run on x and backpropagated."""
    neuron = Neuron(len(w), activation="sigmoid")
    for weight, value in zip(neuron.w, w):
        weight.data = value
    neuron.b.data = b
    out = neuron(x)
    out.backward()
    return neuron, out


@_task("04_a_neuron", "4", "A sigmoid neuron")
def task_04_4(sigmoid_neuron: Callable) -> str:
    """sigmoid_neuron(x, w, b) returns sigmoid(w1*x1 + ... + wn*xn + b) as a Value built from x, w and b."""
    rng = random.Random(404)
    cases = [([1.0, 2.0], [3.0, -1.0], 1.0)] + [_neuron_case(rng, n) for n in (1, 3, 4)]
    for x_data, w_data, b_data in cases:
        x = [NeuronValue(v, label=f"x{i}") for i, v in enumerate(x_data, 1)]
        w = [NeuronValue(v, label=f"w{i}") for i, v in enumerate(w_data, 1)]
        b = NeuronValue(b_data, label="b")
        given = f"x={_fmt_all(x_data)}, w={_fmt_all(w_data)}, b={_fmt(b_data)}"
        out = _value(_call(sigmoid_neuron, x, w, b), f"what sigmoid_neuron returned for {given}")
        twin, expected = _twin_neuron(x_data, w_data, b_data)
        if not _close(out.data, expected.data):
            n = math.fsum(wi * xi for wi, xi in zip(w_data, x_data)) + b_data
            hint = ""
            if _close(out.data, n):
                hint = ": that is w·x + b before the activation; apply the sigmoid to it"
            elif _close(out.data, NeuronValue(n - b_data).sigmoid().data):
                hint = ": you left out the bias b"
            elif _close(out.data, math.tanh(n)):
                hint = ": that is tanh; this neuron's activation is the sigmoid"
            else:
                hint = ": out = sigmoid(w1*x1 + ... + wn*xn + b), each weight times the input at the same position"
            _wrong(f"with {given}: the output is {_fmt(out.data)}, expected {_fmt(expected.data)}{hint}")
        out.backward()
        for mine, truth in zip((*w, b), (*twin.w, twin.b)):
            if not _close(mine.grad, truth.grad):
                _wrong(
                    f"with {given}: after backward(), {mine.label}.grad is {_fmt(mine.grad)}, expected "
                    f"{_fmt(truth.grad)}: build the output from the Values w, x and b themselves, with Value operations"
                )
    return "sigmoid_neuron gives the package Neuron's output, and backward() reaches every weight and the bias with the same gradients, for 1 to 4 inputs."


@_task("04_a_neuron", "5", "A neuron's gradients by hand")
def task_04_5(neuron_grads_by_hand: Callable) -> str:
    """neuron_grads_by_hand(x, w, b) returns ([d out/d w_i], d out/d b) for a sigmoid neuron, from formulas."""
    rng = random.Random(405)
    cases = [([1.0, 2.0], [3.0, -1.0], 1.0)] + [_neuron_case(rng, n) for n in (1, 3, 4)]
    for x, w, b in cases:
        given = f"x={_fmt_all(x)}, w={_fmt_all(w)}, b={_fmt(b)}"
        got = _items(_call(neuron_grads_by_hand, list(x), list(w), b), f"what neuron_grads_by_hand({given}) returned", 2)
        dw = [_number(v, "an entry of d out/d w") for v in _items(got[0], f"the first item (the list of d out/d w_i) for {given}", len(w))]
        db = _number(got[1], f"the second item (d out/d b) for {given}")
        twin, out = _twin_neuron(x, w, b)
        expected_dw, expected_db = [weight.grad for weight in twin.w], twin.b.grad
        slope = out.data * (1 - out.data)
        for i, (value, truth) in enumerate(zip(dw, expected_dw)):
            if not _close(value, truth):
                if _close(value, x[i]):
                    hint = "that is dn/dw alone; multiply by the sigmoid's slope s * (1 - s), where s is the output"
                elif _close(value, slope * w[i]):
                    hint = f"dn/dw{i + 1} is x{i + 1}, the input that w{i + 1} multiplies, not w{i + 1}"
                else:
                    hint = "d out/d w_i = s * (1 - s) * x_i, where s is the neuron's output"
                _wrong(f"with {given}: d out/d w{i + 1} is {_fmt(value)}, expected {_fmt(truth)}: {hint}")
        if not _close(db, expected_db):
            _wrong(f"with {given}: d out/d b is {_fmt(db)}, expected {_fmt(expected_db)}: dn/db = 1, so d out/d b = s * (1 - s)")
    return "neuron_grads_by_hand matches backward() through the package's sigmoid Neuron for 1 to 4 inputs."


# ================================================================ 05 · an MLP


def _neurons_of(layer: Any, what: str) -> list:
    neurons = getattr(layer, "neurons", None)
    if not isinstance(neurons, (list, tuple)):
        _wrong(f"{what} has no list `neurons`: keep the layer's neurons in self.neurons")
    for neuron in neurons:
        if not isinstance(neuron, Neuron):
            _wrong(f"{what}.neurons holds {_describe(neuron)}: it should hold Neuron objects")
    return list(neurons)


def _forward_by_hand(neuron: Neuron, x: list[float]) -> float:
    """One neuron's output from its numbers, in plain floats: independent of its __call__."""
    z = math.fsum(w.data * xi for w, xi in zip(neuron.w, x)) + neuron.b.data
    return {"tanh": math.tanh, "linear": lambda v: v}.get(neuron.activation, lambda v: math.nan)(z)


def _check_parameters(model: Any, neurons: list, what: str) -> None:
    params = _items(_call(model.parameters, name=f"{what}.parameters"), f"what {what}.parameters() returned")
    for p in params:
        if not isinstance(p, graph.Value):
            hint = ": flatten it into one list of Values" if isinstance(p, (list, tuple)) else ""
            _wrong(f"{what}.parameters() holds {_describe(p)}{hint}")
    expected = [p for neuron in neurons for p in neuron.parameters()]
    if len(params) != len(expected) or {id(p) for p in params} != {id(p) for p in expected}:
        _wrong(
            f"{what}.parameters() has {len(params)} Values, expected the {len(expected)} weights and biases "
            f"of its neurons, each once"
        )


@_task("05_an_mlp", "1", "A layer")
def task_05_1(MyLayer: Callable) -> str:
    """MyLayer(nin, nout, seed=0): nout tanh neurons in self.neurons, each reading all nin inputs."""
    rng = random.Random(501)
    for nin, nout, seed in ((3, 4, 0), (2, 1, 5), (rng.randint(1, 4), rng.randint(2, 5), rng.randint(1, 99))):
        what = f"MyLayer({nin}, {nout}, seed={seed})"
        layer = _call(MyLayer, nin, nout, seed)
        neurons = _neurons_of(layer, what)
        if len(neurons) != nout or any(len(n.w) != nin for n in neurons):
            _wrong(
                f"{what} has {_count(len(neurons), 'neuron')} with {[len(n.w) for n in neurons]} weights; "
                f"expected {_count(nout, 'neuron')} with {_count(nin, 'weight')} each"
            )
        if any(n.activation != "tanh" for n in neurons):
            _wrong(f"{what}'s neurons use {sorted({n.activation for n in neurons})}: this layer's neurons use tanh")
        weights = [tuple(w.data for w in n.w) for n in neurons]
        if nout > 1 and len(set(weights)) == 1:
            _wrong(
                f"all {nout} neurons of {what} have the same weights, so they would all learn the same thing: "
                f"make one random.Random(seed) and pass that same generator to every Neuron"
            )
        again = _neurons_of(_call(MyLayer, nin, nout, seed), what)
        if [tuple(w.data for w in n.w) for n in again] != weights:
            _wrong(f"two layers made as {what} have different weights: draw them from random.Random(seed), not from the random module itself")
        x = [_draw(rng) for _ in range(nin)]
        out = _call(layer, x, name=f"{what}(x)")
        if isinstance(out, graph.Value):
            _wrong(f"{what}(x) returned a single Value: a layer always returns a list (here of {nout}), so that the next layer can read it")
        out = _items(out, f"what {what}(x) returned", nout)
        for i, (value, neuron) in enumerate(zip(out, neurons)):
            value = _value(value, f"output {i} of {what}(x)")
            if not _close(value.data, _forward_by_hand(neuron, x)):
                _wrong(f"output {i} of {what}(x) is {_fmt(value.data)}, but neuron {i} gives {_fmt(_forward_by_hand(neuron, x))}: output i is neurons[i](x)")
        _check_parameters(layer, neurons, what)
    return "MyLayer makes distinct, reproducible neurons, returns a list of their outputs (even of one), and lists every parameter once."


@_task("05_an_mlp", "2", "An MLP")
def task_05_2(MyMLP: Callable) -> str:
    """MyMLP(nin, sizes, seed=0): layers of the given sizes in self.layers, tanh hidden layers and a linear output layer."""
    rng = random.Random(502)
    for nin, sizes, seed in ((2, [3, 1], 0), (3, [4, 4, 2], 1), (2, [16, 16, 1], 0)):
        what = f"MyMLP({nin}, {sizes}, seed={seed})"
        model = _call(MyMLP, nin, list(sizes), seed)
        layers = getattr(model, "layers", None)
        if not isinstance(layers, (list, tuple)):
            _wrong(f"{what} has no list `layers`: keep its layers in self.layers")
        if len(layers) != len(sizes):
            _wrong(f"{what} has {len(layers)} layers, expected {len(sizes)}, one per entry of sizes")
        widths = [nin, *sizes]
        all_neurons = []
        for i, layer in enumerate(layers):
            neurons = _neurons_of(layer, f"layer {i} of {what}")
            if len(neurons) != widths[i + 1] or any(len(n.w) != widths[i] for n in neurons):
                _wrong(
                    f"layer {i} of {what} has {len(neurons)} neurons with {sorted({len(n.w) for n in neurons})} inputs; "
                    f"expected {widths[i + 1]} neurons reading {widths[i]} inputs each"
                )
            wanted = "linear" if i == len(sizes) - 1 else "tanh"
            if any(n.activation != wanted for n in neurons):
                _wrong(
                    f"layer {i} of {what} uses {neurons[0].activation!r}, expected {wanted!r}"
                    + (": the output layer is linear, so that a score can go past ±1" if wanted == "linear" else "")
                )
            all_neurons.append(neurons)
        firsts = [tuple(w.data for w in neurons[0].w[:2]) for neurons in all_neurons]
        if len(firsts) > 1 and firsts[0] == firsts[1]:
            _wrong(f"every layer of {what} starts with the same weights: make one random.Random(seed) and pass it to every layer")
        x = [_draw(rng) for _ in range(nin)]
        values = x
        for neurons in all_neurons:
            values = [_forward_by_hand(neuron, values) for neuron in neurons]
        out = _call(model, x, name=f"{what}(x)")
        if sizes[-1] == 1:
            if isinstance(out, (list, tuple)):
                _wrong(f"{what}(x) returned a list: with one output, return the Value itself (out[0])")
            got = [_value(out, f"what {what}(x) returned").data]
        else:
            got = [_value(v, f"an output of {what}(x)").data for v in _items(out, f"what {what}(x) returned", sizes[-1])]
        if not all(_close(g, v) for g, v in zip(got, values)):
            _wrong(f"{what}(x) gives {_fmt_all(got)}, expected {_fmt_all(values)}: feed each layer's outputs to the next layer")
        _check_parameters(model, [n for neurons in all_neurons for n in neurons], what)
    return "MyMLP builds the right layers (tanh, then a linear output), computes the same outputs as a float forward pass, and lists all 337 parameters of MyMLP(2, [16, 16, 1])."


def _reference_losses(seed: int, X: list, y: list, steps: int, learning_rate: float, zero_grad: bool = True, direction: float = -1.0) -> list[float]:
    """The loss before each update of a fresh MLP(2, [4, 1]): the course's loop, or a variant of it with a known mistake."""
    model = MLP(2, [4, 1], seed=seed)
    losses = []
    for _ in range(steps):
        loss, _ = classification_loss(model, X, y)
        if zero_grad:
            model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += direction * learning_rate * p.grad
        losses.append(loss.data)
    return losses


@_task("05_an_mlp", "3", "A training loop")
def task_05_3(train: Callable) -> str:
    """train(model, X, y, steps, learning_rate) runs full-batch gradient descent and returns each step's loss."""
    X, y = two_moons(20, noise=0.1, seed=2)
    model = MLP(2, [4, 1], seed=3)
    got = _items(_call(train, model, X, y, 4, 0.5), "what train(model, X, y, 4, 0.5) returned", 4)
    got = [_number(v.data if isinstance(v, graph.Value) else v, "a loss in the list train returned") for v in got]
    twin = MLP(2, [4, 1], seed=3)
    expected = [training_step(twin, X, y, 0.5)[0] for _ in range(4)]
    for k, (value, truth) in enumerate(zip(got, expected)):
        if not _close(value, truth):
            if _close(value, _reference_losses(3, X, y, k + 1, 0.5, zero_grad=False)[k]):
                hint = "the usual cause: backward() adds to every grad, so call model.zero_grad() before it, on every step"
            elif _close(value, _reference_losses(3, X, y, k + 1, 0.5, direction=1.0)[k]):
                hint = "the loss grows: step against the gradient, p.data -= learning_rate * p.grad"
            elif k == 0:
                hint = "the loss of step 1 is classification_loss(model, X, y) on the untouched model"
            else:
                hint = "each step: loss, zero_grad(), backward(), then p.data -= learning_rate * p.grad for every parameter"
            _wrong(f"on two_moons(20) with MLP(2, [4, 1]) and learning rate 0.5, step {k + 1}'s loss is {_fmt(value)}, expected {_fmt(truth)}: {hint}")
    for mine, theirs in zip(model.parameters(), twin.parameters()):
        if not _close(mine.data, theirs.data):
            _wrong("the losses are right but the model's parameters are not where 4 updates take them: update the model you were given, once per step")
    X, y = two_moons(100, noise=0.1, seed=1)
    model = MLP(2, [16, 16, 1], seed=0)
    _call(train, model, X, y, 50, 0.5)
    score = accuracy([model(point) for point in X], y)
    if score < 0.95:
        _wrong(f"after train(model, X, y, 50, 0.5), MLP(2, [16, 16, 1]) classifies {score:.0%} of two_moons(100) correctly; expected at least 95%")
    return f"your loop matches training_step step for step, and 50 steps train MLP(2, [16, 16, 1]) to {score:.0%} on two_moons(100)."


def _loss_after(learning_rate: float, steps: int) -> tuple[float, float]:
    """The loss after ``steps`` updates of a fresh MLP(2, [8, 8, 1]) on two_moons(50), and the loss before the last one."""
    X, y = two_moons(50, noise=0.1, seed=1)
    model = MLP(2, [8, 8, 1], seed=0)
    before_last = math.nan
    for _ in range(steps):
        before_last, _ = training_step(model, X, y, learning_rate)
    return classification_loss(model, X, y)[0].data, before_last


@_task("05_an_mlp", "4", "A learning-rate experiment")
def task_05_4(loss_after: Callable) -> str:
    """loss_after(learning_rate, steps): the loss of a fresh MLP(2, [8, 8, 1]) on two_moons(50) after that many updates."""
    rng = random.Random(504)
    cases = [(0.1, 3), (rng.choice((0.05, 0.3, 1.0)), 2)]
    learning_rate, steps = cases[0]
    first, second = (_number(_call(loss_after, learning_rate, steps), f"loss_after({learning_rate:g}, {steps})") for _ in range(2))
    if first != second:
        _wrong(
            f"two calls of loss_after({learning_rate:g}, {steps}) gave {_fmt(first)} and then {_fmt(second)}: "
            f"make a fresh MLP(2, [8, 8, 1], seed=0) inside the function, so that every run starts from the same weights"
        )
    for learning_rate, steps in cases:
        what = f"loss_after({learning_rate:g}, {steps})"
        got = _number(_call(loss_after, learning_rate, steps), what)
        expected, before_last = _loss_after(learning_rate, steps)
        if not _close(got, expected):
            hint = ": train MLP(2, [8, 8, 1], seed=0) on two_moons(50, noise=0.1, seed=1) with training_step, as the task says"
            if _close(got, before_last):
                hint = (": that is the loss before the last update (what training_step returns); "
                        "compute classification_loss(model, X, y) once more after the loop")
            _wrong(f"{what} is {_fmt(got)}, expected {_fmt(expected)}{hint}")
    return "loss_after trains a fresh model each time and reports the loss after its last update, as the package does."
