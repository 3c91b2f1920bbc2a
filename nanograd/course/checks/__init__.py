"""Automatic feedback for the exercises: one check per task, called from the exercise notebooks.

    checks.task_03_3(backward_order)

A check calls your function on several inputs, some fixed and some drawn from a seeded random
generator (so an answer that only fits one input does not pass), compares what it gives with an
independent truth (the package's own engine, a formula worked out here, or a central difference),
and shows one verdict:

- **passed**;
- **not attempted yet**: the function still raises ``NotImplementedError``;
- **wrong**, with a hint that names what differs.

A check never raises: an error in your code becomes part of a "wrong" verdict, so Run All always
runs to the end. In a notebook the verdict is one output that carries text and a JSON record
(``Result.bundle()``), which ``python -m nanograd.course.grade`` compares with the verdict of its own run
of the checks; outside IPython it is printed.
Each check also returns its ``Result``.

``TASKS`` lists every exercise's tasks, in order: ``{"01_value_graph": [("1", "Build an expression"), ...]}``.
``last_result(exercise, task)`` is the ``Result`` of that task's last check (nbgrader's hidden tests assert
``checks.last_result("01_value_graph", "1").passed``).
``show(function, *args)`` calls one of your functions and shows what it returns (a Value as its
drawing); like the checks it never raises, so it can sit in a notebook before the function is written.

Inside: ``record`` is the format the grader reads, ``harness`` runs a check and calls your code,
``answers`` reads what your code returned and turns a wrong answer into its hint, ``graphs`` holds
the graphs the checks build, and each ``exNN_*`` module holds one exercise's checks.
"""

# The exercise modules register their tasks in TASKS as they are imported: this order is TASKS's order.
from .ex01_value_graph import task_01_1, task_01_2, task_01_3, task_01_4
from .ex02_chain_rule_by_hand import task_02_1, task_02_2, task_02_3, task_02_4
from .ex03_backward import task_03_1, task_03_2, task_03_3, task_03_4
from .ex04_a_neuron import task_04_1, task_04_2, task_04_3, task_04_4, task_04_5
from .ex05_an_mlp import task_05_1, task_05_2, task_05_3, task_05_4
from .ex06_capstone import task_06_1, task_06_2, task_06_3
from .harness import TASKS, last_result, show
from .record import CHECK_CALL, MIME_TYPE, NOT_ATTEMPTED, PASSED, VERDICTS, WRONG, Result, check_records

__all__ = [
    "CHECK_CALL",
    "MIME_TYPE",
    "NOT_ATTEMPTED",
    "PASSED",
    "TASKS",
    "VERDICTS",
    "WRONG",
    "Result",
    "check_records",
    "last_result",
    "show",
    "task_01_1",
    "task_01_2",
    "task_01_3",
    "task_01_4",
    "task_02_1",
    "task_02_2",
    "task_02_3",
    "task_02_4",
    "task_03_1",
    "task_03_2",
    "task_03_3",
    "task_03_4",
    "task_04_1",
    "task_04_2",
    "task_04_3",
    "task_04_4",
    "task_04_5",
    "task_05_1",
    "task_05_2",
    "task_05_3",
    "task_05_4",
    "task_06_1",
    "task_06_2",
    "task_06_3",
]
