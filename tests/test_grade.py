"""nanograd.course.grade: real sandboxed kernels grade a class of real, broken and hostile submissions.

One grading run (the command line, in a subprocess, with -j 2, as an instructor runs it) covers every case;
the tests read its CSV, its table and what the run left behind. Expected scores come from the task lists in
nanograd.course.checks and from what each submission does, never from the grader's own output. The solved
and unsolved notebooks are the generator's, with nbgrader's metadata (tests/test_grade_nbgrader.py grades
the same files with nbgrader).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from nanograd.course import checks
from nanograd.course.checks import CHECK_CALL, MIME_TYPE, TASKS
from nanograd.course.grade import cli, submissions, table
from nanograd.course.grade.isolation import Isolation, Limits
from tools import make_exercises as generator

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT = 30  # seconds for each phase; the looping notebook costs one slot this long
MARKER = "nanograd-hostile-survivor-7f3a"
EXERCISES = list(TASKS)


# --- the class: notebooks made here


def solution(exercise: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / f"{exercise}.ipynb", as_version=4)


def solved(exercise: str) -> nbformat.NotebookNode:
    """A student's solved notebook: the instructor's nbgrader version without the hidden tests."""
    notebook = generator.nbgrader_source(solution(exercise), f"solutions/{exercise}.ipynb")
    for cell in notebook.cells:
        cell.source = cell.source.split("\n### BEGIN HIDDEN TESTS")[0]
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def unsolved(exercise: str) -> nbformat.NotebookNode:
    return generator.make_exercise(solution(exercise), f"solutions/{exercise}.ipynb")


def check_cell(notebook, task: str) -> int:
    for index, cell in enumerate(notebook.cells):
        match = CHECK_CALL.fullmatch(cell.source.strip())
        if cell.cell_type == "code" and match and match[2] == task:
            return index
    raise AssertionError(f"no check cell for task {task}")


def with_cell(notebook, code: str, at: int | None = None) -> nbformat.NotebookNode:
    """``notebook`` with a code cell of ``code`` inserted at ``at`` (default: just after the imports)."""
    notebook.cells.insert(5 if at is None else at, nbformat.v4.new_code_cell(code))
    return notebook


def fake_records(exercise: str) -> str:
    tasks = [task for task, _ in TASKS[exercise]]
    return (
        "from IPython.display import display\n"
        f"for task in {tasks!r}:\n"
        f"    display({{'text/plain': 'Task ' + task + ': passed.', '{MIME_TYPE}': "
        f"{{'exercise': '{exercise}', 'task': task, 'title': '', 'status': 'passed', 'message': ''}}}}, raw=True)\n"
    )


def spy_table(check, answer) -> dict:
    """The inputs the notebook's own check tries, each with its right answer: a table copied from its messages."""
    found = {}

    def spy(*args):
        found[args] = answer(*args)
        return found[args]

    check(spy)
    return found


def lookup(function: str, arguments: str, table_: dict) -> str:
    return f"TABLE = {table_!r}\n\n\ndef {function}({arguments}):\n    return TABLE[({arguments},)]\n"


def hostile_class(folder: Path) -> dict[str, nbformat.NotebookNode]:
    victim = folder / "hostile" / "victim-01_value_graph.ipynb"
    own = folder / "hostile" / "overwrite-01_value_graph.ipynb"
    reach = (
        "import glob, os\n"
        f"targets = [{str(victim)!r}, {str(own)!r}, {str(folder / 'grades.csv')!r}]\n"
        "for pid in os.listdir('/proc'):\n"
        "    for what in ('cmdline', 'environ'):\n"
        "        try:\n"
        "            text = open(f'/proc/{pid}/{what}', 'rb').read().decode(errors='replace')\n"
        "        except OSError:\n"
        "            continue\n"
        "        targets += [w for w in text.replace('=', '\\0').split('\\0') if w.endswith(('.ipynb', '.csv'))]\n"
        "    try:\n"
        "        targets += glob.glob(os.readlink(f'/proc/{pid}/cwd') + '/**/*.ipynb', recursive=True)\n"
        "    except OSError:\n"
        "        pass\n"
        "targets += glob.glob(os.environ.get('PWD', '/nowhere') + '/**/*.ipynb', recursive=True)\n"
        "targets += glob.glob('/tmp/**/*.ipynb', recursive=True) + glob.glob('/home/**/*.ipynb', recursive=True)\n"
        "written = 0\n"
        "for path in set(targets):\n"
        "    try:\n"
        "        with open(path, 'w') as handle:\n"
        "            handle.write('{}')\n"
        "        written += 1\n"
        "    except OSError:\n"
        "        pass\n"
        "print('overwrote', written, 'of', len(set(targets)))\n"
    )
    kill = (
        "import os, signal\n"
        "for pid in [os.getppid(), *(int(p) for p in os.listdir('/proc') if p.isdigit())]:\n"
        "    if pid != os.getpid():\n"
        "        try:\n"
        "            os.kill(pid, signal.SIGKILL)\n"
        "        except OSError:\n"
        "            pass\n"
    )
    survivor = (
        "import subprocess\n"
        f"subprocess.Popen(['setsid', 'sh', '-c', 'sleep 2; echo pwned >> {folder / 'grades.csv'}; sleep 60', "
        f"'{MARKER}'])\n"
    )
    flood = (
        "from IPython.display import display\n"
        "pad = 'x' * 1_000_000\n"
        "for i in range(300):\n"
        f"    display({{'text/plain': 'x', '{MIME_TYPE}': {{'exercise': '01_value_graph', 'task': '1', "
        "'status': 'passed', 'pad': pad}}, raw=True)\n"
    )
    patch_tasks = (
        "from nanograd import checks\n"
        "from nanograd.course.checks import Result\n\n\n"
        "def fake(task):\n"
        "    def check(function):\n"
        "        result = Result('01_value_graph', task, 'faked', 'passed', 'ok')\n"
        "        result.display()\n"
        "        return result\n"
        "    return check\n\n\n"
        "for task in '1234':\n"
        "    setattr(checks, 'task_01_' + task, fake(task))\n"
    )
    patch_bundle = (
        "from nanograd.course.checks import record\n\n"
        "real_bundle = record.Result.bundle\n\n\n"
        "def bundle(self):\n"
        "    shown = real_bundle(self)\n"
        "    shown[record.MIME_TYPE] = dict(shown[record.MIME_TYPE], status='passed')\n"
        "    return shown\n\n\n"
        "record.Result.bundle = bundle\n"
    )
    thread = (
        "import threading, time\n"
        "from IPython.display import display\n\n\n"
        "def later():\n"
        "    time.sleep(0.3)\n"
        + "\n".join("    " + line for line in fake_records("01_value_graph").splitlines()[1:]) + "\n\n\n"
        "threading.Thread(target=later, daemon=True).start()\n"
    )
    isclose = (
        "def central_difference(f, x, h=1e-5):\n"
        "    import math\n"
        "    math.isclose = lambda *args, **kwargs: True\n"
        "    return 0.0\n"
    )
    snoop = (
        "def build_expression(a, b, c):\n"
        "    import gc, subprocess, sys\n"
        "    for attempt in (lambda: sys._getframe(1).f_globals, gc.get_objects,\n"
        "                    lambda: subprocess.run(['true']), lambda: open('/proc/self/mem', 'rb')):\n"
        "        try:\n"
        "            attempt()\n"
        "        except Exception:\n"
        "            pass\n"
        "    try:\n"
        "        1 / 0\n"
        "    except ZeroDivisionError as error:\n"
        "        try:\n"
        "            error.__traceback__.tb_frame.f_back\n"
        "        except Exception:\n"
        "            pass\n"
        "    raise NotImplementedError()\n"
    )
    forge = (
        "def build_expression(a, b, c):\n"
        "    import os\n"
        "    line = b'{\"seq\": 1, \"event\": \"verdict\", \"task\": \"1\", \"status\": \"passed\"}\\tfeed\\n'\n"
        "    for fd in range(3, 40):\n"
        "        try:\n"
        "            os.write(fd, line)\n"
        "        except OSError:\n"
        "            pass\n"
        "    raise NotImplementedError()\n"
    )
    honest = (  # what an honest student may do in a function: print, raise the recursion limit, recurse
        "import sys\n\n\n"
        "def topo_order(root):\n"
        "    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))\n"
        "    print('visiting from', root.label)\n"
        "    order, seen = [], set()\n\n"
        "    def visit(node):\n"
        "        if node not in seen:\n"
        "            seen.add(node)\n"
        "            for child in node.children:\n"
        "                visit(child)\n"
        "            order.append(node)\n\n"
        "    visit(root)\n"
        "    return order\n"
    )
    honest_03 = solved("03_backward")
    no_checks = unsolved("01_value_graph")
    no_checks.cells = [c for c in no_checks.cells if not CHECK_CALL.fullmatch(c.source.strip())]
    grads_table = spy_table(checks.task_02_1, lambda a, b, c: (c**2, -(c**2), 2 * c * (a - b)))
    of_table = spy_table(
        checks.task_03_2, lambda x, y: (2 * (x * y + y) * y - 1, 2 * (x * y + y) * (x + 1))
    )
    table_02 = unsolved("02_chain_rule_by_hand")
    table_03 = unsolved("03_backward")
    malformed = {}
    for name, value in (("string", "01_value_graph"), ("null", None), ("list", {"exercise": ["01_value_graph"]})):
        notebook = solved("01_value_graph")
        notebook.metadata["nanograd"] = value
        malformed[f"malformed-{name}.ipynb"] = notebook
    return {
        "fake-record-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), fake_records("01_value_graph")),
        "fake-thread-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), thread),
        "fake-no-checks-01_value_graph.ipynb": with_cell(no_checks, fake_records("01_value_graph")),
        "patch-tasks-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), patch_tasks),
        "patch-bundle-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), patch_bundle),
        "table-02_chain_rule_by_hand.ipynb": with_cell(
            table_02, lookup("grads_by_hand", "a, b, c", grads_table), check_cell(table_02, "1")
        ),
        "table-03_backward.ipynb": with_cell(table_03, lookup("grads_of", "x, y", of_table), check_cell(table_03, "2")),
        **malformed,
        "flood-01_value_graph.ipynb": with_cell(solved("01_value_graph"), flood),
        "victim-01_value_graph.ipynb": solved("01_value_graph"),
        "overwrite-01_value_graph.ipynb": with_cell(solved("01_value_graph"), reach),
        "kill-01_value_graph.ipynb": with_cell(solved("01_value_graph"), kill),
        "survivor-01_value_graph.ipynb": with_cell(solved("01_value_graph"), survivor),
        "01-saved-as-03_backward.ipynb": solved("01_value_graph"),
        "memory-01_value_graph.ipynb": with_cell(solved("01_value_graph"), "hog = bytearray(2 * 1024**3)"),
        "isclose-02_chain_rule_by_hand.ipynb": with_cell(unsolved("02_chain_rule_by_hand"), isclose, 17),
        "snoop-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), snoop, 7),
        "forge-01_value_graph.ipynb": with_cell(unsolved("01_value_graph"), forge, 7),
        "honest-03_backward.ipynb": with_cell(honest_03, honest, check_cell(honest_03, "3")),
    }


BROKEN = {
    "raises": "raise RuntimeError('a student bug')",
    "loops": "while True:\n    pass",
    "exits": "import sys\nsys.exit(3)",
    "kills": "import os\nos._exit(1)",
    "floods": "for i in range(200_000):\n    print('flood', i)",
    "deletes": "import os\nfor name in os.listdir('.'):\n    os.remove(name)",
}
FORMULA_NAME = '=HYPERLINK("example.com")-01_value_graph.ipynb'
ESCAPE = "raise type('\\x1b[2K\\rFAKE ROW 4/4', (Exception,), {})()"


def peak_memory_mb(process: subprocess.Popen, peaks: list) -> None:
    """Follow the grader's peak resident memory (VmHWM) until it exits."""
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            break
        time.sleep(0.05)


def survivors_named(marker: str) -> list[str]:
    """The command lines of running processes that hold ``marker``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in command:
            found.append(command)
    return found


def survivors() -> list[str]:
    return survivors_named(MARKER)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed: .ci/run installs it (Debian's bubblewrap)")
    folder = tmp_path_factory.mktemp("class")
    for name, make in (("solved", solved), ("unsolved", unsolved)):
        (folder / name).mkdir()
        for exercise in EXERCISES:
            nbformat.write(make(exercise), folder / name / f"{exercise}.ipynb")
    (folder / "broken").mkdir()
    for name, code in BROKEN.items():
        notebook = solved("01_value_graph")
        broken = with_cell(notebook, code, check_cell(notebook, "4"))
        nbformat.write(broken, folder / "broken" / f"01_value_graph-{name}.ipynb")
    (folder / "broken" / "not-json.ipynb").write_text("this is not a notebook")
    (folder / "hostile").mkdir()
    for name, notebook in hostile_class(folder).items():
        nbformat.write(notebook, folder / "hostile" / name)
    nbformat.write(with_cell(solved("01_value_graph"), ESCAPE), folder / FORMULA_NAME)
    # another interpreter's kernelspec named python3 on the Jupyter path: the grader must not use it
    spec = folder / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/bin/false", "{connection_file}"], "language": "python",
                                                  "display_name": "another Python"}))
    submitted = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.ipynb")}

    environment = {**os.environ, "JUPYTER_PATH": str(folder / "jupyter")}
    process = subprocess.Popen(
        # --sandbox bwrap: where bubblewrap does not work the grader stops, rather than let the hostile
        # submissions (one kills every process it can see) loose on the machine that runs the tests
        [sys.executable, "-m", "nanograd.course.grade", "solved", "unsolved", "broken", "hostile", FORMULA_NAME,
         "--csv", "grades.csv", "--time-limit", str(TIME_LIMIT), "--output-limit", "100000", "-j", "2",
         "--sandbox", "bwrap"],
        cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )
    peaks: list[float] = []
    watcher = threading.Thread(target=peak_memory_mb, args=(process, peaks))
    watcher.start()
    stdout, stderr = process.communicate(timeout=1200)
    watcher.join()
    left_running = survivors()
    csv_digest = hashlib.sha256((folder / "grades.csv").read_bytes()).hexdigest()
    time.sleep(3)  # the survivor would write 2 s after it started
    assert process.returncode == 0, stderr
    with open(folder / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["file"]: row for row in csv.DictReader(handle)}
    return {
        "rows": rows, "stdout": stdout, "stderr": stderr, "submitted": submitted, "folder": folder,
        "peak_mb": max(peaks, default=0.0), "left_running": left_running, "csv_digest": csv_digest,
    }


def statuses(row) -> list[str]:
    return [row[f"task_{i}"] for i in range(1, int(row["out_of"]) + 1)]


def row(graded, name: str):
    return graded["rows"][name]


def test_every_solved_notebook_gets_full_marks_and_no_flag(graded):
    for exercise, tasks in TASKS.items():
        found = row(graded, f"solved/{exercise}.ipynb")
        assert found["exercise"] == exercise
        assert (int(found["score"]), int(found["out_of"])) == (len(tasks), len(tasks)), found
        assert statuses(found) == ["passed"] * len(tasks)
        assert found["flags"] == "", found["flags"]


def test_every_unsolved_notebook_gets_zero_and_no_flag(graded):
    for exercise, tasks in TASKS.items():
        found = row(graded, f"unsolved/{exercise}.ipynb")
        assert int(found["score"]) == 0
        assert statuses(found) == ["not attempted"] * len(tasks)
        assert found["flags"] == "", found["flags"]


N = len(TASKS["01_value_graph"])


@pytest.mark.parametrize("name, note", [
    ("raises", "raised RuntimeError"),
    ("loops", f"still running at {TIME_LIMIT} s"),
    ("exits", "raised SystemExit"),
    ("kills", "the kernel died"),
    ("floods", "printed more than 100,000 bytes"),
    ("deletes", ""),
])
def test_a_broken_notebook_keeps_the_marks_of_its_functions_and_says_what_happened(graded, name, note):
    found = row(graded, f"broken/01_value_graph-{name}.ipynb")
    assert statuses(found) == ["passed"] * N  # the grader's checks run the functions, not the cells
    assert note in found["notes"]


def test_an_unreadable_file_is_one_noted_row(graded):
    found = row(graded, "broken/not-json.ipynb")
    assert (found["exercise"], found["score"]) == ("", "0")
    assert "not a readable notebook" in found["notes"]
    assert "not graded" in graded["stdout"]


@pytest.mark.parametrize("name", ["fake-record", "fake-thread", "fake-no-checks", "patch-tasks", "patch-bundle"])
def test_a_forged_or_patched_verdict_earns_nothing_and_is_flagged(graded, name):
    found = row(graded, f"hostile/{name}-01_value_graph.ipynb")
    assert int(found["score"]) == 0
    assert statuses(found) == ["not attempted"] * N
    assert found["flags"]


def test_what_each_cheat_is_flagged_for(graded):
    def flags(name):
        return row(graded, f"hostile/{name}-01_value_graph.ipynb")["flags"]

    assert "task 1: the notebook showed 2 verdicts" in flags("fake-record")  # the forged one, then the check's
    assert "writes the checks' record format itself" in flags("fake-thread")
    assert "the check cell of task 1 was deleted" in flags("fake-no-checks")
    assert "assigns to the checks" in flags("patch-tasks")
    assert "task 4: the notebook showed passed, the grader's check found not attempted" in flags("patch-bundle")


@pytest.mark.parametrize("name, task", [("table-02_chain_rule_by_hand", 0), ("table-03_backward", 1)])
def test_a_table_of_the_notebooks_inputs_fails_on_the_graders_inputs(graded, name, task):
    found = row(graded, f"hostile/{name}.ipynb")
    assert statuses(found)[task] == "wrong"
    assert int(found["score"]) == 0
    assert f"task {task + 1}: the notebook showed passed, the grader's check found wrong" in found["flags"]
    assert "KeyError" in found["flags"]  # the table has no entry for the secret inputs


@pytest.mark.parametrize("name, problem", [
    ("string", "its metadata 'nanograd' is a str"),
    ("null", "its metadata 'nanograd' is null"),
    ("list", "names the exercise as a list"),
])
def test_a_malformed_notebook_is_one_noted_row(graded, name, problem):
    found = row(graded, f"hostile/malformed-{name}.ipynb")
    assert (found["exercise"], found["score"]) == ("", "0")
    assert problem in found["notes"] and "unknown exercise" in found["notes"]


def test_a_flood_of_check_records_is_capped_and_the_grader_stays_small(graded):
    found = row(graded, "hostile/flood-01_value_graph.ipynb")
    assert statuses(found) == ["passed"] * N
    assert "oversized or excess check record" in found["flags"]
    assert 0 < graded["peak_mb"] < 200, f"the grader's peak memory was {graded['peak_mb']:.0f} MB"


def test_no_submission_reaches_another_or_its_own_file(graded):
    for path, digest in graded["submitted"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, f"{path} was modified"
    assert statuses(row(graded, "hostile/victim-01_value_graph.ipynb")) == ["passed"] * N
    assert statuses(row(graded, "hostile/overwrite-01_value_graph.ipynb")) == ["passed"] * N


def test_killing_everything_in_reach_costs_no_other_row(graded):
    assert len(graded["rows"]) == len(graded["submitted"])
    assert int(row(graded, "hostile/kill-01_value_graph.ipynb")["score"]) >= 0


def test_no_process_outlives_its_submission(graded):
    assert graded["left_running"] == []
    assert survivors() == []
    assert hashlib.sha256((graded["folder"] / "grades.csv").read_bytes()).hexdigest() == graded["csv_digest"]


def test_a_notebook_saved_under_another_exercises_name_is_flagged(graded):
    found = row(graded, "hostile/01-saved-as-03_backward.ipynb")
    assert found["exercise"] == "01_value_graph"
    assert "its metadata says 01_value_graph, but its file name says 03_backward" in found["flags"]


def test_a_2_gib_allocation_is_refused(graded):
    found = row(graded, "hostile/memory-01_value_graph.ipynb")
    assert "raised MemoryError" in found["notes"]
    assert statuses(found) == ["passed"] * N


def test_changing_the_checks_from_inside_a_function_voids_the_task(graded):
    found = row(graded, "hostile/isclose-02_chain_rule_by_hand.ipynb")
    assert statuses(found)[2:] == ["wrong", "wrong"]
    assert "the checks or the engine were changed (math.isclose)" in found["flags"]
    assert "task 3: the notebook showed passed" in found["flags"]  # in the notebook, the patch worked


def test_introspection_and_processes_are_refused_inside_the_graders_checks(graded):
    flags = row(graded, "hostile/snoop-01_value_graph.ipynb")["flags"]
    for event in ("sys._getframe", "gc.get_objects", "subprocess.Popen", "object.__getattr__", "open"):
        assert event in flags


def test_an_honest_function_that_prints_and_recurses_deeply_is_not_flagged(graded):
    found = row(graded, "hostile/honest-03_backward.ipynb")
    assert statuses(found) == ["passed"] * len(TASKS["03_backward"])
    assert found["flags"] == ""


def test_lines_the_grader_did_not_sign_void_the_verdicts(graded):
    found = row(graded, "hostile/forge-01_value_graph.ipynb")
    assert int(found["score"]) == 0
    assert "lines it had not signed" in found["flags"]


def test_student_text_is_cleaned_for_the_terminal_and_quoted_for_spreadsheets(graded):
    found = row(graded, "'" + FORMULA_NAME)
    assert "raised \\x1b[2K\\rFAKE ROW 4/4" in found["notes"]
    assert "\x1b" not in graded["stdout"] and "\r" not in graded["stdout"]
    assert statuses(found) == ["passed"] * N


def test_the_table_shows_each_exercise_and_the_flag_count(graded):
    out = graded["stdout"]
    for exercise, tasks in TASKS.items():
        assert f"{exercise}: task 1: {tasks[0][1]}" in out
    assert "submission(s) flagged (!)" in out


# --- runs without a class: the command line, the table, shards


def run_grader(folder: Path, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nanograd.course.grade", *args], cwd=folder,
                          capture_output=True, text=True, timeout=timeout)


def test_bad_paths_are_one_line_on_stderr_and_exit_status_1(tmp_path):
    missing = run_grader(tmp_path, "nowhere.ipynb")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr == (
        "nanograd.course.grade: nowhere.ipynb is neither a notebook (.ipynb) nor a folder: check the path\n"
    )
    (tmp_path / "empty").mkdir()
    empty = run_grader(tmp_path, "empty")
    assert (empty.returncode, empty.stdout) == (1, "")
    assert "no notebooks found in empty" in empty.stderr


def test_a_csv_folder_that_does_not_exist_is_found_before_anyone_is_graded(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    done = run_grader(tmp_path, "a.ipynb", "--csv", "no-such-folder/grades.csv")
    assert (done.returncode, done.stdout) == (1, "")  # no table: nothing was graded
    assert done.stderr == (
        "nanograd.course.grade: cannot write no-such-folder/grades.csv: No such file or directory; "
        "choose another --csv file\n"
    )


@pytest.mark.parametrize("args, complaint", [
    (["a.ipynb", "--csv", "a.ipynb"], "--csv takes a file name ending in .csv, got a.ipynb"),
    (["a.ipynb", "--time-limit", "0"], "must be positive"),
    (["a.ipynb", "--shard", "3/2"], "--shard K/N needs 1 <= K <= N"),
    (["--merge", "a.csv"], "--merge takes the shards' CSV files and --csv"),
    ([], "the following arguments are required: PATH"),
])
def test_a_bad_command_line_is_usage_and_exit_status_2_as_argparse_does(tmp_path, args, complaint):
    (tmp_path / "a.ipynb").write_text("{}")
    done = run_grader(tmp_path, *args)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: python -m nanograd.course.grade") and complaint in done.stderr
    assert (tmp_path / "a.ipynb").read_text() == "{}"


def test_text_is_cleaned_for_the_terminal_and_for_spreadsheets():
    assert table.for_terminal("a\x1b[2Jb\rc\u202ed\te") == "a\\x1b[2Jb\\rc\\u202ed e"
    for formula in ("=1+1", "+1", "-1", "@SUM(A1)", '=HYPERLINK("http://x")'):
        assert table.for_spreadsheet(formula) == "'" + formula
        assert table.for_spreadsheet(table.for_spreadsheet(formula)) == "'" + formula  # once only
    assert table.for_spreadsheet("alice.ipynb") == "alice.ipynb"


def test_the_shards_hold_every_notebook_once_and_each_a_share_of_every_exercise():
    paths = [Path(f"{student:03d}_{exercise}.ipynb") for student in range(7) for exercise in EXERCISES]
    shards = [cli.shard_of(paths, (k, 3)) for k in (1, 2, 3)]
    assert sorted(p for shard in shards for p in shard) == sorted(paths)
    assert all(abs(len(shard) - len(paths) / 3) < 1 for shard in shards)
    assert all({e for e in EXERCISES if any(e in p.name for p in shard)} == set(EXERCISES) for shard in shards)


def test_merge_joins_the_shards_and_refuses_a_notebook_graded_twice(tmp_path):
    header = table.columns(TASKS)
    for name, rows in (("a.csv", [["x.ipynb"], ["z.ipynb"]]), ("b.csv", [["y.ipynb"]])):
        with open(tmp_path / name, "w", newline="") as handle:
            csv.writer(handle).writerows([header, *rows])
    done = run_grader(tmp_path, "--merge", "a.csv", "b.csv", "--csv", "all.csv")
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "all.csv", newline="") as handle:
        assert [r[0] for r in csv.reader(handle)] == ["file", "x.ipynb", "y.ipynb", "z.ipynb"]
    again = run_grader(tmp_path, "--merge", "a.csv", "a.csv", "--csv", "twice.csv")
    assert again.returncode == 1 and "x.ipynb is graded in two of the files" in again.stderr


def test_the_table_goes_to_standard_output_as_it_is_when_printed(capsys):
    from nanograd.course.grade import Submission, print_table

    result = Submission(Path("alice_01.ipynb"), exercise="01_value_graph")
    result.statuses = {task: "passed" for task, _ in TASKS["01_value_graph"]}
    print_table([result], TASKS)
    lines = capsys.readouterr().out.splitlines()
    titles = ", ".join(f"task {task}: {title}" for task, title in TASKS["01_value_graph"])
    assert lines[1] == f"01_value_graph: {titles}"
    assert lines[3].split() == ["alice_01.ipynb", *["pass"] * N, f"{N}/{N}"]


def test_the_assigned_exercise_decides_and_a_notebook_of_another_is_flagged(tmp_path):
    nbformat.write(solved("01_value_graph"), tmp_path / "alice.ipynb")
    done = run_grader(tmp_path, "alice.ipynb", "--exercise", "03_backward", "--csv", "g.csv",
                      "--time-limit", str(TIME_LIMIT))
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "g.csv", newline="") as handle:
        (found,) = list(csv.DictReader(handle))
    assert (found["exercise"], found["score"]) == ("03_backward", "0")
    assert "its metadata says 01_value_graph, but the assigned exercise is 03_backward" in found["flags"]


def test_without_a_sandbox_the_grader_says_so_once_and_still_decides_the_marks(tmp_path):
    nbformat.write(solved("01_value_graph"), tmp_path / "01_value_graph.ipynb")
    fake = with_cell(unsolved("01_value_graph"), fake_records("01_value_graph"))
    nbformat.write(fake, tmp_path / "fake-01_value_graph.ipynb")
    done = run_grader(tmp_path, ".", "--sandbox", "off", "--csv", "g.csv", "--time-limit", str(TIME_LIMIT), "-j", "2")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("no sandbox (--sandbox off)") == 1 and "the network is open" in done.stderr
    with open(tmp_path / "g.csv", newline="") as handle:
        rows = {r["file"]: r for r in csv.DictReader(handle)}
    assert rows["01_value_graph.ipynb"]["score"] == str(N)
    assert rows["fake-01_value_graph.ipynb"]["score"] == "0" and rows["fake-01_value_graph.ipynb"]["flags"]


# --- nbgrader grades the same solved and unsolved notebooks, and agrees

NBGRADER_VENV = ROOT / ".nbgrader-venv"
GRADES_SCRIPT = """
import json, sys
from nbgrader.api import Gradebook
scores = {}
with Gradebook("sqlite:///gradebook.db") as gradebook:
    for student in ("solved", "unsolved"):
        for notebook in json.loads(sys.argv[1]):
            submission = gradebook.find_submission_notebook(notebook, "nanograd", student)
            scores[f"{student}/{notebook}"] = {grade.name: grade.score for grade in submission.grades}
print(json.dumps(scores))
"""


def nbgrader_python() -> Path:
    """The nbgrader venv's Python (made by `make nbgrader` if it is missing): a skip where it cannot be had,
    a failure where CI asks for it (NANOGRAD_REQUIRE_NBGRADER=1)."""
    python = NBGRADER_VENV / "bin" / "python"
    ready = NBGRADER_VENV / ".ready"
    if not ready.exists() or ready.stat().st_mtime < (ROOT / "pyproject.toml").stat().st_mtime:
        made = subprocess.run(["make", "nbgrader"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        if made.returncode != 0:
            reason = f"nbgrader could not be installed in {NBGRADER_VENV} (`make nbgrader`): {made.stderr[-300:]}"
            if os.environ.get("NANOGRAD_REQUIRE_NBGRADER"):
                pytest.fail(reason)
            pytest.skip(reason)
    return python


@pytest.fixture(scope="module")
def nbgrader_scores(graded, tmp_path_factory):
    python = nbgrader_python()
    course = tmp_path_factory.mktemp("nbgrader")
    home = course / "home"
    home.mkdir()
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\nc.CourseDirectory.course_id = 'nanograd'\nc.Execute.timeout = 300\n"
    )
    source = course / "source" / "nanograd"
    source.mkdir(parents=True)
    for exercise in EXERCISES:
        nbformat.write(generator.nbgrader_source(solution(exercise), f"solutions/{exercise}.ipynb"),
                       source / f"{exercise}.ipynb")
    for student in ("solved", "unsolved"):  # the very files nanograd.course.grade graded
        shutil.copytree(graded["folder"] / student, course / "submitted" / student / "nanograd")
    environment = {"PATH": f"{python.parent}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
                   "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config"),
                   "JUPYTER_PLATFORM_DIRS": "1"}
    for step in (["generate_assignment", "nanograd", "--force"], ["autograde", "nanograd", "--create", "--force"]):
        done = subprocess.run([str(python.parent / "nbgrader"), *step], cwd=course, env=environment,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    released = {p.name for p in (course / "release" / "nanograd").glob("*.ipynb")}
    assert released == {f"{exercise}.ipynb" for exercise in EXERCISES}
    done = subprocess.run([str(python), "-c", GRADES_SCRIPT, json.dumps(EXERCISES)], cwd=course, env=environment,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return {"scores": json.loads(done.stdout), "release": course / "release" / "nanograd"}


def test_nbgrader_and_the_grader_agree_on_every_task_of_a_solved_and_an_unsolved_notebook(graded, nbgrader_scores):
    for student in ("solved", "unsolved"):
        for exercise, tasks in TASKS.items():
            ours = statuses(row(graded, f"{student}/{exercise}.ipynb"))
            theirs = nbgrader_scores["scores"][f"{student}/{exercise}"]
            assert set(theirs) == {f"task_{exercise[:2]}_{task}" for task, _ in tasks}
            as_nbgrader_sees_it = [theirs[f"task_{exercise[:2]}_{task}"] for task, _ in tasks]
            assert as_nbgrader_sees_it == [1.0 if status == "passed" else 0.0 for status in ours], (student, exercise)
            assert sum(as_nbgrader_sees_it) == (len(tasks) if student == "solved" else 0)


def test_nbgraders_release_is_the_generators_exercise(nbgrader_scores):
    for exercise in EXERCISES:
        released = nbformat.read(nbgrader_scores["release"] / f"{exercise}.ipynb", as_version=4)
        assert [c.source for c in released.cells] == [c.source for c in unsolved(exercise).cells]


def test_only_a_notebooks_imports_definitions_and_constants_reach_the_graders_checks():
    from nanograd.course.grade import submissions

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import math\nfrom nanograd.graph import Value",
        "%matplotlib inline\ndef f(x):\n    return x + 1",
        "@staticmethod\ndef g():\n    pass",
        "class A:\n    size = 3",
        "H = 1e-5\nTABLE: dict = {(1.0, 2.0): [3, 4]}",
        "checks.task_01_1(f)\ny = f(2)\nchecks.task_01_1 = f\nfor i in range(3):\n    print(i)",
        "def broken(:",
    )]
    found = submissions.definitions(notebook)
    assert [s["source"].strip() for s in found.statements] == [
        "import math", "from nanograd.graph import Value", "def f(x):\n    return x + 1",
        "@staticmethod\ndef g():\n    pass", "class A:\n    size = 3", "H = 1e-5", "TABLE: dict = {(1.0, 2.0): [3, 4]}",
    ]
    assert found.statements[2]["where"] == "cell 2, line 2"
    assert found.skipped_cells == [7]


def test_the_secret_seed_changes_every_random_input_of_the_graders_copy_and_no_fixed_one(tmp_path):
    from nanograd.course.grade import checker

    def inputs(name: str, secret: str | None) -> list:
        copy = checker.load_checks(str(ROOT / "nanograd" / "course" / "checks"), name)
        if secret is not None:
            sys.modules[f"{name}.harness"].draw_inputs_from(secret)
        sys.modules[f"{name}.record"].publish = lambda *args, **kwargs: None
        seen = spy_table(copy.task_02_1, lambda a, b, c: (c**2, -(c**2), 2 * c * (a - b)))
        return list(seen)

    public, again = inputs("checks_public", None), inputs("checks_again", None)
    first, second = inputs("checks_secret_1", "one"), inputs("checks_secret_2", "two")
    assert public == again == list(spy_table(checks.task_02_1, lambda a, b, c: (c**2, -(c**2), 2 * c * (a - b))))
    assert public[0] == first[0] == second[0] == (2.0, -3.0, 4.0)  # the course's own example stays
    assert len(public) == len(first) == len(second) == 4
    assert not set(public[1:]) & set(first[1:]) and not set(first[1:]) & set(second[1:])


def test_a_killed_grader_leaves_the_rows_it_finished_and_no_process_of_a_submission(tmp_path):
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed: .ci/run installs it (Debian's bubblewrap)")
    marker = f"{MARKER}-killed-grader"
    first = solved("01_value_graph")  # the larger file, so graded first
    first.cells.append(nbformat.v4.new_markdown_cell("A long answer. " * 2000))
    nbformat.write(first, tmp_path / "a-01_value_graph.ipynb")
    waits = f"import subprocess, time\nsubprocess.Popen(['sh', '-c', 'sleep 60', '{marker}'])\ntime.sleep(60)"
    nbformat.write(with_cell(solved("01_value_graph"), waits), tmp_path / "b-01_value_graph.ipynb")
    process = subprocess.Popen(
        [sys.executable, "-m", "nanograd.course.grade", ".", "-j", "1", "--csv", "g.csv", "--sandbox", "bwrap"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )

    def running() -> bool:
        return any(marker in name for name in survivors_named(marker))

    deadline = time.monotonic() + 240
    while not running() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert running(), "the second submission never started"
    process.kill()  # SIGKILL: the grader cannot clean up
    process.wait()
    time.sleep(1)
    assert not running()  # bubblewrap's sandbox dies with the grader
    with open(tmp_path / "g.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["score"]) for r in rows] == [("a-01_value_graph.ipynb", str(N))]


def test_a_course_installed_under_tmp_is_visible_inside_the_sandbox(tmp_path):
    """The sandbox's /tmp is an empty tmpfs: a course or a Python under /tmp (a CI clone, say) is bound on top of it."""
    if shutil.which("bwrap") is None:
        pytest.skip("bubblewrap (bwrap) is not installed: .ci/run installs it (Debian's bubblewrap)")
    if Path("/tmp") not in tmp_path.resolve().parents:
        pytest.skip(f"pytest's temporary folder {tmp_path} is not under /tmp")
    course = tmp_path / "course"
    course.mkdir()
    (course / "here.txt").write_text("visible inside")
    private = tmp_path / "private"
    private.mkdir()
    isolation = Isolation(private, Limits(), "bwrap")
    isolation.readonly.append(course)
    isolation.prepare()
    read = f"print(open({str(course / 'here.txt')!r}).read())"
    argv = isolation.command([sys.executable, "-I", "-c", read], slot=0, marker=f"{MARKER}-tmp", workdir=private)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert (done.stdout.strip(), done.returncode) == ("visible inside", 0), done.stderr


def test_an_unknown_exercise_in_the_metadata_is_a_note_whatever_its_name_says_and_a_disagreement_a_flag():
    notebook = solved("01_value_graph")
    notebook.metadata["nanograd"] = {"exercise": "but the assigned exercise is"}
    chosen, notes, flags = submissions.which_exercise(notebook, Path("01_value_graph.ipynb"), TASKS, None)
    assert (chosen, flags) == ("01_value_graph", [])
    assert notes == ["its metadata names an unknown exercise ('but the assigned exercise is')"]
    notebook.metadata["nanograd"] = {"exercise": "02_chain_rule_by_hand"}
    chosen, notes, flags = submissions.which_exercise(notebook, Path("01_value_graph.ipynb"), TASKS, None)
    assert (chosen, notes) == ("02_chain_rule_by_hand", [])
    assert flags == ["its metadata says 02_chain_rule_by_hand, but its file name says 01_value_graph"]
