"""The static site's build (tools/build_site.py) and what it built, without a browser (tests/test_site.py opens it).

The build's own logic is tested on small wheels made here: how Pyodide's lock is rewritten, and the clear
errors for what would make a broken site. The built site in _site/ is checked when there is one (`make site`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tools import build_site as build

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_site"
LOCK = SITE / "static" / "pyodide" / "pyodide-lock.json"
PACKAGE_SITE = "https://cdn.jsdelivr.net/pyodide/v314.0.6/full/"


def a_wheel(folder: Path, name: str, version: str) -> Path:
    return build.write_wheel(folder, name, version, {f"{name}/__init__.py": b""}, f"Name: {name}\n")


def pyodide_lock() -> dict:
    """A small lock in Pyodide's format: a package the site replaces, one it does not, and what they need."""
    def entry(name, version, depends=()):
        return {"name": name, "version": version, "file_name": f"{name}-{version}-py3-none-any.whl",
                "sha256": "0" * 64, "depends": list(depends), "imports": [name], "install_dir": "site"}  # fmt: skip

    return {"traitlets": entry("traitlets", "5.14.3"), "numpy": entry("numpy", "2.4.6")}


# ---------------------------------------------------------------- Pyodide's desktop twin


def test_the_pyodide_renderer_is_never_imported_on_desktop_python():
    code = "import nanograd.pictures.drawing, sys; print('nanograd.pictures.browser' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# ---------------------------------------------------------------- the build's logic


def test_the_lock_serves_the_sites_wheels_and_looks_up_the_rest_on_pyodides_package_site(tmp_path):
    wheels = [a_wheel(tmp_path, "traitlets", "5.14.3"), a_wheel(tmp_path, "comm", "0.2.3")]
    packages = build.locked_packages(pyodide_lock(), wheels, PACKAGE_SITE)
    folder = build.sha256(wheels[0].read_bytes())[:16]  # a changed wheel gets a new address
    assert packages["traitlets"]["file_name"] == f"{folder}/traitlets-5.14.3-py3-none-any.whl"
    assert packages["traitlets"]["sha256"] == build.sha256(wheels[0].read_bytes())
    assert packages["comm"]["depends"] == ["traitlets"] and packages["comm"]["imports"] == ["comm"]
    assert packages["numpy"]["file_name"] == PACKAGE_SITE + "numpy-2.4.6-py3-none-any.whl"
    assert packages["numpy"]["sha256"] == "0" * 64  # Pyodide's own file, Pyodide's own hash


def test_a_wheel_at_another_version_than_pyodides_is_refused_with_the_pin_to_write(tmp_path):
    with pytest.raises(build.BuildError, match=r"not 5\.0\.0; pin traitlets==5\.14\.3"):
        build.locked_packages(pyodide_lock(), [a_wheel(tmp_path, "traitlets", "5.0.0")], PACKAGE_SITE)


def test_an_unknown_wheel_and_a_missing_requirement_are_refused(tmp_path):
    with pytest.raises(build.BuildError, match="neither in Pyodide's lock nor in ADDED_PACKAGES"):
        build.locked_packages(pyodide_lock(), [a_wheel(tmp_path, "leftpad", "1.0")], PACKAGE_SITE)
    with pytest.raises(build.BuildError, match=r"need \['traitlets'\], which the site does not serve"):
        build.locked_packages(pyodide_lock(), [a_wheel(tmp_path, "comm", "0.2.3")], PACKAGE_SITE)


def test_a_packed_wheel_is_the_same_on_every_build(tmp_path):
    first, second = a_wheel(tmp_path / "1", "viz_js", "3.31.0"), a_wheel(tmp_path / "2", "viz_js", "3.31.0")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as wheel:
        assert "viz_js-3.31.0.dist-info/RECORD" in wheel.namelist()


def test_the_build_never_removes_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(build.BuildError, match="is not a site this tool built"):
        build.clear_output(tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_without_npm_the_build_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no npm on it
    with pytest.raises(build.BuildError, match="npm is not installed.*Install Node.js"):
        build.check_tools()


def test_the_pinned_wheels_match_the_pinned_pyodide():
    """site/pyodide-requirements.txt pins each package of Pyodide's lock at the lock's version (npm's pyodide)."""
    if not (build.PYODIDE / "pyodide-lock.json").is_file():
        pytest.skip("site/node_modules is not installed: `make site` runs npm ci")
    lock = json.loads((build.PYODIDE / "pyodide-lock.json").read_text())["packages"]
    for name, version in build.pinned(build.REQUIREMENTS):
        key = build.canonical(name)
        if key not in {*build.ADDED_PACKAGES, *build.NEWER_THAN_PYODIDE}:
            assert lock[key]["version"] == version, f"{name}: Pyodide's lock has {lock[key]['version']}"


# ---------------------------------------------------------------- the built site

needs_site = pytest.mark.skipif(not LOCK.is_file(), reason="no site in _site/: build it with `make site` (CI does)")


@needs_site
def test_the_site_is_lean():
    size = sum(path.stat().st_size for path in SITE.rglob("*") if path.is_file()) / 1e6
    assert size <= build.MAX_SITE_MB, f"_site/ is {size:.1f} MB, more than {build.MAX_SITE_MB}: see `make site`"


@needs_site
def test_only_the_lock_points_off_the_site():
    """The kernel's packages are the site's own files; only the lock's other packages are on Pyodide's package site."""
    packages = json.loads(LOCK.read_text())["packages"]
    remote = {name for name, entry in packages.items() if re.match(r"https?://", entry["file_name"])}
    local = set(packages) - remote
    assert {"nanograd", "viz-js", "ipywidgets", "ipython", "micropip"} <= local
    assert {urlparse(packages[name]["file_name"]).hostname for name in remote} == {"cdn.jsdelivr.net"}
    for name in local:
        assert (LOCK.parent / packages[name]["file_name"]).is_file(), f"{name}: the site lacks its wheel"
    config = json.loads((SITE / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"]["@jupyterlite/pyodide-kernel-extension:kernel"]
    assert kernel["pyodideUrl"] == "./static/pyodide/pyodide.mjs" and kernel["disablePyPIFallback"] is True
    assert set(kernel["loadPyodideOptions"]["packages"]) <= local
    lock_url = kernel["loadPyodideOptions"]["lockFileURL"]  # its hash: no browser keeps a lock of an earlier build
    assert lock_url == f"./static/pyodide/pyodide-lock.json?sha256={build.sha256(LOCK.read_bytes())}"
