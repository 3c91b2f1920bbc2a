"""Every committed notebook (course, exercises, solutions) as a reader and nbval meet it.

nbval re-runs the notebooks and compares outputs; these tests check what it cannot: that the stored
outputs come from one top-to-bottom run, carry nothing machine-specific, show pictures in an
untrusted notebook, and that each course notebook opens and closes as the course promises.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(
    p for folder in ("notebooks", "exercises", "solutions") for p in (ROOT / folder).glob("[0-9][0-9]_*.ipynb")
)
COURSE = [p for p in NOTEBOOKS if p.parent.name == "notebooks" and not p.name.startswith("00")]
MACHINE_SPECIFIC = re.compile(r"0x[0-9a-fA-F]{6,}|/(?:work|home|tmp|root|Users)/|site-packages|\\\\Users\\\\")
LONGEST_CELL = 35  # lines: about one laptop screen


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _texts(output) -> list[str]:
    texts = [output.get("text", ""), output.get("evalue", "")]
    texts += [v for k, v in output.get("data", {}).items() if isinstance(v, str) and not k.startswith("image/")]
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_outputs_come_from_one_run_from_the_top(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert [c.execution_count for c in cells] == list(range(1, len(cells) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_outputs_hold_no_address_and_no_path_of_this_machine(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            for text in _texts(output):
                found = MACHINE_SPECIFIC.search(text)
                assert not found, f"cell {index} shows {found.group()!r}: {text[:200]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_only_tagged_cells_raise_and_only_widgets_and_pytorch_escape_nbval(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors or "raises-exception" in tags, f"cell {index} stored an error: {errors[0].ename}"
        assert "nbval-skip" not in tags and "# NBVAL_SKIP" not in cell.source
        if "nbval-ignore-output" in tags:  # a widget, or the PyTorch comparison (PyTorch is optional)
            shows_widget = any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in cell.outputs)
            assert shows_widget or "torch" in cell.source, (
                f"cell {index} hides its output from nbval but shows no widget and is not the PyTorch comparison"
            )
            assert "nbval" in cell.source.splitlines()[0].lower(), f"cell {index} does not say why nbval ignores it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_every_svg_picture_also_has_a_png_for_untrusted_readers(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/svg+xml" in data:
                assert "image/png" in data, f"cell {index}: an SVG without a PNG is blank in an untrusted notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_id)
def test_no_code_cell_is_longer_than_a_screen(path):
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code":
            assert len(cell.source.splitlines()) <= LONGEST_CELL, f"cell {index} is longer than a screen"


@pytest.mark.parametrize("path", COURSE, ids=_id)
def test_a_course_notebook_opens_with_its_goals_and_closes_with_its_exercise(path):
    markdown = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"]
    assert markdown[0].startswith("# ") and "what you will learn" in markdown[0].lower()
    assert f"../exercises/{path.name}" in markdown[-1], "the last text must point to this notebook's exercise"
    assert (ROOT / "exercises" / path.name).exists()
    assert "recap" in "\n".join(markdown[-2:]).lower()
