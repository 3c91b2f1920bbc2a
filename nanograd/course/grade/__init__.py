"""Grade a class's exercise notebooks: ``python -m nanograd.course.grade PATH... [--csv FILE] [-j N]``.

Each PATH is a notebook or a folder of them (searched recursively). Every submission is read and hashed
before any runs, and graded from that private copy. The grader decides the marks: it runs each notebook
top to bottom in a fresh, sandboxed kernel (to see what it shows), then runs the released checks itself, in
a second fresh process, on the functions the notebook defines, with random inputs that no notebook saw. What
the notebook showed is only compared with that: a forged verdict, a deleted or changed check cell, a
patched check or a table of answers earns nothing and is flagged.

A submission that raises, loops, exits, kills its kernel, floods its output, exhausts its memory or attacks
the grader costs only its own row: the notes say what happened. See the README's section for instructors
for what the sandbox (bubblewrap) protects, and what it does not.
"""

from .cli import main
from .runner import Submission
from .submissions import GradeError, find_notebooks
from .table import print_table

__all__ = ["GradeError", "Submission", "find_notebooks", "main", "print_table"]
