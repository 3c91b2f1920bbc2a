"""The results: a table on the terminal and a CSV file, both safe from what a submission wrote.

Text from a submission (file names, error names, the checks' messages) reaches both. For the terminal every
control character (escape codes that move the cursor or forge lines, carriage returns, bidirectional
overrides) is shown escaped; for a spreadsheet a cell that starts with ``= + - @`` (a formula) is quoted
with a leading apostrophe. The CSV is written a row at a time, flushed, so that a grader that is stopped
leaves the rows it finished.
"""

from __future__ import annotations

import csv
import os
import re
import sys
from pathlib import Path

from .submissions import GradeError

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MARKS = {"passed": "pass", "wrong": "wrong", "not attempted": "-", "not run": "not run"}


def for_terminal(text: object) -> str:
    """``text`` with every control character shown as an escape (\\x1b, \\n, \\u202e)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), str(text).replace("\t", " "))


def for_spreadsheet(text: object) -> str:
    """``text`` cleaned for the terminal, and quoted with an apostrophe if a spreadsheet would read a formula."""
    cleaned = for_terminal(text)
    return "'" + cleaned if cleaned.startswith(FORMULA_START) else cleaned


def columns(tasks: dict) -> list[str]:
    most = max((len(t) for t in tasks.values()), default=0)
    return ["file", "exercise", "score", "out_of", *[f"task_{i}" for i in range(1, most + 1)], "notes", "flags"]


class CsvRows:
    """The CSV file, opened (and checked) before grading starts, written a row at a time."""

    def __init__(self, target: Path, tasks: dict) -> None:
        self.target = target
        self.header = columns(tasks)
        self.tasks = tasks
        try:
            self.handle = open(target, "w", newline="", encoding="utf-8")
        except OSError as error:
            raise GradeError(f"cannot write {target}: {error.strerror}; choose another --csv file") from None
        self.writer = csv.writer(self.handle)
        self._write(self.header)

    def _write(self, row: list) -> None:
        self.writer.writerow(row)
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def add(self, result) -> None:
        out_of = len(self.tasks[result.exercise]) if result.exercise else 0
        statuses = list(result.statuses.values())
        padding = [""] * (len(self.header) - 6 - len(statuses))
        self._write([
            for_spreadsheet(result.path), result.exercise or "", result.score, out_of, *statuses, *padding,
            for_spreadsheet("; ".join(result.notes)), for_spreadsheet("; ".join(result.flags)),
        ])

    def rewrite(self, results: list) -> None:
        """Replace the file, in one step, by the header and a row for each of ``results``, in their order."""
        self.handle.close()
        draft = self.target.with_name(f".{self.target.name}.part")
        self.handle = open(draft, "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.handle)
        self._write(self.header)
        for result in results:
            self.add(result)
        self.handle.close()
        os.replace(draft, self.target)

    def close(self) -> None:
        self.handle.close()


def print_table(results: list, tasks: dict, out=None) -> None:
    """One block per exercise: a row per file, a column per task, the score, then notes and flags (``!``)."""
    out = sys.stdout if out is None else out  # looked up now, not at import: a caller may have replaced it
    for exercise in [*tasks, None]:
        rows = sorted((r for r in results if r.exercise == exercise), key=lambda r: str(r.path))
        if not rows:
            continue
        names = [for_terminal(r.path) for r in rows]
        width = max(len("file"), *(len(n) for n in names))
        if exercise is None:
            print("\nnot graded", file=out)
            for name, r in zip(names, rows, strict=True):
                print(f"  {name:<{width}}  {for_terminal('; '.join(r.notes + r.flags))}", file=out)
            continue
        task_ids = [task for task, _ in tasks[exercise]]
        print(f"\n{exercise}: " + ", ".join(f"task {task}: {title}" for task, title in tasks[exercise]), file=out)
        print(f"  {'file':<{width}}  " + "".join(f"{'task ' + t:>9}" for t in task_ids) + "    score  notes", file=out)
        for name, r in zip(names, rows, strict=True):
            cells = "".join(f"{MARKS.get(r.statuses.get(t), r.statuses.get(t)):>9}" for t in task_ids)
            told = "; ".join([*r.notes, *(f"! {flag}" for flag in r.flags)])
            print(f"  {name:<{width}}  {cells}  {r.score:>3}/{len(task_ids):<3}  {for_terminal(told)}", file=out)
    flagged = sum(bool(r.flags) for r in results)
    if flagged:
        print(f"\n{flagged} submission(s) flagged (!): look at them before the marks count", file=out)


def merge(parts: list[Path], target: Path) -> int:
    """Join the CSV files of several shards into ``target``, sorted by file; the number of rows."""
    header, rows, seen = None, [], set()
    for part in parts:
        try:
            with open(part, newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                first = next(reader, None)
                if header is None:
                    header = first
                elif first != header:
                    raise GradeError(f"{part} has other columns than {parts[0]}: were both made by this grader?")
                for row in reader:
                    if row and row[0] in seen:
                        raise GradeError(f"{row[0]} is graded in two of the files (a shard given twice?)")
                    seen.add(row[0] if row else "")
                    rows.append(row)
        except OSError as error:
            raise GradeError(f"cannot read {part}: {error.strerror}") from None
    if header is None:
        raise GradeError("nothing to merge")
    try:
        with open(target, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(sorted(rows, key=lambda row: row[0] if row else ""))
    except OSError as error:
        raise GradeError(f"cannot write {target}: {error.strerror}; choose another --csv file") from None
    return len(rows)
