"""Packaging: environment.yml (conda, Binder) installs what pyproject.toml (pip) declares, with the same bounds;
and ``nanograd.check_setup()`` reports the installed version."""

import re
from pathlib import Path

import pytest
import tomllib
import yaml  # PyYAML: installed with JupyterLab (jupyter-events needs it)
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

import nanograd

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
ENVIRONMENT = yaml.safe_load((ROOT / "environment.yml").read_text())

# conda-forge names that differ from PyPI's. conda's `graphviz` is the Graphviz program itself.
PYPI_NAME_OF = {"python-graphviz": "graphviz"}
NOT_PYTHON_PACKAGES = {"python", "pip", "graphviz"}
# From the dev extra, what running the notebooks' checks (pytest --nbval) needs.
NOTEBOOK_TEST_TOOLS = {"pytest", "nbval"}


def conda_entries() -> dict[str, str]:
    """environment.yml's conda dependencies as {name: version bounds}."""
    entries = {}
    for entry in ENVIRONMENT["dependencies"]:
        if isinstance(entry, str):
            name, bounds = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", entry.strip()).groups()
            entries[name] = bounds
    return entries


def pip_entries() -> list[str]:
    sections = [entry["pip"] for entry in ENVIRONMENT["dependencies"] if isinstance(entry, dict)]
    assert len(sections) == 1, "environment.yml needs exactly one `- pip:` section"
    return sections[0]


def environment_python_packages() -> dict[str, SpecifierSet]:
    """Every Python package environment.yml installs, by its PyPI name, with its version bounds."""
    packages = {}
    for name, bounds in conda_entries().items():
        if name not in NOT_PYTHON_PACKAGES:
            packages[canonicalize_name(PYPI_NAME_OF.get(name, name))] = SpecifierSet(bounds)
    for line in pip_entries():
        if line.strip() not in ("-e .", "."):
            requirement = Requirement(line)
            packages[canonicalize_name(requirement.name)] = requirement.specifier
    return packages


def declared(requirements: list[str]) -> dict[str, SpecifierSet]:
    return {canonicalize_name(r.name): r.specifier for r in map(Requirement, requirements)}


RUNTIME = declared(PYPROJECT["dependencies"])
NOTEBOOK_TESTS = {
    name: bounds
    for name, bounds in declared(PYPROJECT["optional-dependencies"]["dev"]).items()
    if name in NOTEBOOK_TEST_TOOLS
}


def test_environment_uses_conda_forge_only():
    assert ENVIRONMENT["channels"] == ["conda-forge"]
    assert ENVIRONMENT["name"] == "nanograd"


def test_environment_python_matches_requires_python():
    assert SpecifierSet(conda_entries()["python"]) == SpecifierSet(PYPROJECT["requires-python"])
    assert SpecifierSet(PYPROJECT["requires-python"]) == SpecifierSet(">=3.10")


def test_environment_has_the_graphviz_program_and_pip():
    assert conda_entries()["graphviz"] == ""  # conda-forge's graphviz: the `dot` program, any version
    assert "pip" in conda_entries()


def test_the_notebook_test_tools_are_in_the_dev_extra():
    assert set(NOTEBOOK_TESTS) == NOTEBOOK_TEST_TOOLS


@pytest.mark.parametrize("name", sorted(RUNTIME) + sorted(NOTEBOOK_TEST_TOOLS))
def test_environment_installs_each_dependency_with_the_same_bounds(name):
    wanted = {**RUNTIME, **NOTEBOOK_TESTS}[name]
    packages = environment_python_packages()
    assert name in packages, f"environment.yml does not install {name} (pyproject.toml asks for {name}{wanted})"
    assert packages[name] == wanted, f"{name}: environment.yml says {packages[name]}, pyproject.toml says {wanted}"


def test_environment_installs_nothing_that_pyproject_does_not_declare():
    assert set(environment_python_packages()) == set(RUNTIME) | NOTEBOOK_TEST_TOOLS


def test_graphviz_pure_comes_from_pypi():
    # It is not on conda-forge: only the pip section can install it.
    assert "graphviz-pure" not in conda_entries()
    assert any(Requirement(line).name == "graphviz-pure" for line in pip_entries() if line.strip() not in ("-e .", "."))


def test_the_environment_ends_by_installing_nanograd_from_this_folder():
    assert isinstance(ENVIRONMENT["dependencies"][-1], dict)
    assert pip_entries()[-1].strip() in ("-e .", ".")


# --- the installed version


def test_the_package_version_is_pyprojects():
    assert nanograd.__version__ == PYPROJECT["version"]


def test_check_setup_prints_the_ready_line(capsys):
    nanograd.check_setup()
    nanograd.check_setup("0.0.9")
    nanograd.check_setup(PYPROJECT["version"])
    ready = f"nanograd {PYPROJECT['version']} is ready.\n"
    assert capsys.readouterr().out == ready * 3


@pytest.mark.parametrize("needed", ["0.2.0", "1.0", "0.1.1"])
def test_check_setup_names_the_versions_and_the_fix_when_too_old(needed, capsys):
    with pytest.raises(ImportError) as error:
        nanograd.check_setup(needed)
    message = str(error.value)
    assert f"needs nanograd {needed} or newer, but this kernel has {PYPROJECT['version']}" in message
    assert "pip install -e ." in message and "restart the kernel" in message
    assert capsys.readouterr().out == ""


def test_show_source_gives_the_installed_source_as_text_and_markdown():
    import inspect

    import nanograd
    from nanograd.core import Value

    shown = nanograd.show_source(Value.backward, Value.tanh)
    backward, tanh = inspect.getsource(Value.backward), inspect.getsource(Value.tanh)
    # Dedented: a method's source starts at the left margin, as in a code block.
    assert repr(shown) == backward.replace("\n    ", "\n")[4:] + "\n" + tanh.replace("\n    ", "\n")[4:]
    assert shown._repr_markdown_() == f"```python\n{repr(shown)}```"
    with pytest.raises(TypeError, match="at least one"):
        nanograd.show_source()
