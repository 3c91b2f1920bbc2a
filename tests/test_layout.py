"""The layout is the architecture: the engine stages form a ladder, the pictures and the course machinery
stand above it, and import-linter (run by ``make test``) holds every import to that ladder.

These tests check that the contracts cover the whole package and that they do catch a wrong import,
including one hidden inside a function (the kind that once ran from stage 1 up to the drawing).
"""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import nanograd

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def ladder_layers() -> list[set[str]]:
    """The main contract's layers, top first, each a set of module names."""
    (ladder,) = [contract for contract in CONTRACTS if contract["type"] == "layers" and "containers" not in contract]
    return [{name.strip() for name in layer.split("|")} for layer in ladder["layers"]]


def test_every_module_of_the_package_stands_on_the_ladder():
    layers = set().union(*ladder_layers())
    modules = {info.name for info in pkgutil.walk_packages(nanograd.__path__, "nanograd.")}
    outside = {name for name in modules if not any(name == top or name.startswith(top + ".") for top in layers)}
    assert outside == set()


def test_the_engine_stages_stand_in_the_order_the_course_builds_them():
    order = [module for layer in ladder_layers() for module in sorted(layer)]
    stages = ["nanograd.activations", "nanograd.backprop", "nanograd.chain_rule", "nanograd.graph", "nanograd.walk"]
    assert [module for module in order if module in stages] == stages  # top first: the walk is the ground floor
    assert order.index("nanograd.course") < order.index("nanograd.pictures") < order.index("nanograd.core")


def lint_imports(package_root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(package_root / "pyproject.toml")],
        cwd=package_root,
        env={"PYTHONPATH": str(package_root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "nanograd", tmp_path / "nanograd", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_as_it_is_keeps_every_contract(tmp_path):
    result = lint_imports(copy_of_the_package(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        ("graph.py", "from nanograd.pictures.drawing import draw_dot", "nanograd.graph -> nanograd.pictures.drawing"),
        ("walk.py", "from nanograd import backprop", "nanograd.walk -> nanograd.backprop"),
        ("chain_rule.py", "from nanograd.activations import Value", "nanograd.chain_rule -> nanograd.activations"),
        ("pictures/drawing.py", "from nanograd.course import checks", "nanograd.pictures.drawing -> nanograd.course"),
        ("course/lab.py", "from nanograd.course import grade", "nanograd.course.lab -> nanograd.course.grade"),
    ],
)
def test_an_import_up_the_ladder_breaks_a_contract_even_inside_a_function(tmp_path, module, wrong_import, broken):
    package_root = copy_of_the_package(tmp_path)
    path = package_root / "nanograd" / module
    path.write_text(
        path.read_text(encoding="utf-8") + f"\n\ndef _reaches_up():\n    {wrong_import}\n", encoding="utf-8"
    )
    result = lint_imports(package_root)
    assert result.returncode == 1
    assert broken in result.stdout
