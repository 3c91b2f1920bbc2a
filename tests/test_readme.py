"""README.md: its pictures are the notebooks' own outputs, and its links and commands exist."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "tools"))
from readme_images import tagged_pictures  # noqa: E402


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
            f"{path} differs from the notebook's output: run .venv/bin/python tools/readme_images.py"
        )


def test_every_relative_link_in_the_readme_exists():
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", README):
        assert (ROOT / target).exists(), f"README links to {target}, which does not exist"


def test_the_readme_names_the_commands_that_exist():
    targets = set(re.findall(r"^([a-z]+):", (ROOT / "Makefile").read_text(), flags=re.MULTILINE))
    for command in re.findall(r"`make ([a-z]+)", README):
        assert command in targets, f"README mentions make {command}, which the Makefile lacks"
    for tool in re.findall(r"tools/([a-z_]+\.py)", README):
        assert (ROOT / "tools" / tool).exists()
    assert subprocess.run([sys.executable, "-m", "nanograd.course.grade", "--help"], capture_output=True).returncode == 0
