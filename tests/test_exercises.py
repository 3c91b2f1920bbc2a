"""exercises/ is exactly what tools/make_exercises.py makes from solutions/, and both were run and saved.

These tests read the notebooks; they do not run them (nbval does that in `make test`). They check that each
exercise's cells are the generator's output for its solution, that both notebooks were executed top to bottom
with one verdict per check cell (every check "not attempted" in exercises/, "passed" in solutions/), and that
the generator refuses what would break an unsolved exercise or overwrite someone's work.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from nanograd.course import checks
from tools import make_exercises as generator

from expected import SETUP_CHECK

ROOT = Path(__file__).resolve().parents[1]
EXERCISE_IDS = list(checks.TASKS)
CHECK_MIME = checks.MIME_TYPE
CHECK_CELL = re.compile(r"checks\.task_(\d\d)_(\d+)\((\w+)\)")


def read(folder: str, exercise: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / folder / f"{exercise}.ipynb", as_version=4)


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


# --- the stored notebooks


def test_there_is_one_exercise_and_one_solution_per_listed_exercise():
    for folder in ("solutions", "exercises"):
        assert sorted(path.stem for path in (ROOT / folder).glob("*.ipynb")) == sorted(EXERCISE_IDS), folder


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_the_exercise_is_what_the_generator_makes_from_the_solution(exercise):
    made = generator.make_exercise(read("solutions", exercise), f"solutions/{exercise}.ipynb")
    stored = read("exercises", exercise)
    assert [(c.cell_type, c.get("id"), c.source) for c in stored.cells] == [
        (c.cell_type, c.get("id"), c.source) for c in made.cells
    ], f"exercises/{exercise}.ipynb is out of date: run .venv/bin/python -m tools.make_exercises"
    assert stored.metadata[generator.GENERATED_KEY] == made.metadata[generator.GENERATED_KEY]


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_each_notebook_opens_with_its_title_and_the_setup_check_and_names_its_exercise(folder, exercise):
    notebook = read(folder, exercise)
    assert notebook.metadata["nanograd"] == {"exercise": exercise}
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# Exercises {exercise[:2]} · ")
    assert "**How it works.**" in first.source and "not attempted yet" in first.source
    assert code_cells(notebook)[0].source == SETUP_CHECK


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_solutions_hold_regions_and_exercises_hold_none(exercise):
    solution, unsolved = read("solutions", exercise), read("exercises", exercise)
    assert sum(c.source.count("### BEGIN SOLUTION") for c in code_cells(solution)) >= len(checks.TASKS[exercise])
    for cell in unsolved.cells:
        assert not any(marker in cell.source for marker in generator.MARKERS)
    assert sum(c.source.count("raise NotImplementedError()") for c in code_cells(unsolved)) == sum(
        c.source.count("### BEGIN SOLUTION") for c in code_cells(solution)
    )


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
@pytest.mark.parametrize("folder, status", [("solutions", "passed"), ("exercises", "not attempted")])
def test_saved_from_one_run_with_one_verdict_per_check_cell(folder, status, exercise):
    notebook = read(folder, exercise)
    cells = code_cells(notebook)
    assert [cell.execution_count for cell in cells] == list(range(1, len(cells) + 1)), (
        f"{folder}/{exercise}.ipynb was not saved from one top-to-bottom run"
    )
    assert not [o for cell in cells for o in cell.outputs if o.output_type == "error"]
    verdicts = []
    for cell in cells:
        match = CHECK_CELL.fullmatch(cell.source.strip())
        if not match:
            assert not any(CHECK_MIME in o.get("data", {}) for o in cell.outputs)
            continue
        assert match[1] == exercise[:2]
        assert len(cell.outputs) == 1, f"a check cell of {folder}/{exercise}.ipynb shows {len(cell.outputs)} outputs"
        output = cell.outputs[0]
        assert output.output_type == "display_data"
        report = output.data[CHECK_MIME]
        assert set(report) == {"exercise", "task", "title", "status", "message"}
        assert (report["exercise"], report["task"], report["status"]) == (exercise, match[2], status), report["message"]
        verdict = checks.VERDICTS[status]
        text = f"Task {report['task']} ({report['title']}): {verdict}.\n{report['message']}"
        assert output.data["text/plain"] == text
        verdicts.append((report["task"], report["title"]))
    assert verdicts == checks.TASKS[exercise]


# --- the generator on small notebooks


def solution_notebook(*cells, exercise="99_test") -> nbformat.NotebookNode:
    notebook = new_notebook()
    notebook.cells = [new_markdown_cell("# A test") if cell is None else new_code_cell(cell) for cell in cells]
    notebook.metadata["nanograd"] = {"exercise": exercise}
    return notebook


def refusal(*cells, **kwargs) -> str:
    with pytest.raises(generator.GeneratorError) as caught:
        generator.make_exercise(solution_notebook(*cells, **kwargs), "solutions/99_test.ipynb")
    return str(caught.value)


FUNCTION = "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION"


def test_a_region_becomes_your_code_here_at_the_markers_indentation():
    made = generator.make_exercise(
        solution_notebook(
            None,
            "class A:\n    def f(self):\n        y = 1\n"
            "        ### BEGIN SOLUTION\n        return y\n        ### END SOLUTION\n",
            FUNCTION + "\n\n### BEGIN HIDDEN TESTS\nassert f(1) == 2\n### END HIDDEN TESTS\nprint('done')",
        ),
        "solutions/99_test.ipynb",
    )
    assert made.cells[1].source == (
        "class A:\n    def f(self):\n        y = 1\n        # YOUR CODE HERE\n        raise NotImplementedError()\n"
    )
    assert made.cells[2].source == "def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n\nprint('done')"
    assert made.cells[2].outputs == [] and made.cells[2].execution_count is None
    assert made.metadata["nanograd"] == {"exercise": "99_test"}


@pytest.mark.parametrize(
    "cell, says",
    [
        (
            "### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
            "cell 1: the solution region at line 1 is not inside a function body",
        ),
        (
            "for i in range(3):\n    ### BEGIN SOLUTION\n    print(i)\n    ### END SOLUTION",
            "not inside a function body",
        ),
        ("class A:\n    ### BEGIN SOLUTION\n    size = 3\n    ### END SOLUTION", "not inside a function body"),
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "line 2: BEGIN SOLUTION has no END SOLUTION after it"),
        ("def f():\n    return 1\n    ### END SOLUTION", "line 3: END SOLUTION without a BEGIN SOLUTION before it"),
        (
            "def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\n",
            "line 3: BEGIN SOLUTION inside the region that BEGIN SOLUTION opened on line 2",
        ),
        ("def f():\n    ### BEGIN HIDDEN TESTS\n    ### END SOLUTION", "END SOLUTION without a BEGIN SOLUTION"),
        ("def f():\n    if True:\n### BEGIN SOLUTION\n        return 1\n### END SOLUTION", "not valid Python"),
    ],
)
def test_the_generator_refuses_a_region_that_would_break_the_exercise(cell, says):
    message = refusal(cell)
    assert message.startswith("solutions/99_test.ipynb, cell 1")
    assert says in message


def test_the_generator_refuses_markers_outside_code_cells_and_a_notebook_without_regions():
    notebook = solution_notebook(FUNCTION)
    notebook.cells.append(new_markdown_cell("Write it between ### BEGIN SOLUTION and ### END SOLUTION."))
    with pytest.raises(generator.GeneratorError, match="cell 2 is a markdown cell with a solution marker"):
        generator.make_exercise(notebook, "solutions/99_test.ipynb")
    assert "has no ### BEGIN SOLUTION region" in refusal("x = 1")
    assert 'metadata must say "nanograd": {"exercise": "99_test"}' in refusal(FUNCTION, exercise="01_value_graph")


def test_the_generator_writes_only_inside_the_exercises_folder(tmp_path):
    exercise = generator.make_exercise(solution_notebook(FUNCTION), "solutions/99_test.ipynb")
    elsewhere = [tmp_path / "99_test.ipynb", generator.EXERCISES / "sub" / "99_test.ipynb"]
    for path in (*elsewhere, generator.EXERCISES / "99_test.txt"):
        with pytest.raises(generator.GeneratorError, match="writes only notebooks directly inside"):
            generator.write_exercise(exercise, path)
        assert not path.exists()
    with pytest.raises(generator.GeneratorError, match="is not a notebook in"):
        generator.solution_paths([str(ROOT / "exercises" / "01_value_graph.ipynb")])


def test_an_exercise_that_someone_edited_is_never_replaced(tmp_path):
    path = tmp_path / "99_test.ipynb"
    generator.check_safe_to_replace(path)  # nothing there yet: fine
    exercise = generator.make_exercise(solution_notebook(FUNCTION), "solutions/99_test.ipynb")
    nbformat.write(exercise, path)
    generator.check_safe_to_replace(path)  # exactly as generated: fine
    exercise.cells[0].outputs = [nbformat.v4.new_output("stream", text="run by a student\n")]
    nbformat.write(exercise, path)
    generator.check_safe_to_replace(path)  # run, but not edited: fine
    exercise.cells[0].source = exercise.cells[0].source.replace("raise NotImplementedError()", "return x + 1")
    nbformat.write(exercise, path)
    answered = path.read_bytes()
    with pytest.raises(generator.GeneratorError, match="was changed after it was generated") as caught:
        generator.check_safe_to_replace(path)
    assert "mv " in str(caught.value)
    assert path.read_bytes() == answered
    path.write_text("not a notebook")
    with pytest.raises(generator.GeneratorError, match="is not a notebook this generator can read"):
        generator.check_safe_to_replace(path)


def executed(status: str, tasks: list[str]) -> nbformat.NotebookNode:
    notebook = solution_notebook(FUNCTION, exercise="03_backward")
    notebook.cells[0].outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": "verdict", CHECK_MIME: {
            "exercise": "03_backward", "task": task, "title": "t", "status": status, "message": "m"}})
        for task in tasks
    ]
    return notebook


def test_the_generator_refuses_an_exercise_whose_checks_do_not_all_say_not_attempted():
    all_tasks = [task for task, _ in checks.TASKS["03_backward"]]
    generator.check_outputs(executed("not attempted", all_tasks), "03_backward.ipynb")
    with pytest.raises(generator.GeneratorError, match="the check of task 1 says 'passed' on the unsolved exercise"):
        generator.check_outputs(executed("passed", all_tasks), "03_backward.ipynb")
    with pytest.raises(generator.GeneratorError, match="but nanograd.course.checks.TASKS lists"):
        generator.check_outputs(executed("not attempted", all_tasks[:-1]), "03_backward.ipynb")


# --- the command line: python -m tools.make_exercises, one line on standard error for each refusal


def run_generator(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tools.make_exercises", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_command_names_a_path_outside_solutions_in_one_line_and_exits_with_1():
    done = run_generator("exercises/01_value_graph.ipynb")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (
        "tools.make_exercises: exercises/01_value_graph.ipynb is not a notebook in solutions/: "
        "the generator reads solutions/ and writes exercises/\n"
    )


def test_the_command_refuses_an_unknown_option_as_bad_usage_with_2():
    done = run_generator("--all")
    assert done.returncode == 2 and "unrecognized arguments: --all" in done.stderr


@pytest.fixture
def course_folders(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """Empty solutions/ and exercises/ folders in tmp_path, which the generator uses instead of the course's."""
    solutions, exercises = tmp_path / "solutions", tmp_path / "exercises"
    solutions.mkdir()
    exercises.mkdir()
    monkeypatch.setattr(generator, "SOLUTIONS", solutions)
    monkeypatch.setattr(generator, "EXERCISES", exercises)
    return solutions, exercises


def test_an_edited_exercise_stops_the_command_before_anything_runs(course_folders, capsys):
    solutions, exercises = course_folders
    nbformat.write(solution_notebook(FUNCTION), solutions / "99_test.ipynb")
    answered = generator.make_exercise(solution_notebook(FUNCTION), "solutions/99_test.ipynb")
    answered.cells[0].source = "def f(x):\n    return x + 1"
    nbformat.write(answered, exercises / "99_test.ipynb")
    before = (exercises / "99_test.ipynb").read_bytes()
    assert generator.main([]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"tools.make_exercises: {exercises / '99_test.ipynb'} was changed after it was generated")
    assert error.count("\n") == 1 and "Traceback" not in error
    assert (exercises / "99_test.ipynb").read_bytes() == before
    assert [path.name for path in exercises.iterdir()] == ["99_test.ipynb"]  # no draft: nothing was run


def test_an_unreadable_solution_is_one_line_not_a_traceback(course_folders, capsys):
    solutions, _ = course_folders
    (solutions / "99_test.ipynb").write_text("not a notebook")
    assert generator.main([]) == 1
    assert capsys.readouterr().err == (
        f"tools.make_exercises: {solutions / '99_test.ipynb'} is not a readable notebook "
        f"(NotJSONError: Notebook does not appear to be JSON: 'not a notebook')\n"
    )
