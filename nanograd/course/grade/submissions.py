"""The submitted notebooks: finding them, reading and hashing them before any runs, and what they hold.

Nothing here runs a submission's code: it reads the files (once, into the grader's private folder, where
they are graded from), tells which exercise each answers, which functions the released exercise's check
cells name, and which top-level definitions of a notebook the grader's checks will run.
"""

from __future__ import annotations

import ast
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from nanograd.course.checks import CHECK_CALL

MAX_NOTEBOOK_BYTES = 20_000_000
RECORD_MIME_TEXT = "vnd.nanograd.check"


class GradeError(Exception):
    """Something stops the grading of the whole class (not of one submission); the message says what to do."""


@dataclass
class Snapshot:
    """One submitted file as it was before anything ran: its digest, and the private copy that is graded."""

    path: Path
    digest: str = ""
    copy: Path | None = None
    problem: str = ""  # why it cannot be graded at all (too large, unreadable)


def find_notebooks(paths: list[str]) -> list[Path]:
    """Every .ipynb named, or inside a named folder (Jupyter's checkpoint copies left out), each once."""
    found: dict[Path, None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.update(dict.fromkeys(sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)))
        elif path.is_file() and path.suffix == ".ipynb":
            found[path] = None
        else:
            raise GradeError(f"{name} is neither a notebook (.ipynb) nor a folder: check the path")
    if not found:
        raise GradeError(f"no notebooks found in {', '.join(paths)}: name the submitted .ipynb files or their folder")
    return list(found)


def digest_of(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def take_snapshots(paths: list[Path], folder: Path) -> list[Snapshot]:
    """Read and hash every submission, and copy it into ``folder`` (private to the grader), before any runs."""
    folder.mkdir(mode=0o700)
    snapshots = []
    for number, path in enumerate(paths):
        snapshot = Snapshot(path)
        try:
            size = path.stat().st_size
            if size > MAX_NOTEBOOK_BYTES:
                snapshot.problem = f"not graded: {size:,} bytes, more than the {MAX_NOTEBOOK_BYTES:,} a notebook may be"
            else:
                data = path.read_bytes()
                snapshot.digest = hashlib.sha256(data).hexdigest()
                snapshot.copy = folder / f"{number:05d}.ipynb"
                snapshot.copy.write_bytes(data)
        except OSError as error:
            snapshot.problem = f"not graded: cannot read it ({error.strerror})"
        snapshots.append(snapshot)
    return snapshots


def changed_since(snapshot: Snapshot) -> str:
    """What happened to the submitted file since it was read: "" if nothing, else a note."""
    if not snapshot.digest:
        return ""
    try:
        if digest_of(snapshot.path) == snapshot.digest:
            return ""
    except OSError:
        return "the submitted file was deleted or became unreadable during grading (graded as it was read)"
    return "the submitted file changed during grading (graded as it was read first)"


def read_notebook(data: bytes):
    """The notebook in ``data`` (nbformat 4), or ValueError saying why it is not one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
    except Exception as error:  # invalid UTF-8, JSON or notebook: nbformat raises many kinds
        raise ValueError(f"not a readable notebook: {type(error).__name__}: {str(error)[:200]}") from None
    if not isinstance(notebook.get("cells"), list) or not isinstance(notebook.get("metadata"), dict):
        raise ValueError("not a readable notebook: no list of cells")
    return notebook


def code_cells(notebook) -> list[tuple[int, str]]:
    """(cell number from 1, source) of every code cell whose source is text."""
    cells = []
    for number, cell in enumerate(notebook.cells, 1):
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and isinstance(cell.get("source"), str):
            cells.append((number, cell["source"]))
    return cells


def named_exercise(notebook) -> tuple[str | None, str]:
    """The exercise the notebook's metadata names, and a note if the metadata is there but malformed."""
    meta = notebook.metadata.get("nanograd")
    if meta is None:
        return None, ("" if "nanograd" not in notebook.metadata else "its metadata 'nanograd' is null")
    if not isinstance(meta, dict):
        return None, f"its metadata 'nanograd' is a {type(meta).__name__}, not a mapping"
    named = meta.get("exercise")
    if named is not None and not isinstance(named, str):
        return None, f"its metadata names the exercise as a {type(named).__name__}, not text"
    return named, ""


def which_exercise(notebook, path: Path, tasks: dict, assigned: str | None) -> tuple[str | None, list[str], list[str]]:
    """The exercise to grade the notebook as, notes and flags: the assigned one if given, else the one its metadata
    names, else the one its file name holds; metadata that cannot be used is noted, and any disagreement between
    these is flagged."""
    notes, flags = [], []
    named, problem = named_exercise(notebook)
    if problem:
        notes.append(problem)
    if named is not None and named not in tasks:
        notes.append(f"its metadata names an unknown exercise ({named[:40]!r})")
        named = None
    by_name = [exercise for exercise in tasks if exercise in path.name]
    from_file = by_name[0] if len(by_name) == 1 else None
    chosen = assigned or named or from_file
    if assigned and named and named != assigned:
        flags.append(f"its metadata says {named}, but the assigned exercise is {assigned}")
    elif assigned and not named and from_file and from_file != assigned:
        flags.append(f"its file name says {from_file}, but the assigned exercise is {assigned}")
    elif named and from_file and from_file != named:
        flags.append(f"its metadata says {named}, but its file name says {from_file}")
    return chosen, notes, flags


def released_calls(folder: Path, tasks: dict) -> dict[str, list[tuple[str, str]]]:
    """For each exercise, (task, function name) from the check cells of the released exercise notebook,
    e.g. ``checks.task_01_1(build_expression)`` gives ("1", "build_expression")."""
    calls = {}
    for exercise, listed in tasks.items():
        path = folder / f"{exercise}.ipynb"
        try:
            notebook = read_notebook(path.read_bytes())
        except (OSError, ValueError) as error:
            raise GradeError(
                f"cannot read the released exercise {path} ({error}): the grader takes the functions' names from "
                f"its check cells; name the folder of the released exercises with --exercises"
            ) from None
        found = {}
        for _, source in code_cells(notebook):
            for number, task, function in CHECK_CALL.findall(source):
                if number == exercise[:2]:
                    found.setdefault(task, function)
        missing = [task for task, _ in listed if task not in found]
        if missing:
            raise GradeError(f"{path} has no check cell for task(s) {', '.join(missing)} of {exercise}")
        calls[exercise] = [(task, found[task]) for task, _ in listed]
    return calls


def check_cell_notes(notebook, exercise: str, calls: list[tuple[str, str]]) -> list[str]:
    """Flags for check cells of the released exercise that the notebook deleted or changed."""
    sources = [source.strip() for _, source in code_cells(notebook)]
    flags = []
    for task, function in calls:
        line = f"checks.task_{exercise[:2]}_{task}({function})"
        if line not in sources:
            changed = any(line in source for source in sources)
            flags.append(f"the check cell of task {task} was {'changed' if changed else 'deleted or changed'}")
    return flags


_PATCH = re.compile(r"(\bchecks\b[\w.]*\.\w+\s*=[^=])|(\bResult\.\w+\s*=[^=])|setattr\(\s*(checks|Result)\b")


def static_flags(notebook) -> list[str]:
    """Flags for code that forges or patches what the checks show."""
    flags = []
    sources = [source for _, source in code_cells(notebook)]
    if any(RECORD_MIME_TEXT in source for source in sources):
        flags.append("a cell writes the checks' record format itself (a forged verdict?)")
    if any(_PATCH.search(source) for source in sources):
        flags.append("a cell assigns to the checks or to Result (patching the checks?)")
    return flags


def _python_of(source: str) -> str:
    """A cell's source as Python: IPython's magics and shell escapes turned into calls."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython could not read it: let the parser say what is wrong
        return source


def _parsed(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _is_constant(node: ast.AST) -> bool:
    try:
        ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return True


@dataclass
class Definitions:
    """The statements of a notebook that the grader's checks run: imports, defs, classes, constants."""

    statements: list[dict] = field(default_factory=list)  # {"source": ..., "where": "cell 6"}
    skipped_cells: list[int] = field(default_factory=list)  # cells that are not valid Python


def definitions(notebook) -> Definitions:
    """The top-level imports, function and class definitions, and assignments of constants to plain names, of
    every code cell in order. Everything else (calls, loops, check cells, assignments to attributes) is left out."""
    found = Definitions()
    for number, source in code_cells(notebook):
        python, tree = source, _parsed(source)
        if tree is None:  # IPython's reader (slow to import) only for cells with magics
            python = _python_of(source)
            tree = _parsed(python)
        if tree is None:
            found.skipped_cells.append(number)
            continue
        for node in tree.body:
            keep = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                keep = all(isinstance(t, ast.Name) for t in targets) and _is_constant(node.value)
            if keep:
                segment = ast.get_source_segment(python, node, padded=True) or ast.unparse(node)
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.decorator_list:
                    segment = ast.unparse(node)  # the segment starts at 'def': unparse keeps the decorators
                found.statements.append({"source": segment, "where": f"cell {number}, line {node.lineno}"})
    return found


def shown_records(records: list[dict], exercise: str) -> dict[str, list[str]]:
    """task -> the statuses that check records of ``exercise`` showed while the notebook ran, in order."""
    shown: dict[str, list[str]] = {}
    for record in records:
        if record.get("exercise") == exercise and isinstance(record.get("task"), str):
            shown.setdefault(record["task"], []).append(str(record.get("status")))
    return shown
