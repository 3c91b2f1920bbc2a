"""Reading a student's answers, and writing about them in the checks' messages.

The readers (``value``, ``number``, ``items``, ``drawable``) give back what a student's function returned in the
form a check needs, or end the check with a ``Wrong`` verdict that says what came back instead.

``diagnose`` is the one place where a wrong answer becomes a hint. A check lists the mistakes it knows, each as
its hint and the number that mistake would give (or whether it is seen), and the first mistake that explains the
answer names what went wrong; ``expect_close`` is the comparison that every check makes with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from nanograd import graph
from nanograd.walk import topological_order


class Wrong(Exception):
    """Ends a check with the verdict "wrong"; the message says what differs and how to fix it."""


def wrong(message: str) -> NoReturn:
    """End the check: the answer is wrong, for the reason ``message`` gives."""
    raise Wrong(message)


# --- writing numbers and things as the messages show them


def number_text(x: Any) -> str:
    """A number as the messages show it: at most six decimals, so the same on every machine (never -0.0)."""
    if not graph.is_number(x):
        return printable(x)
    x = float(x)
    if not math.isfinite(x):
        return repr(x)
    if x != 0.0 and not 1e-4 <= abs(x) < 1e6:
        return f"{x:.6g}"
    rounded = round(x, 6)
    return repr(rounded if rounded != 0.0 else 0.0)


def numbers_text(xs: Iterable) -> str:
    """A list of numbers as the messages show it, e.g. [1.0, -0.5]."""
    return "[" + ", ".join(number_text(x) for x in xs) + "]"


def count(n: int, word: str) -> str:
    """``n`` and ``word``, plural unless n is 1: "1 neuron", "3 neurons"."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def printable(x: Any, limit: int = 60) -> str:
    """``repr(x)``, cut to ``limit`` characters; a placeholder when the student's object cannot be printed."""
    try:
        text = repr(x)
    except BaseException:  # a __repr__ of the student's that raises must not stop the check
        return f"a {type(x).__name__} that cannot be printed"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_text(error: BaseException) -> str:
    """An exception as messages show it, "ValueError: boom", even when its own message cannot be printed."""
    try:
        message = str(error)
    except BaseException:
        message = ""
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def describe(x: Any) -> str:
    """What a student gave, named for a message: "None", "the number 2.5", "the Value Value(...)", "list [...]"."""
    if x is None:
        return "None"
    if isinstance(x, graph.Value):
        return f"the Value {printable(x)}"
    if graph.is_number(x):
        return f"the number {number_text(x)}"
    return f"{type(x).__name__} {printable(x)}"


def node_name(node: graph.Value) -> str:
    """A node as messages name it: its label, else what it is ("the constant 2.0", "an unlabelled '*' node")."""
    if node.label:
        return printable(node.label)
    if not node.children:
        return f"the constant {number_text(node.data)}"
    return f"an unlabelled {node.op!r} node"


# --- reading answers: each gives back what the check needs, or ends it saying what came instead


def value(x: Any, what: str) -> graph.Value:
    """``x`` if it is a Value; else a wrong verdict that says what it is instead."""
    if isinstance(x, graph.Value):
        return x
    if x is None:
        wrong(f"{what} is None: did you forget a `return`?")
    if graph.is_number(x):
        wrong(
            f"{what} is the number {number_text(x)}, not a Value: return the Value itself (not its .data), "
            f"so that the graph it was built from stays with it"
        )
    wrong(f"{what} is {describe(x)}, but it should be a Value")


def number(x: Any, what: str) -> float:
    """``x`` as a float if it is a finite plain number; else a wrong verdict that says what it is instead."""
    if x is None:
        wrong(f"{what} is None: did you forget a `return`?")
    if isinstance(x, graph.Value):
        wrong(f"{what} is {describe(x)}, but it should be a plain number, such as a Value's .data or .grad")
    if not graph.is_number(x):
        wrong(f"{what} is {describe(x)}, but it should be a number")
    x = float(x)
    if math.isnan(x):
        wrong(f"{what} is nan (not a number): something along the way computed 0/0, inf - inf or the like")
    if math.isinf(x):
        wrong(f"{what} is {x!r}: a number along the way grew too large for a float")
    return x


def items(x: Any, what: str, length: int | None = None) -> list:
    """``x`` as a list (from a list, tuple or other iterable), optionally of exactly ``length`` items."""
    if x is None:
        wrong(f"{what} is None: did you forget a `return`?")
    if isinstance(x, (str, bytes, dict, graph.Value)) or not hasattr(x, "__iter__"):
        wrong(f"{what} is {describe(x)}, but it should be a list")
    found = list(x)
    if length is not None and len(found) != length:
        wrong(f"{what} has {count(len(found), 'item')}, expected {length}")
    return found


def drawable(root: graph.Value, what: str) -> graph.Value:
    """``root``, if every node of its graph can be drawn (a text label, numbers as data and grad); else a
    wrong verdict that names the first node that cannot."""
    for node in topological_order(root):
        if not isinstance(node.label, str):
            wrong(
                f"in {what}, a node's label is {printable(node.label)}, of type {type(node.label).__name__}: "
                f"a label is text, e.g. label=\"s\""
            )
        for field in ("data", "grad"):
            x = getattr(node, field, 0.0)  # a stage 1 Value has no grad yet
            if not graph.is_number(x):
                wrong(
                    f"in {what}, {node_name(node)}.{field} is {describe(x)}, but it should be a plain number: "
                    f"compute it from numbers, such as .data and .grad, not from the Values themselves"
                )
    return root


# --- from a wrong answer to its hint

Mistakes = Mapping[str, float | bool | None]
"""The mistakes a check knows, each as its hint and what it gives: the number that mistake would give, or
whether it is seen (a bool), or None where this input cannot tell it apart."""


def close(got: float, expected: float, rel: float = 1e-9, abs_tol: float = 1e-9) -> bool:
    """Whether two numbers agree to within ``rel`` (relative to the larger) or ``abs_tol`` (absolute)."""
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_tol)


def diagnose(got: Any, mistakes: Mistakes, otherwise: str, rel: float = 1e-9, abs_tol: float = 1e-9) -> str:
    """The hint of the first mistake that explains ``got`` (in the order listed), or ``otherwise``: the one way
    that a check turns a wrong answer into advice."""
    for hint, gives in mistakes.items():
        if isinstance(gives, bool):  # before the number test: a bool is not taken for a number
            if gives:
                return hint
        elif gives is not None and close(got, gives, rel, abs_tol):
            return hint
    return otherwise


def expect_close(
    what: str, got: Any, expected: float, mistakes: Mistakes, otherwise: str, rel: float = 1e-9, abs_tol: float = 1e-9
) -> None:
    """Pass if ``got`` is a number close to ``expected``; else a wrong verdict that reads
    "{what} is {got}, expected {expected}: {the hint}", the hint chosen by ``diagnose``."""
    got = number(got, what)
    if not close(got, expected, rel, abs_tol):
        hint = diagnose(got, mistakes, otherwise, rel, abs_tol)
        wrong(f"{what} is {number_text(got)}, expected {number_text(expected)}: {hint}")
