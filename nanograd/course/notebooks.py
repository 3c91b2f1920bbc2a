"""What every course notebook calls: ``check_setup()`` in its first cell, ``show_source()`` to show
package code (so that what a student reads is what runs), and ``expect()`` / ``expect_true()`` to check
each number and claim the text states, right where it states it.

A student is meant to change numbers and re-run. So a check whose number differs says so in one line
and lets the notebook go on. Only with ``NANOGRAD_STRICT=1`` in the environment (``make test`` and the
tool that re-executes the notebooks set it) does it raise, so that a committed notebook whose text and
outputs disagree can never pass.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import textwrap
from typing import Any

from nanograd import __version__


def check_setup(minimum_version: str = "0.1.0") -> None:
    """Say that this kernel's nanograd is ready for the course, or exactly what to run if it is too old.

    Every course notebook calls it in its first code cell.
    """

    def as_tuple(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".")[:3])

    if as_tuple(__version__) < as_tuple(minimum_version):
        raise ImportError(
            f"this notebook needs nanograd {minimum_version} or newer, but this kernel has {__version__}. "
            f"In a terminal, in the course folder, run `git pull` and then `make lab` (or `pip install -e .`), "
            f"then restart the kernel."
        )
    print(f"nanograd {__version__} is ready.")


class SourceCode:
    """Package source shown in a notebook: a highlighted code block, or the plain text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}```"

    def __repr__(self) -> str:
        return self.text


def show_source(*objects) -> SourceCode:
    """The package's own source of each function, method or class, as it is installed.

    The notebooks show code this way instead of pasting it, so what a student reads is what runs.
    """
    if not objects:
        raise TypeError("show_source needs at least one function, method or class, e.g. show_source(Value.backward)")
    return SourceCode("\n".join(textwrap.dedent(inspect.getsource(obj)) for obj in objects))


STRICT_VARIABLE = "NANOGRAD_STRICT"


class TextMismatch(AssertionError):
    """In strict mode: a number or claim that the notebook's text states does not hold."""


def _strict() -> bool:
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0")


def _tell(message: str) -> None:
    if _strict():
        raise TextMismatch(message)
    print(f"Note: {message}. The notebook goes on: read what follows with your numbers in mind.")


def _close(got: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, numbers.Real) and not isinstance(expected, bool):
        return isinstance(got, numbers.Real) and math.isclose(got, expected, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(got, (list, tuple))
            and len(got) == len(expected)
            and all(_close(g, e, tolerance) for g, e in zip(got, expected, strict=True))
        )
    return got == expected


def _shown(x: Any) -> str:
    if isinstance(x, float):
        short = f"{x:.6g}"
        return short if any(mark in short for mark in ".en") else short + ".0"  # -8.0, not -8
    if isinstance(x, (list, tuple)):
        inner = ", ".join(_shown(item) for item in x)
        return f"[{inner}]" if isinstance(x, list) else f"({inner})"
    return repr(x)


def expect(what: str, got: Any, expected: Any, tolerance: float = 1e-9) -> None:
    """Check a result that the text states: silent when ``got`` matches ``expected``; otherwise one line.

    Numbers match within ``tolerance`` (relative or absolute); lists and tuples match item by item.

        >>> expect("L", -8.0, -8.0)
        >>> expect("L", -7.5, -8.0)
        Note: with your change, L is -7.5; the text assumed -8.0. The notebook goes on: ...
    """
    if not _close(got, expected, tolerance):
        shown_got, shown_expected = _shown(got), _shown(expected)
        if shown_got == shown_expected:  # they differ past 6 digits: show them all
            shown_got, shown_expected = repr(got), repr(expected)
        _tell(f"with your change, {what} is {shown_got}; the text assumed {shown_expected}")


def expect_true(claim: str, holds: bool) -> None:
    """Check a claim that the text makes (``claim`` says it in words): silent when it holds; otherwise one line."""
    if not holds:
        _tell(f"with your change, this no longer holds: {claim}")
