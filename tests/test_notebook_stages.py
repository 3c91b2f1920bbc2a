"""Each course notebook teaches one stage of the package, so it imports that stage and nothing later.

A notebook that quietly imported a later stage (say ``nanograd.core`` in notebook 02) would use features
the student has not met yet, and its lesson would no longer match the module it names. These tests read
the code cells of every ``notebooks/NN_*.ipynb`` (by parsing them, not by running them) and check:

- it imports the module(s) of its own stage, and no module of a later stage;
- its first code cell is the course's setup check, word for word;
- it was executed top to bottom in one fresh kernel and saved with its outputs (execution counts 1..n).

Notebooks that do not exist yet are simply not collected.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from expected import SETUP_CHECK

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# The stage of every nanograd module a notebook may import. The top-level package (its setup check,
# draw_dot, __version__) and the drawing module belong to no stage: every notebook may use them.
MODULE_STAGE = {
    "nanograd.graph": 1,
    "nanograd.chain_rule": 2,
    "nanograd.backprop": 3,
    "nanograd.walk": 3,  # the graph walk that backprop teaches (and the pictures share)
    "nanograd.activations": 4,
    "nanograd.neuron": 4,
    "nanograd.core": 4,  # the complete engine: the same Value as stage 4
    "nanograd.nn": 5,
    "nanograd.losses": 5,
    "nanograd.training": 5,
    "nanograd.data": 5,
    "nanograd.pictures.plotting": 5,
}
ALLOWED_EVERYWHERE = {"nanograd", "nanograd.pictures.drawing"}

# What "imports its own stage" means for each notebook number: at least one of these modules.
# Notebook 00 (getting started) has no stage: it may import only what is allowed everywhere.
OWN_STAGE = {
    0: set(),
    1: {"nanograd.graph"},
    2: {"nanograd.chain_rule"},
    3: {"nanograd.backprop"},
    4: {"nanograd.activations", "nanograd.neuron"},
    5: {"nanograd.nn", "nanograd.losses", "nanograd.training", "nanograd.data"},
}

# Names of the top-level package and the module they come from (``from nanograd import Value`` is the
# complete engine, so it counts as nanograd.core).
TOP_LEVEL_NAMES = {
    "Value": "nanograd.core",
    "draw_dot": "nanograd.pictures.drawing",
    "check_setup": "nanograd",
    "show_source": "nanograd",
    "expect": "nanograd",
    "expect_true": "nanograd",
    "__version__": "nanograd",
}


def _module_of_top_level_name(name: str) -> str:
    """The module that ``nanograd.<name>`` stands for: a submodule, or where a top-level name comes from."""
    submodule = f"nanograd.{name}"
    if submodule in MODULE_STAGE or submodule in ALLOWED_EVERYWHERE:
        return submodule
    return TOP_LEVEL_NAMES.get(name, submodule)  # unknown names stay visible, e.g. 'nanograd.Valu'


def nanograd_modules(source: str) -> set[str]:
    """Every nanograd module that this cell's code imports or reaches through ``nanograd.<name>``.

    The cell is first turned into plain Python as IPython does (so ``%magic`` and ``!shell`` lines parse).
    """
    tree = ast.parse(TransformerManager().transform_cell(source))
    found: set[str] = set()
    package_aliases = set()  # names bound to the top-level package, e.g. ``import nanograd as ng``
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "nanograd" or alias.name.startswith("nanograd."):
                    found.add(alias.name)
                    if alias.name == "nanograd" or alias.asname is None:
                        package_aliases.add(alias.asname or "nanograd")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "nanograd":
                found.update(_module_of_top_level_name(alias.name) for alias in node.names)
            elif node.module.startswith("nanograd."):
                found.add(node.module)
    for node in ast.walk(tree):  # ``nanograd.core.Value`` or ``nanograd.Value`` after ``import nanograd``
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in package_aliases:
            found.add(_module_of_top_level_name(node.attr))
    return found


def stage_problems(number: int, modules: set[str]) -> list[str]:
    """What is wrong with notebook ``number`` importing ``modules`` (an empty list when nothing is)."""
    if number not in OWN_STAGE:
        return [f"notebook {number:02d} has no stage in OWN_STAGE; add it to tests/test_notebook_stages.py"]
    problems = []
    for module in sorted(modules - ALLOWED_EVERYWHERE):
        stage = MODULE_STAGE.get(module)
        if stage is None:
            problems.append(
                f"imports {module}, which is not a known nanograd module (a typo, or add it to MODULE_STAGE)"
            )
        elif stage > number:
            problems.append(f"imports {module} from stage {stage}, later than its own stage {number}")
    own = OWN_STAGE[number]
    if own and not modules & own:
        problems.append(f"does not import its own stage: expected one of {sorted(own)}")
    return problems


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def course_notebooks() -> list[Path]:
    return sorted(path for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(params=course_notebooks(), ids=lambda path: path.name)
def notebook_path(request) -> Path:
    return request.param


def test_imports_its_own_stage_and_no_later_one(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    modules = set().union(*(nanograd_modules(cell.source) for cell in code_cells(notebook)))
    number = int(notebook_path.name[:2])
    problems = stage_problems(number, modules)
    assert not problems, f"{notebook_path.name}: " + "; ".join(problems)


def test_first_code_cell_is_the_setup_check(notebook_path):
    cells = code_cells(nbformat.read(notebook_path, as_version=4))
    assert cells, f"{notebook_path.name} has no code cell"
    assert cells[0].source.rstrip() == SETUP_CHECK, (
        f"the first code cell of {notebook_path.name} is not the course's setup check "
        f"(copy it from tests/expected.py, SETUP_CHECK)"
    )


def test_saved_with_outputs_from_one_top_to_bottom_run(notebook_path):
    cells = code_cells(nbformat.read(notebook_path, as_version=4))
    counts = [cell.execution_count for cell in cells]
    assert counts == list(range(1, len(cells) + 1)), (
        f"{notebook_path.name}: execution counts {counts}; run it top to bottom in a fresh kernel with "
        f"`.venv/bin/python -m tools.run_notebooks notebooks/{notebook_path.name}` and save it"
    )
    assert any(cell.outputs for cell in cells), f"{notebook_path.name} was saved without outputs"


# --- the checks themselves, on small hand-written cells whose right answer is known


@pytest.mark.parametrize(
    "source, expected",
    [
        (SETUP_CHECK, {"nanograd"}),
        ("from nanograd.graph import Value", {"nanograd.graph"}),
        ("import nanograd.chain_rule as cr\nx = cr.Value(1.0)", {"nanograd.chain_rule"}),
        ("from nanograd import Value", {"nanograd.core"}),
        ("from nanograd import draw_dot, nn", {"nanograd.pictures.drawing", "nanograd.nn"}),
        ("import nanograd\nv = nanograd.Value(2.0)", {"nanograd", "nanograd.core"}),
        ("import nanograd\nnanograd.backprop.topological_order", {"nanograd", "nanograd.backprop"}),
        ("%matplotlib inline\n!echo hi\nfrom nanograd.losses import hinge_loss", {"nanograd.losses"}),
        ("def f():\n    from nanograd.training import sgd_update\n", {"nanograd.training"}),
        ("import math\nfrom numbers import Real\nnanograd_like = 1", set()),
    ],
)
def test_nanograd_modules_finds_every_way_in(source, expected):
    assert nanograd_modules(source) == expected


@pytest.mark.parametrize(
    "number, modules, expected",
    [
        (1, {"nanograd", "nanograd.graph", "nanograd.pictures.drawing"}, []),
        (2, {"nanograd", "nanograd.chain_rule"}, []),
        (
            2,
            {"nanograd", "nanograd.chain_rule", "nanograd.backprop"},
            ["imports nanograd.backprop from stage 3, later than its own stage 2"],
        ),
        (2, {"nanograd", "nanograd.graph"}, ["does not import its own stage: expected one of ['nanograd.chain_rule']"]),
        (3, {"nanograd.backprop", "nanograd.core"}, ["imports nanograd.core from stage 4, later than its own stage 3"]),
        (4, {"nanograd.activations", "nanograd.neuron", "nanograd.core", "nanograd.graph"}, []),
        (
            4,
            {"nanograd.neuron", "nanograd.pictures.plotting"},
            ["imports nanograd.pictures.plotting from stage 5, later than its own stage 4"],
        ),
        (5, {"nanograd.nn", "nanograd.pictures.plotting", "nanograd.core", "nanograd.data"}, []),
        (0, {"nanograd"}, []),
        (0, {"nanograd", "nanograd.graph"}, ["imports nanograd.graph from stage 1, later than its own stage 0"]),
        (
            1,
            {"nanograd.graph", "nanograd.grafh"},
            ["imports nanograd.grafh, which is not a known nanograd module (a typo, or add it to MODULE_STAGE)"],
        ),
    ],
)
def test_stage_problems_names_what_is_wrong(number, modules, expected):
    assert stage_problems(number, modules) == expected
