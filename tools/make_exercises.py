"""Generate the exercise notebooks from the solutions: solutions/ is the one source, exercises/ is made from it.

    .venv/bin/python -m tools.make_exercises                                # every solutions/*.ipynb
    .venv/bin/python -m tools.make_exercises solutions/03_backward.ipynb    # just these

Run it in the course folder. Exit status: 0, 1 if an exercise could not be made (the reason on standard
error, in one line), 2 for a command line it does not understand.

For each solution notebook, with nbgrader's markers and rules:

- every region from a line holding ``### BEGIN SOLUTION`` to one holding ``### END SOLUTION`` becomes two
  lines at the indentation of the BEGIN line: ``# YOUR CODE HERE`` and ``raise NotImplementedError()``;
- every region from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` is removed;
- outputs are cleared; everything else (text, cell ids, notebook metadata) stays as it is.

Before that, the generator gives the notebook nbgrader's cell metadata (``nbgrader_source``), so that the
exercises can be handed out and graded with nbgrader too: each cell with a solution region becomes a solution
cell, and each check cell (``checks.task_NN_M(function)``) a read-only test cell worth 1 point whose hidden
part, ``assert checks.last_result("NN_name", "M").passed``, fails under nbgrader's autograde when the check
did not pass. The student's version keeps the metadata and loses the hidden part, so that Run All never stops
on a wrong answer. ``--nbgrader-source DIR`` writes that instructor's version (solutions, hidden tests,
metadata) of each solution to DIR, for nbgrader's ``source/<assignment>/`` folder.

The result is written to exercises/ under the same name, executed top to bottom in a fresh kernel (by
tools.run_notebooks) and kept only if no cell raised and every check reports "not attempted". So an
unsolved exercise always survives Run All, which is why each solution region must lie inside a function body:
the student writes the body, and the check that calls the function turns ``NotImplementedError`` into
"not attempted yet". The generator refuses, naming the notebook and the cell, a region at top level or in a
class body outside any method, unbalanced or nested markers, markers outside code cells, and a solution
notebook without any region.

exercises/ belongs to this generator, and it writes nowhere else. It replaces an exercise notebook only if the
notebook is still exactly as it was generated (its cell sources match the fingerprint stored in its metadata
under ``nanograd_generated``; running it does not change them). A notebook someone has edited, say one holding
a student's answers, is left untouched and the run stops with what to do. The solutions' own outputs come from
``python -m tools.run_notebooks solutions/*.ipynb``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import json
import sys
from pathlib import Path

import nbformat

from nanograd.course.checks import CHECK_CALL
from tools.run_notebooks import NotebookRunError, run_notebook

PROGRAM = "tools.make_exercises"
ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
GENERATED_KEY = "nanograd_generated"
NBGRADER_SCHEMA = 3


def shown(path: Path) -> str:
    """``path`` as messages show it: relative to the course folder when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


class GeneratorError(Exception):
    """A solution notebook that cannot become an exercise, or an exercise that must not be replaced."""


def strip_cell(source: str, where: str) -> tuple[str, list[int]]:
    """The exercise version of one code cell, and the line numbers (from 1) of the ``raise`` lines it inserted."""
    lines = source.split("\n")
    out: list[str] = []
    raises: list[int] = []
    open_region: tuple[str, int] | None = None  # (marker, line number) of the region being skipped
    for number, line in enumerate(lines, 1):
        marker = next((m for m in MARKERS if m in line), None)
        if marker in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            if open_region:
                raise GeneratorError(
                    f"{where}, line {number}: {marker} inside the region that {open_region[0]} opened on line "
                    f"{open_region[1]}; close that one first"
                )
            open_region = (marker, number)
            if marker == BEGIN_SOLUTION:
                indent = line[: len(line) - len(line.lstrip())]
                out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
                raises.append(len(out))
        elif marker in (END_SOLUTION, END_HIDDEN):
            opener = BEGIN_SOLUTION if marker == END_SOLUTION else BEGIN_HIDDEN
            if not open_region or open_region[0] != opener:
                raise GeneratorError(f"{where}, line {number}: {marker} without a {opener} before it")
            open_region = None
        elif not open_region:
            out.append(line)
    if open_region:
        closer = END_SOLUTION if open_region[0] == BEGIN_SOLUTION else END_HIDDEN
        raise GeneratorError(f"{where}, line {open_region[1]}: {open_region[0]} has no {closer} after it")
    return "\n".join(out), raises


def check_regions_in_functions(source: str, raises: list[int], where: str) -> None:
    """Refuse a solution region that is not inside a function body: its exercise would fail under Run All."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise GeneratorError(
            f"{where}: with its solution regions replaced the cell is not valid Python "
            f"(line {error.lineno}: {error.msg}); a region must hold whole statements"
        ) from None
    bodies = [
        (node.body[0].lineno, node.end_lineno)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    for line in raises:
        if not any(first <= line <= last for first, last in bodies):
            raise GeneratorError(
                f"{where}: the solution region at line {line - 1} is not inside a function body. An unsolved "
                f"exercise must run without errors, so each region must be (part of) the body of a function "
                f"or method that a check calls: move that code into a function"
            )


def fingerprint(notebook: nbformat.NotebookNode) -> str:
    """A hash of the notebook's cell types and sources: what running it leaves alone and editing it changes."""
    cells = [[cell.cell_type, cell.source] for cell in notebook.cells]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode()).hexdigest()


def exercise_of(solution: nbformat.NotebookNode, name: str) -> str:
    """The exercise a solution notebook names in its metadata, which must be its file's name."""
    exercise_id = solution.metadata.get("nanograd", {}).get("exercise")
    if exercise_id != Path(name).stem:
        raise GeneratorError(
            f"{name}: its metadata must say \"nanograd\": {{\"exercise\": \"{Path(name).stem}\"}} "
            f"(found {exercise_id!r}); the grader and the checks know the exercise by it"
        )
    return exercise_id


def nbgrader_source(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``solution`` with nbgrader's cell metadata: its solution cells, and its check cells as read-only test
    cells of 1 point each with a hidden test that fails when the check did not pass (the instructor's version)."""
    exercise_id = exercise_of(solution, name)
    source = copy.deepcopy(solution)
    for cell in source.cells:
        if cell.cell_type != "code":
            continue
        check = CHECK_CALL.fullmatch(cell.source.strip())
        if BEGIN_SOLUTION in cell.source:
            cell.metadata["nbgrader"] = {
                "grade": False, "solution": True, "locked": False, "task": False,
                "grade_id": f"answer-{cell.get('id') or len(cell.source)}", "schema_version": NBGRADER_SCHEMA,
            }
        elif check and check[1] == exercise_id[:2]:
            task = check[2]
            cell.source = (
                f"{cell.source.rstrip()}\n### BEGIN HIDDEN TESTS\n"
                f'assert checks.last_result("{exercise_id}", "{task}").passed, "task {task} did not pass"\n'
                f"### END HIDDEN TESTS"
            )
            cell.metadata["nbgrader"] = {
                "grade": True, "solution": False, "locked": True, "task": False, "points": 1,
                "grade_id": f"task_{exercise_id[:2]}_{task}", "schema_version": NBGRADER_SCHEMA,
            }
    return source


def make_exercise(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The exercise notebook for ``solution`` (named ``name`` in messages), not yet executed."""
    exercise = nbgrader_source(solution, name)
    regions = 0
    for index, cell in enumerate(exercise.cells, 1):
        where = f"{name}, cell {index}"
        if cell.cell_type != "code":
            if any(marker in cell.source for marker in MARKERS):
                raise GeneratorError(
                    f"{where} is a {cell.cell_type} cell with a solution marker: only code cells may hold "
                    f"solution regions (write the marker text differently if it is prose)"
                )
            continue
        source, raises = strip_cell(cell.source, where)
        if raises:
            check_regions_in_functions(source, raises, where)
            regions += len(raises)
        cell.source = source
        cell.outputs = []
        cell.execution_count = None
        cell.metadata.pop("execution", None)
    if not regions:
        raise GeneratorError(f"{name} has no ### BEGIN SOLUTION region: its exercise would be the solution itself")
    exercise.metadata[GENERATED_KEY] = {"from": f"solutions/{Path(name).name}", "sources_sha256": fingerprint(exercise)}
    return exercise


def check_safe_to_replace(path: Path) -> None:
    """Refuse to replace a notebook at ``path`` unless it is exactly what this generator wrote there."""
    if not path.exists():
        return
    try:
        existing = nbformat.read(path, as_version=4)
    except Exception as error:
        raise GeneratorError(
            f"{shown(path)} exists but is not a notebook this generator can read ({type(error).__name__}: {error}); "
            f"move it out of the way and run again"
        ) from None
    recorded = existing.metadata.get(GENERATED_KEY, {}).get("sources_sha256")
    if recorded != fingerprint(existing):
        raise GeneratorError(
            f"{shown(path)} was changed after it was generated (it may hold someone's answers), so it is left as "
            f"it is. To regenerate it, move it out of exercises/ first, e.g. in the course folder "
            f"`mv {shown(path)} {path.stem}-edited{path.suffix}`, then run this again"
        )


def check_outputs(notebook: nbformat.NotebookNode, name: str) -> None:
    """Every check ran, in the order of nanograd.course.checks.TASKS, and said "not attempted"."""
    from nanograd.course.checks import TASKS, check_records

    exercise_id = notebook.metadata["nanograd"]["exercise"]
    reports = [report for cell in notebook.cells if cell.cell_type == "code" for report in check_records(cell.outputs)]
    expected = [(exercise_id, task) for task, _ in TASKS.get(exercise_id, [])]
    found = [(report["exercise"], report["task"]) for report in reports]
    if found != expected:
        raise GeneratorError(
            f"{name}: its check cells report tasks {found}, but nanograd.course.checks.TASKS lists {expected}"
        )
    for report in reports:
        if report["status"] != "not attempted":
            raise GeneratorError(
                f"{name}: the check of task {report['task']} says {report['status']!r} on the unsolved exercise "
                f"(it must say 'not attempted'): {report['message']}"
            )


def write_exercise(exercise: nbformat.NotebookNode, path: Path, exercises: Path | None = None) -> None:
    """Execute ``exercise`` and save it at ``path``, which must be a notebook directly inside ``exercises``.

    ``exercises`` is the course's exercises/ unless given (looked up now, not when this module was imported).
    Before anything runs, it refuses to replace a notebook that someone has edited (``check_safe_to_replace``).
    """
    exercises = EXERCISES if exercises is None else exercises
    path = Path(path)
    if path.resolve().parent != exercises.resolve() or path.suffix != ".ipynb":
        raise GeneratorError(
            f"refusing to write {shown(path)}: this generator writes only notebooks directly inside {shown(exercises)}/"
        )
    check_safe_to_replace(path)
    exercises.mkdir(exist_ok=True)
    draft = path.with_name(f".{path.stem}.generating.ipynb")
    nbformat.write(exercise, draft)
    try:
        try:
            run_notebook(draft)
        except NotebookRunError as error:
            raise GeneratorError(f"{path.name} does not survive Run All unsolved: {error}") from None
        executed = nbformat.read(draft, as_version=4)
        check_outputs(executed, path.name)
        draft.replace(path)
    finally:
        draft.unlink(missing_ok=True)


def solution_paths(argv: list[str]) -> list[Path]:
    """The solution notebooks named in ``argv``, each directly inside solutions/; all of them if none is named."""
    if not argv:
        paths = sorted(SOLUTIONS.glob("*.ipynb"))
        if not paths:
            raise GeneratorError(f"no solution notebooks in {SOLUTIONS}")
        return paths
    paths = []
    for name in argv:
        path = Path(name)
        if path.suffix != ".ipynb" or not path.is_file() or path.resolve().parent != SOLUTIONS.resolve():
            raise GeneratorError(
                f"{name} is not a notebook in solutions/: the generator reads solutions/ and writes exercises/"
            )
        paths.append(path)
    return paths


def read_solution(path: Path) -> nbformat.NotebookNode:
    """The solution notebook at ``path``, or a GeneratorError if it is not one that nbformat can read."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # invalid JSON, or JSON that is not a notebook: nbformat raises either
        raise GeneratorError(f"{shown(path)} is not a readable notebook ({type(error).__name__}: {error})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROGRAM}", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", metavar="SOLUTION", help="solution notebooks (default: all of solutions/)")
    parser.add_argument("--nbgrader-source", type=Path, metavar="DIR",
                        help="instead, write nbgrader's source version of each solution into DIR (nothing runs)")
    args = parser.parse_args(argv)
    try:
        if args.nbgrader_source is not None:
            args.nbgrader_source.mkdir(parents=True, exist_ok=True)
            for path in solution_paths(args.paths):
                made = nbgrader_source(read_solution(path), f"solutions/{path.name}")
                nbformat.write(made, args.nbgrader_source / path.name)
                print(f"wrote {args.nbgrader_source / path.name}", flush=True)
            return 0
        for path in solution_paths(args.paths):
            exercise = make_exercise(read_solution(path), f"solutions/{path.name}")
            print(f"making exercises/{path.name} and running it ...", flush=True)
            write_exercise(exercise, EXERCISES / path.name)
    except GeneratorError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
