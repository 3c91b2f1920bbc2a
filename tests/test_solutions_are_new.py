"""An exercise asks for something the course notebooks have not already written out.

A solution region (``### BEGIN SOLUTION`` ... ``### END SOLUTION``) that repeats three consecutive lines of
a course notebook's code is a task the student can finish by copying; every region must be new.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
RUN = 3  # consecutive lines


def meaningful(lines: list[str]) -> list[str]:
    """Lines as a reader compares them: stripped, without blank lines and comments."""
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def solution_regions(path: Path) -> list[list[str]]:
    regions = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        inside: list[str] | None = None
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line:
                inside = []
            elif "END SOLUTION" in line:
                regions.append(meaningful(inside or []))
                inside = None
            elif inside is not None:
                inside.append(line)
    return regions


def runs_of_lines(lines: list[str]) -> set[tuple[str, ...]]:
    return {tuple(lines[i : i + RUN]) for i in range(len(lines) - RUN + 1)}


def course_runs() -> dict[tuple[str, ...], str]:
    """Every run of consecutive meaningful lines of every code cell of the course, and where it is."""
    found = {}
    for path in COURSE:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code":
                for run in runs_of_lines(meaningful(cell.source.splitlines())):
                    found.setdefault(run, f"notebooks/{path.name}, cell {index}")
    return found


def repeated(region: list[str], known: dict[tuple[str, ...], str]) -> list[str]:
    return [f"{known[run]}: {' / '.join(run)}" for run in sorted(runs_of_lines(region)) if run in known]


def test_a_copied_region_is_found():
    known = {("def f(x):", "y = x * 2", "return y"): "notebooks/01_value_graph.ipynb, cell 3"}
    assert repeated(["def f(x):", "y = x * 2", "return y", "pass"], known) == [
        "notebooks/01_value_graph.ipynb, cell 3: def f(x): / y = x * 2 / return y"
    ]
    assert repeated(["def f(x):", "y = x * 3", "return y"], known) == []


def test_every_solution_notebook_has_regions():
    assert SOLUTIONS and all(solution_regions(path) for path in SOLUTIONS)


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_no_solution_region_repeats_three_lines_of_a_course_notebook(path):
    known = course_runs()
    copied = [found for region in solution_regions(path) for found in repeated(region, known)]
    assert copied == []
