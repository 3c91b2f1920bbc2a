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

import sys

# jsonschema, which nbformat imports, builds a parser for IRI formats when rfc3987-syntax is installed: 2 to 4 s
# at every start of the grader, for a format that no notebook schema uses. Without it, jsonschema skips that check.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from .cli import main  # noqa: E402
from .runner import Submission  # noqa: E402
from .submissions import GradeError, find_notebooks  # noqa: E402
from .table import print_table  # noqa: E402

__all__ = ["GradeError", "Submission", "find_notebooks", "main", "print_table"]
