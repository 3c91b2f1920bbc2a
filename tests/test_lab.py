"""nanograd.course.lab (`make lab`) without a browser: course folder, settings file, widget extension, command line.

Everything runs against real files in temporary folders; tests/test_browser.py starts the real JupyterLab.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jupyterlab
import nbformat
import pytest

from nanograd.course import lab

NEWS_PLUGIN = "@jupyterlab/apputils-extension:notification"


def make_course(root: Path) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "notebooks" / "00_start_here.ipynb").write_text("{}")
    return root


def run_lab_module(python: str, cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [python, "-m", "nanograd.course.lab", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


# ---------------------------------------------------------------- the course folder


def test_the_course_folder_is_found_from_itself_and_from_inside(tmp_path):
    course = make_course(tmp_path / "nanograd")
    (course / "notebooks" / "deeper").mkdir()
    assert lab.find_course(course) == course.resolve()
    assert lab.find_course(course / "notebooks" / "deeper") == course.resolve()


def test_outside_the_course_folder_is_a_clear_error(tmp_path):
    (tmp_path / "notebooks").mkdir()  # a notebooks folder is not enough: the start page is what Lab opens
    with pytest.raises(lab.LabSetupError) as error:
        lab.find_course(tmp_path)
    message = str(error.value)
    assert "not the course folder" in message and str(tmp_path.resolve()) in message
    assert "notebooks/00_start_here.ipynb" in message and "make lab" in message


def test_running_it_outside_the_course_folder_exits_with_the_message_and_starts_nothing(tmp_path):
    done = run_lab_module(sys.executable, tmp_path, "--port", "9")
    assert done.returncode == 1
    assert done.stderr.startswith("nanograd.course.lab: this is not the course folder")
    assert str(tmp_path.resolve()) in done.stderr
    assert "Opening the course" not in done.stdout


def test_a_python_without_jupyterlab_is_told_to_use_make_lab(tmp_path):
    """The interpreter the venv was made from lacks the course's packages (unless someone installed them there)."""
    base_python = Path(sys.base_prefix) / "bin" / "python3"
    has_lab = subprocess.run([base_python, "-c", "import jupyterlab"], capture_output=True).returncode == 0
    if not base_python.is_file() or has_lab:
        pytest.skip(f"no Python without JupyterLab to try ({base_python})")
    course = make_course(tmp_path / "course")
    repo = Path(lab.__file__).resolve().parents[2]
    done = run_lab_module(str(base_python), course, env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert "does not have jupyterlab" in done.stderr and "make lab" in done.stderr


# ---------------------------------------------------------------- overrides.json: the news pop-up


def test_news_is_turned_off_in_a_new_settings_file(tmp_path):
    path = lab.turn_off_news(tmp_path)
    assert path == tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(path.read_text()) == {NEWS_PLUGIN: {"fetchNews": "false", "checkForUpdates": False}}


def test_existing_settings_are_kept_and_merged(tmp_path):
    path = lab.overrides_file(tmp_path)
    path.parent.mkdir(parents=True)
    theirs = {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        NEWS_PLUGIN: {"doNotDisturbMode": True, "fetchNews": "true"},
    }
    path.write_text(json.dumps(theirs))
    lab.turn_off_news(tmp_path)
    assert json.loads(path.read_text()) == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        NEWS_PLUGIN: {"doNotDisturbMode": True, "fetchNews": "false", "checkForUpdates": False},
    }
    assert [p.name for p in path.parent.iterdir()] == ["overrides.json"]  # no partial file left behind


def test_settings_already_right_are_not_rewritten(tmp_path):
    path = lab.overrides_file(tmp_path)
    path.parent.mkdir(parents=True)
    text = '{"%s": {"checkForUpdates": false, "fetchNews": "false"}}' % NEWS_PLUGIN  # not how we would format it
    path.write_text(text)
    lab.turn_off_news(tmp_path)
    assert path.read_text() == text


@pytest.mark.parametrize(
    "content, complaint",
    [
        ('{"a": 1,', "is not valid JSON"),
        ("[1, 2]", "must hold a JSON object"),
        ('{"%s": "off"}' % NEWS_PLUGIN, f"{NEWS_PLUGIN!r} must be a JSON object"),
    ],
    ids=["broken JSON", "not an object", "plugin not an object"],
)
def test_a_settings_file_we_cannot_merge_into_is_left_untouched_with_a_clear_error(tmp_path, content, complaint):
    path = lab.overrides_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    with pytest.raises(lab.LabSetupError) as error:
        lab.turn_off_news(tmp_path)
    assert complaint in str(error.value) and str(path) in str(error.value)
    assert path.read_text() == content


# ---------------------------------------------------------------- ipywidgets' JupyterLab extension


def test_the_widget_extension_is_installed_in_this_environment():
    found = lab.find_widget_extension()
    package = json.loads((found / "package.json").read_text())
    assert package["name"] == "@jupyter-widgets/jupyterlab-manager"
    assert int(package["version"].split(".")[0]) >= 5  # the Lab 4 extension that ships with ipywidgets 8


def test_the_widget_extension_is_looked_for_in_every_folder_given(tmp_path):
    empty, holder = tmp_path / "empty", tmp_path / "holder"
    (holder / "@jupyter-widgets" / "jupyterlab-manager").mkdir(parents=True)
    (holder / "@jupyter-widgets" / "jupyterlab-manager" / "package.json").write_text("{}")
    assert lab.find_widget_extension([str(empty), str(holder)]) == holder / "@jupyter-widgets" / "jupyterlab-manager"


def test_a_missing_widget_extension_is_a_clear_error(tmp_path):
    (tmp_path / "@jupyter-widgets" / "jupyterlab-manager").mkdir(parents=True)  # a folder without package.json
    with pytest.raises(lab.LabSetupError) as error:
        lab.find_widget_extension([str(tmp_path)])
    message = str(error.value)
    assert "@jupyter-widgets/jupyterlab-manager" in message and str(tmp_path) in message
    assert "pip install 'ipywidgets>=8'" in message


# ---------------------------------------------------------------- the command line


def test_this_environment_can_run_the_course():
    lab.check_environment()  # raises, saying what is missing, if it cannot


def test_the_command_serves_the_course_opens_the_start_page_and_passes_options_on(tmp_path):
    course = make_course(tmp_path)
    command = lab.lab_command(course, ["--port", "8890", "--no-browser"])
    assert command == [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={course}",
        str(course / "notebooks" / "00_start_here.ipynb"),
        "--port",
        "8890",
        "--no-browser",
    ]


def test_the_command_starts_jupyterlab_itself(tmp_path):
    interpreter_and_module = lab.lab_command(make_course(tmp_path), [])[:3]
    done = subprocess.run([*interpreter_and_module, "--version"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == jupyterlab.__version__


# ---------------------------------------------------------------- as root (a container, a cloud VM)


def test_as_root_the_command_gets_allow_root_added_at_the_end():
    assert lab.allow_root(["--port", "8890"], as_root=True) == ["--port", "8890", "--allow-root"]
    assert lab.allow_root([], as_root=True) == ["--allow-root"]


@pytest.mark.parametrize(
    "extra_args, as_root",
    [
        (["--port", "8890"], False),
        (["--allow-root", "--port", "8890"], True),
        (["--ServerApp.allow_root=False"], True),
        (["--ServerApp.allow_root=True"], True),
    ],
    ids=["not root", "root, flag given", "root, refused in a setting", "root, allowed in a setting"],
)
def test_allow_root_is_added_only_as_root_and_only_if_the_user_chose_nothing(extra_args, as_root):
    assert lab.allow_root(extra_args, as_root) == extra_args


def test_running_as_root_is_what_the_operating_system_says():
    assert lab.running_as_root() == (os.geteuid() == 0 if hasattr(os, "geteuid") else False)


ROOT_NOTE = "nanograd.course.lab: running as root (a container or a VM?): starting JupyterLab with --allow-root"


@pytest.mark.parametrize(
    "as_root, added, notes", [(True, ["--allow-root"], [ROOT_NOTE]), (False, [], [])], ids=["root", "not root"]
)
def test_main_adds_allow_root_as_root_and_says_why(tmp_path, monkeypatch, capsys, as_root, added, notes):
    course = make_course(tmp_path / "course").resolve()
    monkeypatch.chdir(course)  # main changes into the course folder; monkeypatch changes back afterwards
    monkeypatch.setattr(lab, "running_as_root", lambda: as_root)
    monkeypatch.setattr(lab, "turn_off_news", lambda: None)  # leave this environment's settings alone
    started = []
    monkeypatch.setattr(lab.os, "execv", lambda path, command: started.append(command))
    lab.main(["--port", "8890", "--no-browser"])
    assert started == [lab.lab_command(course, ["--port", "8890", "--no-browser", *added])]
    opening = f"Opening the course in JupyterLab: {course / 'notebooks' / '00_start_here.ipynb'}"
    assert capsys.readouterr().out.splitlines() == [*notes, opening]


def test_every_link_on_the_start_page_leads_to_a_file_of_the_course():
    start_page = Path(lab.__file__).resolve().parents[2] / lab.START_PAGE
    text = "\n".join(cell.source for cell in nbformat.read(start_page, as_version=4).cells)
    links = [link for link in re.findall(r"\]\(([^)]+)\)", text) if not link.startswith("https://")]  # credits
    assert len(links) >= 10  # five notebooks and their five exercises
    missing = [link for link in links if not (start_page.parent / link).is_file()]
    assert not missing, f"{start_page.name} links to files that do not exist: {missing}"
