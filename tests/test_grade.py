"""nanograd.course.grade: real kernels grade the real solutions, the unsolved exercises and broken submissions.

One grading run (the command line, in a subprocess, as an instructor runs it) covers every case;
the tests read its CSV and its table. Expected scores come from the task lists in nanograd.course.checks
and from what each broken submission does, never from the grader's own output.
"""

import csv
import hashlib
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nanograd.course import grade
from nanograd.course.checks import MIME_TYPE as CHECK_MIME
from nanograd.course.checks import TASKS

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "solutions" / "01_value_graph.ipynb"
TIME_LIMIT = 20


def _check_cell_of(notebook, task: str) -> int:
    """Index of the cell whose stored output is the check of ``task``."""
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("data", {}).get(CHECK_MIME, {}).get("task") == task:
                return index
    raise AssertionError(f"no check cell for task {task} in {BASE}")


def _broken(folder: Path, name: str, code: str) -> Path:
    """The solution of exercise 01 with ``code`` inserted just before the check of its last task."""
    notebook = nbformat.read(BASE, as_version=4)
    last_task = TASKS["01_value_graph"][-1][0]
    notebook.cells.insert(_check_cell_of(notebook, last_task), nbformat.v4.new_code_cell(code))
    path = folder / f"01_value_graph-{name}.ipynb"
    nbformat.write(notebook, path)
    return path


BROKEN = {
    "raises": "raise RuntimeError('a student bug')",
    "loops": "while True:\n    pass",
    "exits": "import sys\nsys.exit(3)",
    "kills": "import os\nos._exit(1)",
    "floods": "for i in range(200_000):\n    print('flood', i)",
    "deletes": "import os\nfor name in os.listdir('.'):\n    os.remove(name)",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    for source in ("solutions", "exercises"):
        (folder / source).mkdir()
        for notebook in sorted((ROOT / source).glob("[0-9][0-9]_*.ipynb")):
            (folder / source / notebook.name).write_bytes(notebook.read_bytes())
    (folder / "broken").mkdir()
    for name, code in BROKEN.items():
        _broken(folder / "broken", name, code)
    (folder / "broken" / "not-json.ipynb").write_text("this is not a notebook")
    submitted = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.ipynb")}

    table = subprocess.run(
        [sys.executable, "-m", "nanograd.course.grade", "solutions", "exercises", "broken",
         "--csv", "grades.csv", "--time-limit", str(TIME_LIMIT), "--output-limit", "100000"],
        cwd=folder, capture_output=True, text=True, timeout=900,
    )
    assert table.returncode == 0, table.stderr
    with open(folder / "grades.csv", newline="") as handle:
        rows = {Path(row["file"]).as_posix(): row for row in csv.DictReader(handle)}
    return {"rows": rows, "stdout": table.stdout, "submitted": submitted}


def _statuses(row) -> list[str]:
    return [row[f"task_{i}"] for i in range(1, int(row["out_of"]) + 1)]


def test_every_solution_gets_full_marks(graded):
    for exercise, tasks in TASKS.items():
        row = graded["rows"][f"solutions/{exercise}.ipynb"]
        assert row["exercise"] == exercise
        assert (int(row["score"]), int(row["out_of"])) == (len(tasks), len(tasks))
        assert _statuses(row) == ["passed"] * len(tasks)


def test_every_unsolved_exercise_gets_zero(graded):
    for exercise, tasks in TASKS.items():
        row = graded["rows"][f"exercises/{exercise}.ipynb"]
        assert int(row["score"]) == 0
        assert _statuses(row) == ["not attempted"] * len(tasks)


def _row(graded, name):
    return graded["rows"][f"broken/01_value_graph-{name}.ipynb"]


N = len(TASKS["01_value_graph"])


def test_a_cell_that_raises_costs_nothing_else(graded):
    row = _row(graded, "raises")
    assert _statuses(row) == ["passed"] * N
    assert "raised RuntimeError" in row["notes"]


@pytest.mark.parametrize("name, note", [
    ("loops", f"still running at the time limit of {TIME_LIMIT} s"),
    ("kills", "the kernel died"),
])
def test_a_submission_that_stops_loses_only_the_tasks_after_it(graded, name, note):
    row = _row(graded, name)
    assert _statuses(row) == ["passed"] * (N - 1) + ["not run"]
    assert int(row["score"]) == N - 1
    assert note in row["notes"]


def test_sys_exit_is_an_error_in_its_own_cell(graded):
    row = _row(graded, "exits")
    # IPython turns sys.exit into a SystemExit error in that cell; the kernel lives on.
    assert "SystemExit" in row["notes"]
    assert int(row["score"]) >= N - 1


def test_a_flood_of_output_is_cut_and_the_checks_still_count(graded):
    row = _row(graded, "floods")
    assert _statuses(row) == ["passed"] * N
    assert "printed more than 100,000 bytes" in row["notes"]


def test_deleting_files_in_its_folder_harms_only_the_copy(graded):
    row = _row(graded, "deletes")
    assert _statuses(row) == ["passed"] * N


def test_no_submitted_file_is_changed(graded):
    for path, digest in graded["submitted"].items():
        assert path.exists(), f"{path} was deleted"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} was modified"


def test_an_unreadable_file_is_reported_not_graded(graded):
    row = graded["rows"]["broken/not-json.ipynb"]
    assert row["exercise"] == "" and row["score"] == "0"
    assert "not a readable notebook" in row["notes"]
    assert "not graded" in graded["stdout"]


def test_the_table_shows_each_exercise_with_scores(graded):
    out = graded["stdout"]
    for exercise, tasks in TASKS.items():
        assert f"{exercise}: task 1: {tasks[0][1]}" in out
        assert f"{len(tasks)}/{len(tasks)}" in out


def run_grader(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nanograd.course.grade", *args], cwd=folder,
                          capture_output=True, text=True, timeout=120)


def test_bad_paths_are_one_line_on_stderr_and_exit_status_1(tmp_path):
    missing = run_grader(tmp_path, "nowhere.ipynb")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == (
        "nanograd.course.grade: nowhere.ipynb is neither a notebook (.ipynb) nor a folder: check the path\n"
    )
    (tmp_path / "empty").mkdir()
    empty = run_grader(tmp_path, "empty")
    assert (empty.returncode, empty.stdout) == (1, "")
    assert empty.stderr == (
        "nanograd.course.grade: no notebooks found in empty: name the submitted .ipynb files or their folder\n"
    )


def test_a_csv_file_that_cannot_be_written_is_one_line_and_exit_status_1(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")  # not a notebook: reported in the table, and no kernel needed
    done = run_grader(tmp_path, "a.ipynb", "--csv", "no-such-folder/grades.csv")
    assert done.returncode == 1
    assert "not a readable notebook" in done.stdout  # the table came first
    assert done.stderr.splitlines()[-1] == (
        "nanograd.course.grade: cannot write no-such-folder/grades.csv: No such file or directory; "
        "choose another --csv file"
    )
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "args, complaint",
    [
        (["a.ipynb", "--csv", "a.ipynb"], "--csv takes a file name ending in .csv, got a.ipynb"),
        (["a.ipynb", "--time-limit", "0"], "--time-limit and --output-limit must be positive"),
        ([], "the following arguments are required: PATH"),
    ],
)
def test_a_bad_command_line_is_usage_and_exit_status_2_as_argparse_does(tmp_path, args, complaint):
    (tmp_path / "a.ipynb").write_text("{}")
    done = run_grader(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: python -m nanograd.course.grade") and complaint in done.stderr
    assert (tmp_path / "a.ipynb").read_text() == "{}"


def test_the_table_goes_to_standard_output_as_it_is_when_printed(capsys):
    """print_table looks sys.stdout up when it prints, so that a caller (or capsys) who replaced it gets the table."""
    result = grade.Submission(Path("alice_01.ipynb"), exercise="01_value_graph")
    result.statuses = {task: "passed" for task, _ in TASKS["01_value_graph"]}
    grade.print_table([result], TASKS)
    lines = capsys.readouterr().out.splitlines()
    titles = ", ".join(f"task {task}: {title}" for task, title in TASKS["01_value_graph"])
    assert lines[1] == f"01_value_graph: {titles}"
    assert lines[3].split() == ["alice_01.ipynb", *["pass"] * N, f"{N}/{N}"]
