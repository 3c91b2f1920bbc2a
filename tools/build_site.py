"""Build the course as a static website: JupyterLite with the Pyodide kernel, every notebook runnable in a browser.

    .venv/bin/python tools/build_site.py [--output _site] [--sourcemaps]

`make site` runs it (after installing the `site` extra). Each step says what it does:

1. ``npm ci`` in ``site/``: the Pyodide runtime and viz.js (Graphviz compiled to WebAssembly), at the versions
   pinned in ``site/package-lock.json``.
2. ``pip download``: the pure-Python wheels that the kernel boots with and the course adds (ipywidgets, graphviz),
   pinned with their hashes in ``site/pyodide-requirements.txt``.
3. nanograd's wheel, built from the working tree, and viz.js packed as a wheel (``viz_js``) for the kernel to load.
4. Pyodide's folder: its runtime from npm, every wheel above, and its ``pyodide-lock.json`` rewritten so that those
   packages load from the site itself, each with its own sha256. Every other package of the lock (numpy,
   matplotlib, ...) is looked up on Pyodide's package site, which the student's browser reaches only when online.
5. ``jupyter lite build`` with ``notebooks/`` and ``exercises/`` as the site's files, into ``_site/``.

Nothing is downloaded but packages from the npm registry and PyPI; the build itself runs offline. Scratch files
go to ``build/site/`` (git-ignored). The site is about 45 MB; the build fails if it grows past ``MAX_SITE_MB``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "site"  # package.json, package-lock.json and pyodide-requirements.txt
NODE_MODULES = SOURCES / "node_modules"
REQUIREMENTS = SOURCES / "pyodide-requirements.txt"
WORK = ROOT / "build" / "site"  # scratch: wheels, the staged Pyodide folder, the lite folder
DEFAULT_OUTPUT = ROOT / "_site"
COURSE_FOLDERS = ("notebooks", "exercises")

PYODIDE = NODE_MODULES / "pyodide"
PYODIDE_RUNTIME = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
PYODIDE_PACKAGE_SITE = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"
"""Pyodide's own package site, where the lock's other packages (numpy, matplotlib, ...) are looked up."""

VIZ = NODE_MODULES / "@viz-js" / "viz"
VIZ_SCRIPT = "viz-global.js"  # the one-file build: its WebAssembly is inside the script
VIZ_PACKAGE = "viz_js"  # nanograd.pictures.browser reads the script from this package

ADDED_PACKAGES = {
    "comm": ["traitlets"],
    # ipywidgets' two other requirements, widgetsnbextension and jupyterlab_widgets, hold the widgets' JavaScript
    # for a desktop Jupyter; the site has its own (the build environment's jupyterlab_widgets extension).
    "ipywidgets": ["comm", "ipython", "traitlets"],
    "graphviz": [],
    "viz-js": [],
    # In the browser nanograd needs only these: viz.js draws, matplotlib comes from Pyodide's package site when
    # a notebook imports it, and the rest of its requirements are the desktop Jupyter around it.
    "nanograd": ["graphviz", "viz-js"],
}
"""The packages the site adds to Pyodide's lock, and what each needs there: Pyodide reads no wheel's requirements."""

NEWER_THAN_PYODIDE = {"jedi", "parso"}
"""Packages pinned at another version than Pyodide's lock: site/pyodide-requirements.txt says why."""

PRELOADED = ["micropip", "ipython", "jedi", "comm", "ipywidgets", "nanograd"]
"""Loaded while the kernel starts: what it would otherwise install one by one (and look for on PyPI), and the course."""

MAX_SITE_MB = 50


class BuildError(Exception):
    """A step failed; the message says which, why, and what to do."""


# ---------------------------------------------------------------- steps


@contextlib.contextmanager
def step(title: str):
    """Print what the step does, then how long it took."""
    print(f"==> {title}", flush=True)
    started = time.monotonic()
    yield
    print(f"    done in {time.monotonic() - started:.1f} s", flush=True)


def run(command: list[str], cwd: Path = ROOT, quiet: bool = False) -> None:
    """Run ``command``, its output going to ours; a failure names the command and its exit code.

    ``quiet``: keep the output (a line per task, for `jupyter lite build`) and show its end only on failure.
    """
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=quiet, text=True)
    except FileNotFoundError:
        raise BuildError(f"cannot run {command[0]}: it is not installed (or not on the PATH)") from None
    if done.returncode != 0:
        if quiet:
            print("\n".join((done.stdout + done.stderr).splitlines()[-40:]), file=sys.stderr)
        raise BuildError(f"`{' '.join(map(str, command))}` failed with exit code {done.returncode} (see above)")


def check_tools() -> str:
    """The npm command; a clear error when npm or the `site` extra is missing."""
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "npm is not installed: the site's JavaScript (Pyodide, viz.js) comes from the npm registry. "
            "Install Node.js 18 or newer with npm (e.g. apt-get install nodejs npm), then run `make site` again."
        )
    try:
        import jupyterlite_core  # noqa: F401  (only checking that it is there)
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError as error:
        raise BuildError(
            f"{error.name} is not installed in {sys.prefix}: run `make site`, which installs the `site` extra "
            f"(pip install -e '.[site]')"
        ) from None
    return npm


def install_node_packages(npm: str) -> None:
    """``npm ci``: exactly the versions of site/package-lock.json, without running any package's scripts."""
    run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"], cwd=SOURCES)


def pyodide_version() -> tuple[str, str]:
    """The version of the npm pyodide package and its Python's (e.g. "314.0.6", "3.14")."""
    version = json.loads((PYODIDE / "package.json").read_text())["version"]
    python = json.loads((PYODIDE / "pyodide-lock.json").read_text())["info"]["python"]
    return version, ".".join(python.split(".")[:2])


def download_wheels(python_version: str) -> list[Path]:
    """The wheels of site/pyodide-requirements.txt, from PyPI (pip keeps them; a second build reuses them)."""
    folder = WORK / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
        "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", str(REQUIREMENTS), "--dest", str(folder),
        # For the browser's Python, not this one: pure-Python wheels only.
        "--platform", "any", "--implementation", "py", "--python-version", python_version,
    ]  # fmt: skip
    run(command)
    pins = {(canonical(name), version) for name, version in pinned(REQUIREMENTS)}
    wheels = sorted(folder.glob("*.whl"))  # the folder may hold other versions, from earlier pins
    return [wheel for wheel in wheels if (canonical(wheel_name(wheel)), wheel_version(wheel)) in pins]


def pinned(requirements: Path) -> list[tuple[str, str]]:
    """The (name, version) pairs of a requirements file whose lines pin ``name==version``."""
    return re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", requirements.read_text(), re.MULTILINE)


def build_nanograd_wheel() -> Path:
    """nanograd's wheel, built from a copy of the working tree (so no stale build/ files of setuptools get in)."""
    source = WORK / "nanograd-source"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "nanograd", source / "nanograd", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    folder = WORK / "built"
    shutil.rmtree(folder, ignore_errors=True)
    command = [
        sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--quiet",
        "--no-deps", "--no-build-isolation", "--wheel-dir", str(folder), str(source),
    ]  # fmt: skip
    run(command)
    [wheel] = folder.glob("nanograd-*.whl")
    return wheel


def pack_viz() -> Path:
    """viz.js as a wheel: the package ``viz_js`` holding the script, for the kernel to load with nanograd."""
    version = json.loads((VIZ / "package.json").read_text())["version"]
    script = (VIZ / "dist" / VIZ_SCRIPT).read_bytes()
    init = (
        f'"""viz.js {version} (npm: @viz-js/viz), Graphviz compiled to WebAssembly, packed by tools/build_site.py.\n\n'
        f"nanograd.pictures.browser reads {VIZ_SCRIPT} from here and runs it in the page.\n"
        f'"""\n\n__version__ = "{version}"\n'
    )
    metadata = (
        f"Metadata-Version: 2.1\nName: viz-js\nVersion: {version}\n"
        "Summary: viz.js (Graphviz compiled to WebAssembly) for nanograd's pictures in Pyodide\n"
        "License: MIT (viz.js); the Graphviz and Expat object code inside it keep their own licenses\n"
    )
    files = {f"{VIZ_PACKAGE}/__init__.py": init.encode(), f"{VIZ_PACKAGE}/{VIZ_SCRIPT}": script}
    return write_wheel(WORK / "built", "viz_js", version, files, metadata)


def write_wheel(folder: Path, name: str, version: str, files: dict[str, bytes], metadata: str) -> Path:
    """A minimal pure-Python wheel, the same bytes on every build (fixed dates, sorted entries)."""
    dist_info = f"{name}-{version}.dist-info"
    wheel_file = "Wheel-Version: 1.0\nGenerator: tools/build_site.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files = {**files, f"{dist_info}/METADATA": metadata.encode(), f"{dist_info}/WHEEL": wheel_file.encode()}
    record = [f"{path},sha256={urlsafe_sha256(data)},{len(data)}" for path, data in sorted(files.items())]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for member, data in sorted(files.items()):
            wheel.writestr(zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return path


def stage_pyodide(folder: Path, wheels: list[Path], package_site: str) -> str:
    """Pyodide's folder of the site: the runtime from npm, the wheels, and the lock that says where each comes from.

    Returns the lock's URL in the site, with its hash as a query. That and the wheels' folders, named by their
    hash, keep a browser from mixing files of two builds from its cache (GitHub Pages lets it keep them 10 min).
    """
    folder.mkdir(parents=True)
    for name in PYODIDE_RUNTIME:
        shutil.copy2(PYODIDE / name, folder / name)
    for wheel in wheels:
        (folder / wheel_folder(wheel)).mkdir()
        shutil.copy2(wheel, folder / wheel_folder(wheel) / wheel.name)
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    lock["packages"] = locked_packages(lock["packages"], wheels, package_site)
    text = json.dumps(lock, indent=1, sort_keys=True) + "\n"
    (folder / "pyodide-lock.json").write_text(text)
    return f"./static/pyodide/pyodide-lock.json?sha256={sha256(text.encode())}"


def wheel_folder(wheel: Path) -> str:
    """The folder of ``wheel`` in the site: the start of its sha256, so that a changed wheel gets a new address."""
    return sha256(wheel.read_bytes())[:16]


def locked_packages(packages: dict, wheels: list[Path], package_site: str) -> dict:
    """Pyodide's lock entries with ours: a local file and its hash for each wheel; the package site for the rest."""
    packages = {key: dict(entry) for key, entry in packages.items()}
    ours = set()
    for wheel in wheels:
        key = canonical(wheel_name(wheel))
        packages[key] = locked_wheel(packages.get(key), key, wheel)
        ours.add(key)
    missing = sorted({canonical(needed) for key in ours for needed in packages[key]["depends"]} - ours)
    if missing:
        raise BuildError(f"the site's packages need {missing}, which the site does not serve: add them")
    for key, entry in packages.items():
        if key not in ours and not re.match(r"https?://", entry["file_name"]):
            entry["file_name"] = package_site + entry["file_name"]
    return packages


def locked_wheel(entry: dict | None, key: str, wheel: Path) -> dict:
    """The lock entry of one of the site's wheels: Pyodide's (``entry``) or a new one, with the local file's hash."""
    version = wheel_version(wheel)
    if entry is None:
        if key not in ADDED_PACKAGES:
            raise BuildError(
                f"{wheel.name} is neither in Pyodide's lock nor in ADDED_PACKAGES of {Path(__file__).name}: "
                f"add it there with the packages it needs in the browser"
            )
        entry = new_entry(key, version, wheel)
    elif entry["version"] != version and key not in NEWER_THAN_PYODIDE:
        raise BuildError(
            f"{wheel.name}: Pyodide's lock has {key} {entry['version']}, not {version}; "
            f"pin {key}=={entry['version']} (with its hash) in {REQUIREMENTS.relative_to(ROOT)}"
        )
    return {**entry, "version": version, "file_name": f"{wheel_folder(wheel)}/{wheel.name}",
            "sha256": sha256(wheel.read_bytes()), "install_dir": "site"}  # fmt: skip


def new_entry(key: str, version: str, wheel: Path) -> dict:
    """A lock entry for a package that Pyodide's lock does not have: its import names are read from the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        tops = {member.split("/")[0] for member in archive.namelist()}
    imports = sorted(top.removesuffix(".py") for top in tops if not top.endswith((".dist-info", ".data")))
    return {
        "name": key,
        "version": version,
        "depends": ADDED_PACKAGES[key],
        "imports": imports,
        "package_type": "package",
        "unvendored_tests": False,
    }


def stage_lite_folder(folder: Path, wheels: list[Path], package_site: str) -> None:
    """The folder `jupyter lite build` reads: the course's files, Pyodide's folder and jupyter-lite.json."""
    shutil.rmtree(folder, ignore_errors=True)
    for name in COURSE_FOLDERS:
        target = folder / "files" / name
        target.mkdir(parents=True)
        for notebook in sorted((ROOT / name).glob("*.ipynb")):
            stage_notebook(notebook, target / notebook.name)
    lock_url = stage_pyodide(folder / "static" / "pyodide", wheels, package_site)
    settings = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "nanograd",
            "litePluginSettings": {
                "@jupyterlite/pyodide-kernel-extension:kernel": {
                    # `%pip install` looks only in the lock (and so on Pyodide's package site), never on PyPI,
                    # where most wheels would not run in the browser anyway.
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": PRELOADED, "lockFileURL": lock_url},
                }
            },
        },
    }
    (folder / "jupyter-lite.json").write_text(json.dumps(settings, indent=2) + "\n")


def stage_notebook(source: Path, target: Path) -> None:
    """A notebook as Jupyter's server sends it: every text one string, not a list of lines as in the file.

    JupyterLite serves the file as it is, and JupyterLab's table of contents fails on Markdown outputs
    (show_source's) that are lists ("e.replace is not a function"). nbformat joins them when it reads.
    """
    notebook = nbformat.read(source, as_version=4)
    target.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build_site(lite: Path, output: Path, sourcemaps: bool) -> None:
    """``jupyter lite build``: JupyterLite's app, the extensions of this environment (the widgets' among them)."""
    command = [
        sys.executable, "-m", "jupyterlite_core", "build",
        "--lite-dir", str(lite), "--contents", str(lite / "files"), "--output-dir", str(output),
        "--no-unused-shared-packages",  # JavaScript that no extension of this site uses
    ]  # fmt: skip
    if not sourcemaps:
        command.append("--no-sourcemaps")  # they double the site's size, and only developers read them
    run(command, cwd=lite, quiet=True)
    (output / ".nojekyll").touch()  # GitHub Pages: serve the files as they are


def check_output(output: Path) -> None:
    """Refuse, before any work, an output that exists and is not a site this tool built (it will be replaced)."""
    if output.exists() and (
        not output.is_dir() or (any(output.iterdir()) and not (output / "jupyter-lite.json").is_file())
    ):
        raise BuildError(f"{output} exists and is not a site this tool built: choose another --output, or remove it")


def clear_output(output: Path) -> None:
    """Remove an earlier site at ``output``, but never a folder this tool did not make."""
    check_output(output)
    if output.exists():
        shutil.rmtree(output)


def report_size(output: Path) -> float:
    """Print the site's size, its largest parts first; return it in MB."""
    sizes: dict[str, int] = {}
    for path in output.rglob("*"):
        if path.is_file():
            part = "/".join(path.relative_to(output).parts[:2])
            sizes[part] = sizes.get(part, 0) + path.stat().st_size
    total = sum(sizes.values()) / 1e6
    print(f"    {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}: {total:.1f} MB; largest parts:")
    for part, size in sorted(sizes.items(), key=lambda item: -item[1])[:5]:
        print(f"      {size / 1e6:6.1f} MB  {part}")
    return total


# ---------------------------------------------------------------- small helpers


def canonical(name: str) -> str:
    """A package name as Pyodide's lock keys it (PEP 503): "Pygments" -> "pygments", "stack_data" -> "stack-data"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def wheel_name(wheel: Path) -> str:
    return wheel.name.split("-")[0]


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def urlsafe_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------- main


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where the site goes (default: _site)")
    parser.add_argument("--sourcemaps", action="store_true", help="keep JupyterLite's source maps (twice the size)")
    args = parser.parse_args(argv)
    output = args.output.resolve()
    started = time.monotonic()
    try:
        check_output(output)
        npm = check_tools()
        with step("npm ci in site/: the Pyodide runtime and viz.js (Graphviz in WebAssembly) from the npm registry"):
            install_node_packages(npm)
        version, python_version = pyodide_version()
        package_site = PYODIDE_PACKAGE_SITE.format(version=version)
        with step(f"pip download: the wheels of {REQUIREMENTS.relative_to(ROOT)} for Python {python_version}"):
            wheels = download_wheels(python_version)
        with step("nanograd's wheel from the working tree, and viz.js packed as a wheel"):
            wheels += [build_nanograd_wheel(), pack_viz()]
        with step(f"Pyodide {version}: its runtime, {len(wheels)} wheels and the lock that lists them"):
            stage_lite_folder(WORK / "lite", wheels, package_site)
        with step(f"jupyter lite build into {output}"):
            clear_output(output)
            build_site(WORK / "lite", output, args.sourcemaps)
        size = report_size(output)
        if size > MAX_SITE_MB:
            raise BuildError(f"the site is {size:.1f} MB, more than {MAX_SITE_MB} MB: look at its largest parts above")
    except BuildError as error:
        print(f"build_site: {error}", file=sys.stderr)
        return 1
    print(f"The site is in {output} ({time.monotonic() - started:.0f} s). Try it: python -m http.server -d {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
