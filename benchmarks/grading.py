"""How fast ``python -m nanograd.course.grade`` grades a class: notebooks per minute at -j 1 and at -j 2.

Run it with ``make bench-grading`` (or ``.venv/bin/python benchmarks/grading.py``). It makes a class of
``--notebooks`` submissions (default 20) from the course's solutions and exercises, half solved and half
not, in every exercise, and grades the whole folder with ``-j 1`` and with ``-j 2`` in each of ``--rounds``
rounds (default 2; each a fresh command, as an instructor runs it; the sandbox is bubblewrap where it works).
It prints wall-clock times, notebooks per minute, and the ratio of -j 2 to -j 1 in each round and their
median; it also checks that every run gave the same marks. The target is -j 2 in at most 0.6 of the time of
-j 1 on two cores. Wall-clock time on a shared machine is noisy: the figures are reported, never fatal; only
a difference in marks makes the exit status 1.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nanograd.course.checks import TASKS  # noqa: E402
from nanograd.course.grade.cli import default_jobs  # noqa: E402
from tools import make_exercises as generator  # noqa: E402

TARGET_RATIO = 0.6


def make_class(folder: Path, count: int) -> None:
    exercises = list(TASKS)
    for number in range(count):
        exercise = exercises[number % len(exercises)]
        solution = nbformat.read(ROOT / "solutions" / f"{exercise}.ipynb", as_version=4)
        notebook = generator.make_exercise(solution, f"solutions/{exercise}.ipynb") if number % 2 else solution
        nbformat.write(notebook, folder / f"student{number:03d}-{exercise}.ipynb")


def grade(folder: Path, jobs: int, time_limit: int) -> tuple[float, dict]:
    target = folder.parent / f"grades-j{jobs}.csv"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "nanograd.course.grade", str(folder), "--csv", str(target), "-j", str(jobs),
         "--time-limit", str(time_limit)],
        capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"grading failed at -j {jobs}: {done.stderr.strip().splitlines()[-1]}")
    with open(target, newline="") as handle:
        marks = {row["file"]: row["score"] for row in csv.DictReader(handle)}
    return elapsed, marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=int, default=20, help="submissions in the class (default 20)")
    parser.add_argument("--time-limit", type=int, default=120, help="the grader's --time-limit (default 120)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of -j 1 and -j 2, side by side (default 2)")
    args = parser.parse_args()
    times: dict[int, list[float]] = {1: [], 2: []}
    first_marks: dict = {}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="nanograd-bench-grading-") as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        make_class(folder, args.notebooks)
        for round_ in range(args.rounds):
            # side by side: each round runs both, and every other round starts with -j 2, so that a slow
            # stretch of a shared machine falls on both in turn
            for jobs in (1, 2) if round_ % 2 == 0 else (2, 1):
                print(f"round {round_ + 1} of {args.rounds}: grading {args.notebooks} notebooks at -j {jobs} ...",
                      file=sys.stderr, flush=True)
                seconds, marks = grade(folder, jobs, args.time_limit)
                times[jobs].append(seconds)
                first_marks = first_marks or marks
                if marks != first_marks:
                    print(f"-j {jobs} gave other marks than the first run, in round {round_ + 1}", file=sys.stderr)
                    return 1
            load.append(os.getloadavg()[0])
    cores = default_jobs()  # the cores this process may use, as the grader counts them for -j
    print(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}, {cores} cores; "
          f"{args.notebooks} notebooks (half solved), every exercise; {args.rounds} rounds side by side")
    print(f"load average (1 min) before and after each round: {', '.join(f'{x:.1f}' for x in load)} "
          f"(other work on the machine slows -j 2 most)")
    print()
    print("| jobs | wall-clock s, each round | median s | notebooks per minute |")
    print("|---|---|---|---|")
    for jobs, seconds in times.items():
        median = statistics.median(seconds)
        rounds = ", ".join(f"{x:.1f}" for x in seconds)
        print(f"| -j {jobs} | {rounds} | {median:.1f} | {60 * args.notebooks / median:.1f} |")
    ratios = [two / one for one, two in zip(times[1], times[2], strict=True)]
    ratio = statistics.median(ratios)
    print()
    met = "yes" if ratio <= TARGET_RATIO else "no"
    print(f"-j 2 takes {ratio:.2f} of the time of -j 1, the median of the rounds' "
          f"{', '.join(f'{r:.2f}' for r in ratios)} (target <= {TARGET_RATIO}: {met})")
    print(f"every run gave the same marks ({sum(map(int, first_marks.values()))} points in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
