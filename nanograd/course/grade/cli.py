"""The command line: ``python -m nanograd.course.grade PATH... [--csv FILE] [-j N] [--shard K/N]``,
and ``python -m nanograd.course.grade --merge A.csv B.csv ... --csv ALL.csv`` to join shards."""

from __future__ import annotations

import argparse
import hashlib
import os
import queue
import shutil
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from nanograd.course.checks import TASKS

from . import submissions
from .isolation import OFF_WITHOUT_BWRAP, Isolation, Limits
from .runner import Settings, Submission, grade
from .submissions import GradeError
from .table import CsvRows, for_terminal, merge, print_table

PROGRAM = "nanograd.course.grade"
TIME_LIMIT_SECONDS = 300
OUTPUT_LIMIT_BYTES = 2_000_000
COURSE = Path(__file__).resolve().parents[3]


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def parse_shard(text: str) -> tuple[int, int]:
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shard takes K/N, e.g. 2/4, got {text!r}") from None
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--shard K/N needs 1 <= K <= N, got {text!r}")
    return k, n


def shard_of(paths: list[Path], shard: tuple[int, int] | None) -> list[Path]:
    """The K-th of N slices of the notebooks; the N slices hold every notebook exactly once.

    The notebooks are dealt out in turn, grouped by the exercise that their file name names (when it names
    one), so that each slice gets a share of every exercise: dealt in plain sorted order, a class whose
    number of exercises is a multiple of N would give each slice the same few exercises of every student.
    """
    if shard is None:
        return paths
    k, n = shard

    def exercise_named(path: Path) -> str:
        return next((name for name in TASKS if name in path.name), "")

    ordered = sorted(paths, key=lambda path: (exercise_named(path), str(path)))
    return [path for i, path in enumerate(ordered) if i % n == k - 1]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=f"python -m {PROGRAM}", description=__doc__.split("\n\n")[0])
    p.add_argument("paths", nargs="*", metavar="PATH", help="submitted notebooks, or folders of them")
    p.add_argument("--csv", type=Path, metavar="FILE", help="also write the results to this CSV file, row by row")
    p.add_argument("--exercise", choices=list(TASKS), metavar="NAME",
                   help="the assigned exercise: every notebook is graded as it (a notebook that says otherwise is "
                        f"flagged); one of {', '.join(TASKS)}")
    p.add_argument("-j", "--jobs", type=int, default=default_jobs(), metavar="N",
                   help="notebooks graded at once (default: the number of cores, here %(default)s)")
    p.add_argument("--shard", type=parse_shard, metavar="K/N",
                   help="grade only the K-th of N slices of the notebooks (one machine of N); join with --merge")
    p.add_argument("--merge", nargs="+", type=Path, metavar="CSV", help="join the CSV files of shards into --csv")
    p.add_argument("--time-limit", type=float, default=TIME_LIMIT_SECONDS, metavar="SECONDS",
                   help=f"for running a notebook, and again for the grader's checks (default {TIME_LIMIT_SECONDS})")
    p.add_argument("--output-limit", type=int, default=OUTPUT_LIMIT_BYTES, metavar="BYTES",
                   help=f"output a cell may show before it is noted as a flood (default {OUTPUT_LIMIT_BYTES:,})")
    p.add_argument("--memory-limit", type=int, default=Limits.memory_mb, metavar="MB",
                   help=f"address space of each process of a submission (default {Limits.memory_mb})")
    p.add_argument("--sandbox", choices=("auto", "bwrap", "off"), default="auto",
                   help="auto: bubblewrap if it works here, else limits alone (said once); bwrap: required")
    p.add_argument("--exercises", type=Path, default=COURSE / "exercises", metavar="DIR",
                   help="the released exercise notebooks, whose check cells name the functions (default %(default)s)")
    return p


class Progress:
    """One line on standard error: a bar and the time left on a terminal, else a line per notebook."""

    def __init__(self, total: int, out=None) -> None:
        self.total, self.done, self.flagged = total, 0, 0
        self.out = out or sys.stderr
        self.live = self.out.isatty()
        self.start = time.monotonic()

    def update(self, result: Submission) -> None:
        self.done += 1
        self.flagged += bool(result.flags)
        elapsed = time.monotonic() - self.start
        left = elapsed / self.done * (self.total - self.done)
        when = f"about {int(left // 60)} min {int(left % 60)} s left" if self.done < self.total else "done"
        if self.live:
            filled = int(30 * self.done / self.total)
            bar = "#" * filled + "." * (30 - filled)
            print(f"\r[{bar}] {self.done}/{self.total} graded, {self.flagged} flagged, {when}   ",
                  end="" if self.done < self.total else "\n", file=self.out, flush=True)
        else:
            score = f"{result.score}/{len(result.statuses)}" if result.exercise else "not graded"
            line = f"[{self.done}/{self.total}] {for_terminal(result.path)}: {score} ({when})"
            print(line, file=self.out, flush=True)


def course_digest(package: Path) -> str:
    """A hash of the course package's source files: a submission that changes them is caught (without bwrap)."""
    sha = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        sha.update(str(path).encode() + path.read_bytes())
    return sha.hexdigest()


def run(args) -> list[Submission]:
    notebooks = shard_of(submissions.find_notebooks(args.paths), args.shard)
    calls = submissions.released_calls(args.exercises, TASKS)
    rows = CsvRows(args.csv, TASKS) if args.csv else None  # a bad --csv is found before anyone is graded
    private = Path(tempfile.mkdtemp(prefix="nanograd-grade-"))
    try:
        limits = Limits(memory_mb=args.memory_limit, cpu_seconds=int(args.time_limit) + 60)
        isolation = Isolation(private, limits, args.sandbox, args.jobs)
        for path in notebooks:
            folder = isolation.visible_to_submissions(path) if isolation.sandboxed else None
            if folder:
                raise GradeError(f"{path} is inside {folder}, which every sandbox can read: move the submissions out")
        snapshots = submissions.take_snapshots(notebooks, private / "submitted")
        isolation.prepare()
        if isolation.sandboxed:
            problem = isolation.self_test(private)
            if problem and args.sandbox == "bwrap":
                raise GradeError(f"bubblewrap does not work here ({problem}); grade without --sandbox bwrap")
            if problem:
                isolation.turn_off(f"bubblewrap does not work here ({problem})")
        if not isolation.sandboxed:
            why = isolation.reason_off or "--sandbox off"
            print(f"{PROGRAM}: no sandbox ({why}); each submission still runs with resource limits, a clean "
                  f"environment and its own session, but: " + "; ".join(OFF_WITHOUT_BWRAP), file=sys.stderr)
        settings = Settings(TASKS, calls, isolation, args.time_limit, args.output_limit, args.exercise)
        return _grade_all(snapshots, settings, args.jobs, rows, private)
    finally:
        if rows:
            rows.close()
        shutil.rmtree(private, ignore_errors=True)


def _grade_all(snapshots, settings: Settings, jobs: int, rows: CsvRows | None, private: Path) -> list[Submission]:
    slots: queue.Queue[int] = queue.Queue()
    for slot in range(jobs):
        slots.put(slot)
    course = course_digest(settings.isolation.package)
    workspace = private / "work"
    workspace.mkdir()

    def one(snapshot) -> Submission:
        slot = slots.get()
        try:
            return grade(snapshot, settings, slot, workspace)
        finally:
            slots.put(slot)

    progress = Progress(len(snapshots))
    results: list[Submission] = []
    stopped = None
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # the largest files first (those with outputs tend to run longest), so that no long one is left alone at the end
        by_size = sorted(snapshots, key=lambda s: s.copy.stat().st_size if s.copy else 0, reverse=True)
        pending = {pool.submit(one, snapshot): snapshot for snapshot in by_size}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                snapshot = pending.pop(future)
                result = future.result()
                changed = submissions.changed_since(snapshot)
                if changed:
                    result.flags.append(changed)
                if not settings.isolation.sandboxed and course_digest(settings.isolation.package) != course:
                    result.flags.append("the course's files changed while it ran")
                    stopped = f"the course's files changed while {snapshot.path} was graded: grading stopped"
                results.append(result)
                if rows:
                    rows.add(result)
                progress.update(result)
            if stopped:
                for future in pending:
                    future.cancel()
                break
    if stopped:
        raise GradeError(stopped + "; grade with bubblewrap, and re-install the course")
    by_path = {result.path: result for result in results}
    for snapshot in snapshots:  # again at the end: a later submission may have reached an earlier one's file
        result, changed = by_path[snapshot.path], submissions.changed_since(snapshot)
        if changed and changed not in result.flags:
            result.flags.append(changed)
    if rows:  # written a row at a time as they came; now once more, in order and with what the end found
        rows.rewrite(sorted(results, key=lambda result: str(result.path)))
    return results


def main(argv: list[str] | None = None) -> int:
    """Grade the submissions named on the command line. Exit status 0, 1 if grading could not go on
    (the one-line reason on standard error), 2 for a command line argparse refuses."""
    p = parser()
    args = p.parse_args(argv)
    if args.time_limit <= 0 or args.output_limit <= 0 or args.memory_limit <= 0 or args.jobs <= 0:
        p.error("--time-limit, --output-limit, --memory-limit and --jobs must be positive")
    if args.csv is not None and args.csv.suffix.lower() != ".csv":
        p.error(f"--csv takes a file name ending in .csv, got {args.csv}")
    if args.merge and (args.csv is None or args.paths):
        p.error("--merge takes the shards' CSV files and --csv for the joined file, and no PATH")
    if not args.merge and not args.paths:
        p.error("the following arguments are required: PATH")
    try:
        if args.merge:
            count = merge(args.merge, args.csv)
            print(f"wrote {args.csv}: {count} rows from {len(args.merge)} files")
            return 0
        results = run(args)
        print_table(results, TASKS)
        if args.csv is not None:
            print(f"\nwrote {args.csv}")
    except GradeError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
    return 0
