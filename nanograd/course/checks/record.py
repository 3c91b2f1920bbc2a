"""The record of one check: the notebook output that the student reads and the grader compares.

A verdict is one notebook output in two forms: text for the student, and a JSON record under ``MIME_TYPE``
that ``python -m nanograd.course.grade`` compares with its own verdict (it decides the marks by running the
checks itself), and that tools/make_exercises.py reads (every check of an unsolved exercise must say
"not attempted"). This module is that format, and the form of the cell that calls a check, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MIME_TYPE = "application/vnd.nanograd.check+json"
CHECK_CALL = re.compile(r"checks\.task_(\d\d)_(\w+)\((\w+)\)")
"""A check cell's call, ``checks.task_NN_M(function)``: the exercise's number NN, the task M, the function's name."""
PASSED, WRONG, NOT_ATTEMPTED = "passed", "wrong", "not attempted"
VERDICTS = {PASSED: "passed", WRONG: "wrong", NOT_ATTEMPTED: "not attempted yet"}
"""Each status as the verdict's text says it."""


def check_records(outputs: list) -> list[dict]:
    """The check records among a notebook cell's outputs, in order: what the grader and the generator read."""
    return [output["data"][MIME_TYPE] for output in outputs if MIME_TYPE in output.get("data", {})]


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
        """Whether the check passed: what nbgrader's hidden test of the task asserts."""
        return self.status == PASSED

    @property
    def text(self) -> str:
        """The verdict as the student reads it: the task, the verdict, then the message."""
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

    def display(self) -> None:
        """Display the verdict: one notebook output under IPython, printed text elsewhere."""
        publish(self.bundle(), self.text, raw=True)

    def _ipython_display_(self) -> None:
        """Display nothing when a Result is a cell's value: the check displayed it once already, when it ran."""


def publish(shown: Any, text: str, raw: bool = False) -> None:
    """Display ``shown`` as one notebook output under IPython (``raw``: a ready mime bundle); else print ``text``."""
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
