"""Grade a class's exercise notebooks: ``python -m nanograd.course.grade PATH... [--csv FILE]``.

Each PATH is a notebook or a folder of them (searched recursively). Every submission is
copied to a fresh temporary folder and run there, top to bottom, in a fresh kernel, with
a time limit per notebook; the submitted file itself is only ever read. The checks in its
check cells report each task as passed, wrong or not attempted; a task whose check never
ran (the notebook stopped before it, or its check cell was deleted) scores nothing.

A submission that raises, loops forever, calls ``sys.exit``, kills its kernel, floods its
output or deletes files in its working folder loses only its own points: grading goes on
with the next file, and the notes column says what happened.

This is not a security sandbox: a notebook can do anything its kernel's user can do, outside
its folder too. Grade an untrusted class inside a container or a throw-away account.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from nanograd.course.checks import MIME_TYPE, TASKS, check_records

PROGRAM = "nanograd.course.grade"
TIME_LIMIT_SECONDS = 300
OUTPUT_LIMIT_BYTES = 2_000_000


class GradeError(Exception):
    """Something stops the grading of the whole class (not of one submission); the message says what to do."""


@dataclass
class Submission:
    """What grading one notebook found: each task's status, and what happened along the way."""

    path: Path
    exercise: str | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # task id -> passed / wrong / not attempted / not run
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> int:
        return sum(status == "passed" for status in self.statuses.values())


def find_notebooks(paths: list[str]) -> list[Path]:
    """Every .ipynb named, or inside a named folder (Jupyter's checkpoint copies left out)."""
    found = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.is_file() and path.suffix == ".ipynb":
            found.append(path)
        else:
            raise GradeError(f"{name} is neither a notebook (.ipynb) nor a folder: check the path")
    if not found:
        raise GradeError(f"no notebooks found in {', '.join(paths)}: name the submitted .ipynb files or their folder")
    return found


def which_exercise(notebook, path: Path, tasks: dict) -> str | None:
    """The exercise a notebook answers: from its metadata, else from its file name."""
    named = notebook.metadata.get("nanograd", {}).get("exercise")
    if named in tasks:
        return named
    for exercise in tasks:
        if exercise in path.name:  # e.g. alice_01_value_graph.ipynb
            return exercise
    return None


def _output_size(message: dict) -> int:
    return len(json.dumps(message.get("content", {}), default=str))


class LimitedClient(NotebookClient):
    """A notebook client that keeps at most ``output_limit`` bytes of each cell's output, and every check result.

    A submission that prints without end would otherwise fill the grader's memory; its checks still count.
    """

    def __init__(self, notebook, output_limit: int, **kwargs) -> None:
        super().__init__(notebook, **kwargs)
        self.output_limit = output_limit
        self.printed = 0  # bytes kept of the output of the cell that runs now
        self.flooded = False  # whether that cell printed more than output_limit

    def output(self, outs, msg, display_id, cell_index):
        is_check = MIME_TYPE in msg.get("content", {}).get("data", {})
        if not is_check:
            self.printed += _output_size(msg)
            if self.printed > self.output_limit:
                self.flooded = True
                return None
        return super().output(outs, msg, display_id, cell_index)


def run_submission(path: Path, tasks: dict, time_limit: float, output_limit: int) -> Submission:
    """Run one submission on a copy in a fresh folder and read its check results."""
    result = Submission(path)
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # any unreadable file is this submission's problem only
        result.notes.append(f"not a readable notebook: {type(error).__name__}: {error}")
        return result
    result.exercise = which_exercise(notebook, path, tasks)
    if result.exercise is None:
        result.notes.append("unknown exercise: no nanograd metadata and no known file name prefix")
        return result
    result.statuses = {task: "not run" for task, _ in tasks[result.exercise]}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None  # stored outputs count for nothing

    with tempfile.TemporaryDirectory(prefix="nanograd-grade-", ignore_cleanup_errors=True) as folder:
        shutil.copyfile(path, Path(folder) / path.name)
        client = LimitedClient(
            notebook,
            output_limit,
            kernel_name="python3",
            allow_errors=True,
            record_timing=False,
            resources={"metadata": {"path": folder}},
        )
        try:
            with client.setup_kernel(stderr=subprocess.DEVNULL):  # the kernel's own chatter is not the student's
                _run_cells(client, notebook, result, time_limit)
        except Exception as error:  # the kernel could not start or went away: this file's problem only
            result.notes.append(f"stopped: {type(error).__name__}: {error}")
    return result


def _run_cells(client: LimitedClient, notebook, result: Submission, time_limit: float) -> None:
    """Run the code cells in order, for ``time_limit`` seconds at most in all, noting in ``result`` what each did.

    Each check result a cell shows sets the status of its task; the first cell that outlives the time
    limit or kills the kernel stops the run (the tasks after it stay "not run").
    """
    deadline = time.monotonic() + time_limit
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.notes.append(f"stopped: the time limit of {time_limit:g} s ran out")
            return
        client.timeout = max(1, int(remaining))
        client.printed = 0
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            result.notes.append(f"stopped in cell {index + 1}: still running at the time limit of {time_limit:g} s")
            return
        except DeadKernelError:
            result.notes.append(f"stopped in cell {index + 1}: the kernel died (sys.exit, os._exit or a crash)")
            return
        for output in cell.outputs:
            if output.output_type == "error":
                result.notes.append(f"cell {index + 1} raised {output.ename}")
        for report in check_records(cell.outputs):
            if report.get("exercise") == result.exercise and report.get("task") in result.statuses:
                result.statuses[report["task"]] = report.get("status", "wrong")
        if client.flooded:
            kept = f"{client.output_limit:,} bytes"
            result.notes.append(f"cell {index + 1} printed more than {kept}: the rest was dropped")
            client.flooded = False


def print_table(results: list[Submission], tasks: dict, out=None) -> None:
    """One block per exercise: a row per file, a column per task, then the score; on ``out`` (standard output)."""
    out = sys.stdout if out is None else out  # looked up now, not at import: a caller may have replaced it
    marks = {"passed": "pass", "wrong": "wrong", "not attempted": "-", "not run": "not run"}
    for exercise in [*tasks, None]:
        rows = [r for r in results if r.exercise == exercise]
        if not rows:
            continue
        names = [str(r.path) for r in rows]
        width = max(len("file"), *(len(n) for n in names))
        if exercise is None:
            print("\nnot graded", file=out)
            for name, r in zip(names, rows, strict=True):
                print(f"  {name:<{width}}  {'; '.join(r.notes)}", file=out)
            continue
        task_ids = [task for task, _ in tasks[exercise]]
        print(f"\n{exercise}: " + ", ".join(f"task {task}: {title}" for task, title in tasks[exercise]), file=out)
        print(f"  {'file':<{width}}  " + "".join(f"{'task ' + t:>9}" for t in task_ids) + "    score  notes", file=out)
        for name, r in zip(names, rows, strict=True):
            cells = "".join(f"{marks.get(r.statuses[t], r.statuses[t]):>9}" for t in task_ids)
            print(f"  {name:<{width}}  {cells}  {r.score:>3}/{len(task_ids):<3}  {'; '.join(r.notes)}", file=out)


def write_csv(results: list[Submission], tasks: dict, target: Path) -> None:
    """A row per submission: file, exercise, score, out of, each task's status, notes."""
    most = max((len(t) for t in tasks.values()), default=0)
    task_columns = [f"task_{i}" for i in range(1, most + 1)]
    try:
        with open(target, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["file", "exercise", "score", "out_of", *task_columns, "notes"])
            for r in results:
                statuses = [*r.statuses.values(), *[""] * (most - len(r.statuses))]
                out_of = len(tasks[r.exercise]) if r.exercise else 0
                writer.writerow([r.path, r.exercise or "", r.score, out_of, *statuses, "; ".join(r.notes)])
    except OSError as error:
        raise GradeError(f"cannot write {target}: {error.strerror}; choose another --csv file") from None


def main(argv: list[str] | None = None) -> int:
    """Grade the submissions named on the command line. Exit status 0, 1 if grading could not go on
    (the one-line reason on standard error), 2 for a command line argparse refuses."""
    parser = argparse.ArgumentParser(prog=f"python -m {PROGRAM}", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", metavar="PATH", help="submitted notebooks, or folders of them")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the results to this CSV file")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT_SECONDS, metavar="SECONDS",
                        help=f"per notebook (default {TIME_LIMIT_SECONDS})")
    parser.add_argument("--output-limit", type=int, default=OUTPUT_LIMIT_BYTES, metavar="BYTES",
                        help=f"output kept per cell (default {OUTPUT_LIMIT_BYTES:,})")
    args = parser.parse_args(argv)
    if args.time_limit <= 0 or args.output_limit <= 0:
        parser.error("--time-limit and --output-limit must be positive")
    if args.csv is not None and args.csv.suffix.lower() != ".csv":
        parser.error(f"--csv takes a file name ending in .csv, got {args.csv}")

    try:
        notebooks = find_notebooks(args.paths)
        results = []
        for number, path in enumerate(notebooks, 1):
            print(f"[{number}/{len(notebooks)}] grading {path}", file=sys.stderr, flush=True)
            results.append(run_submission(path, TASKS, args.time_limit, args.output_limit))
        print_table(results, TASKS)
        if args.csv is not None:
            write_csv(results, TASKS, args.csv)
            print(f"\nwrote {args.csv}")
    except GradeError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
