"""How a check runs: the registry of tasks, calling the student's code safely, and ``show``.

A check is a function decorated with ``@task(exercise, number, title)``. Its body returns the "passed" message
or ends early with a verdict: ``wrong(...)``, or ``NotAttempted``, which ``call`` raises while the student's
function still says ``raise NotImplementedError()``. The decorator turns either into a displayed ``Result``, and
so it does with anything else that goes wrong, so that a check never raises and Run All runs to the end.

Two hooks serve grading: ``last_result`` gives the verdict of a task's last check (nbgrader's hidden tests
assert on it), and ``draw_inputs_from`` gives the checks random inputs that no notebook saw.
"""

from __future__ import annotations

import functools
import inspect
import random
import sys
import types
from collections.abc import Callable
from typing import Any

from nanograd import graph

from .answers import Wrong, describe, drawable, error_text, wrong
from .record import NOT_ATTEMPTED, PASSED, WRONG, Result, publish

TASKS: dict[str, list[tuple[str, str]]] = {}
"""Each exercise's tasks in order, as (task id, short title); filled in by ``task`` as the checks are defined."""

_LAST: dict[tuple[str, str], Result] = {}  # (exercise, task) -> the verdict of its last check in this Python
_CHECK_GLOBALS: list[dict] = []  # the globals of each module that defines checks: where draw_inputs_from works


class NotAttempted(Exception):
    """Ends a check with "not attempted yet": the student's function still raises NotImplementedError."""


def task(exercise: str, number: str, title: str) -> Callable:
    """Register a check as task ``number`` of ``exercise``; the check's body returns the "passed" message."""

    def register(body: Callable[[Any], str]) -> Callable[[Any], Result]:
        TASKS.setdefault(exercise, []).append((number, title))
        if not any(namespace is body.__globals__ for namespace in _CHECK_GLOBALS):
            _CHECK_GLOBALS.append(body.__globals__)

        @functools.wraps(body)
        def check(answer: Any) -> Result:
            try:
                status, message = PASSED, body(answer)
            except NotAttempted as verdict:
                status, message = NOT_ATTEMPTED, str(verdict)
            except Wrong as verdict:
                status, message = WRONG, str(verdict)
            except BaseException as error:  # whatever the check did not foresee: a verdict, never a crash
                status = WRONG
                message = (
                    f"the check could not finish: {error_text(error)}. Compare what your code returns "
                    f"(its type, its length) with what the task asks for."
                )
            result = Result(exercise, number, title, status, message)
            _LAST[(exercise, number)] = result
            result.display()
            return result

        # help() shows the body's parameter (e.g. build_expression) and what the check returns: a Result
        check.__signature__ = inspect.signature(body).replace(return_annotation="Result")
        return check

    return register


def last_result(exercise: str, number: str) -> Result | None:
    """The verdict of the last check of task ``number`` of ``exercise`` ("01_value_graph", or just "01") run in
    this Python, or None if none ran: nbgrader's hidden tests assert ``checks.last_result(...).passed``."""
    for (name, task), result in _LAST.items():
        if task == number and exercise in (name, name.split("_")[0]):
            return result
    return None


def draw_inputs_from(secret: str) -> None:
    """Grading only: from now on, every ``random.Random(seed)`` that a check makes is seeded with ``secret`` and
    ``seed`` together, so the checks' random inputs are ones no notebook saw (their fixed inputs stay).

    A table of the answers for the inputs that a notebook's checks showed then fails. The grader calls this
    in its own copy of the checks, never in a student's kernel; it rebinds ``random`` in the check modules.
    """

    class SecretRandom(random.Random):
        def seed(self, a: Any = None, version: int = 2) -> None:
            super().seed(None if a is None else f"{secret}/{a}", version)

    drawn = types.ModuleType("random", "The random module, with Random seeded from a secret as well.")
    drawn.__dict__.update({name: value for name, value in vars(random).items() if not name.startswith("__")})
    drawn.Random = SecretRandom
    package = __name__.rpartition(".")[0]  # every module of this copy of the checks, and each check's own
    modules = [m for name, m in list(sys.modules.items()) if name == package or name.startswith(package + ".")]
    for namespace in [*_CHECK_GLOBALS, *(vars(module) for module in modules)]:
        for name, value in list(namespace.items()):
            if value is random:
                namespace[name] = drawn
            elif value is random.Random:
                namespace[name] = SecretRandom


def name_of(function: Any) -> str:
    """How messages name the student's function or class: ``MyLayer.__init__``, ``mean``."""
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


# What stops a program without being an error of the function's own: what the verdict says it means.
_STOPS = {
    SystemExit: "it called sys.exit() or exit(), which would stop the whole notebook: return the answer instead",
    KeyboardInterrupt: "it was interrupted (Ctrl-C or the stop button): run this cell again and let it finish",
}


def call(function: Any, *args: Any, name: str | None = None) -> Any:
    """``function(*args)``: NotImplementedError becomes "not attempted", and anything else it raises, even
    SystemExit, "wrong"; a check passes nothing on."""
    name = name or name_of(function)
    if not callable(function):
        wrong(
            f"this check needs your function (or class) itself, but got {describe(function)}: "
            f"pass its name without calling it, e.g. checks.task_01_1(build_expression)"
        )
    try:
        return function(*args)
    except NotImplementedError as error:
        raise NotAttempted(
            f"{_raised_in(error, name)} is not written yet: replace `raise NotImplementedError()` with your code, "
            f"run that cell, then run this one again."
        ) from None
    except BaseException as error:  # BaseException: SystemExit and KeyboardInterrupt become verdicts too
        reason = next((text for kind, text in _STOPS.items() if isinstance(error, kind)), None)
        wrong(f"your {name} raised {error_text(error)}" + (f": {reason}" if reason else ""))


def show(function: Callable, *args: Any) -> None:
    """Call ``function(*args)`` and show what it returns; a Value is shown as the drawing of its graph.

    Never raises, so that Run All goes on: before the function is written, or when what it returns cannot be
    shown, it says so instead.
    """
    name = name_of(function)
    try:
        shown = call(function, *args, name=name)
        if shown is None:
            return
        if isinstance(shown, graph.Value):
            from nanograd.pictures.drawing import draw_dot  # only when there is something to draw

            shown = draw_dot(drawable(shown, f"what {name} returned"))
        publish(shown, str(shown))
    except NotAttempted as verdict:
        print(f"Nothing to show yet: {verdict}")
    except Wrong as verdict:
        print(f"Nothing to show: {verdict}")
    except BaseException as error:  # the drawing or the printing failed on something unforeseen: say so
        print(f"Cannot show what {name} returned: {error_text(error)}")
