"""README.md: its pictures are the notebooks' own outputs, and its links and commands exist."""

import re
import subprocess
import sys
from pathlib import Path

from tools.readme_images import tagged_pictures

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_picture_in_the_readme_is_a_notebook_output_as_committed():
    shown = re.findall(r"!\[[^\]]*\]\((docs/images/[^)]+)\)", README)
    assert shown, "the README shows no picture"
    produced = {}
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        produced.update(dict(tagged_pictures(notebook)))
    for path in shown:
        name = Path(path).name
        assert name in produced, f"{path} is not the output of a cell tagged readme-image"
        assert (ROOT / path).read_bytes() == produced[name], (
            f"{path} differs from the notebook's output: run .venv/bin/python -m tools.readme_images"
        )


def test_every_relative_link_in_the_readme_exists():
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_the_readme_names_the_commands_that_exist():
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))
    for command in re.findall(r"`make ([a-z]+)", README):
        assert command in targets, f"README mentions make {command}, which the Makefile lacks"
    tools = re.findall(r"python -m (tools\.[a-z_]+)", README)
    assert sorted(set(tools)) == ["tools.make_exercises", "tools.readme_images", "tools.run_notebooks"]
    for module in [*set(tools), "nanograd.course.grade"]:
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0 and "usage: " in done.stdout, f"python -m {module} --help: {done.stderr}"
