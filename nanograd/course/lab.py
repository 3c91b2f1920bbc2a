"""Open the course in JupyterLab: what ``make lab`` runs.

    python -m nanograd.course.lab [more jupyter-lab options, e.g. --port 8890 --no-browser]

Run it in the course folder (or any folder inside it). It checks that this Python can run the
course (JupyterLab, the ipywidgets extension that draws sliders, nanograd installed so that a
notebook's kernel can import it), turns off JupyterLab's news and update pop-up for this
environment, and starts JupyterLab on ``notebooks/00_start_here.ipynb``. Run as root (in a container or
on a cloud VM), it adds ``--allow-root``, without which JupyterLab refuses to start, and says so.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

PROGRAM = "nanograd.course.lab"
START_PAGE = Path("notebooks") / "00_start_here.ipynb"

NEWS_OFF = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}
"""JupyterLab settings that stop it asking, on first start, whether to fetch news from the internet."""

WIDGET_EXTENSION = Path("@jupyter-widgets") / "jupyterlab-manager"
"""The JupyterLab half of ipywidgets (package jupyterlab_widgets). Without it a slider shows as text."""


class LabSetupError(Exception):
    """Something stops the course from opening; the message says what and how to fix it."""


def find_course(start: Path) -> Path:
    """The course folder: ``start`` or the nearest folder above it that holds the start page."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / START_PAGE).is_file():
            return folder
    raise LabSetupError(
        f"this is not the course folder: neither {start} nor any folder above it holds {START_PAGE.as_posix()}. "
        f"`cd` into the nanograd course folder (the one with the Makefile and notebooks/) and run `make lab` there."
    )


def overrides_file(prefix: str | os.PathLike = sys.prefix) -> Path:
    """Where JupyterLab reads the setting defaults of one Python environment."""
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def turn_off_news(prefix: str | os.PathLike = sys.prefix) -> Path:
    """Add ``NEWS_OFF`` to the environment's overrides.json, keeping every other setting in it."""
    path = overrides_file(prefix)
    settings = {}
    if path.exists():
        try:
            settings = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise LabSetupError(
                f"{path} is not valid JSON ({error}), so JupyterLab ignores all of it. "
                f"Correct it (or delete it if you never wrote it) and run `make lab` again."
            ) from None
        if not isinstance(settings, dict):
            raise LabSetupError(f"{path} must hold a JSON object {{...}}, not {type(settings).__name__}. Correct it.")
    merged = json.loads(json.dumps(settings))  # a deep copy, to see below whether anything changed
    for plugin, values in NEWS_OFF.items():
        plugin_settings = merged.setdefault(plugin, {})
        if not isinstance(plugin_settings, dict):
            raise LabSetupError(f"in {path}, {plugin!r} must be a JSON object {{...}}. Correct it.")
        plugin_settings.update(values)
    if merged != settings:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)  # all or nothing: the old file stays whole if writing fails
    return path


def find_widget_extension(labextension_dirs: list[str] | None = None) -> Path:
    """The folder of ipywidgets' JupyterLab extension, found where JupyterLab looks for extensions."""
    if labextension_dirs is None:
        from jupyter_core.paths import jupyter_path

        labextension_dirs = jupyter_path("labextensions")
    for folder in labextension_dirs:
        candidate = Path(folder) / WIDGET_EXTENSION
        if (candidate / "package.json").is_file():
            return candidate
    raise LabSetupError(
        f"ipywidgets' JupyterLab extension ({WIDGET_EXTENSION.as_posix()}) is not installed, so the course's "
        f"sliders would show as plain text. Looked in: {', '.join(map(str, labextension_dirs)) or 'nowhere'}. "
        f"Run `{sys.executable} -m pip install 'ipywidgets>=8'` (or `make lab`, which installs everything)."
    )


def check_environment() -> None:
    """This Python has JupyterLab, ipywidgets and an installed nanograd (that notebooks' kernels can import)."""
    missing = [name for name in ("jupyterlab", "ipywidgets", "ipykernel") if importlib.util.find_spec(name) is None]
    if missing:
        raise LabSetupError(
            f"{sys.executable} does not have {', '.join(missing)}. Run `make lab` in the course folder: "
            f"it sets up .venv with everything the course needs and starts JupyterLab from there."
        )
    try:
        importlib.metadata.distribution("nanograd")
    except importlib.metadata.PackageNotFoundError:
        raise LabSetupError(
            f"nanograd is not installed in {sys.prefix}, so a notebook's kernel could not import it. "
            f"Run `make lab` in the course folder (or `{sys.executable} -m pip install -e .` there)."
        ) from None


def lab_command(course: Path, extra_args: list[str]) -> list[str]:
    """The jupyter-lab command line: serve ``course`` and open the start page; ``extra_args`` come last."""
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={course}",
        str(course / START_PAGE),
        *extra_args,
    ]


def running_as_root() -> bool:
    """Whether this process runs as root, as it often does in a container or on a cloud VM (never on Windows)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def allow_root(extra_args: list[str], as_root: bool) -> list[str]:
    """``extra_args``, with ``--allow-root`` added at the end when running as root and the user chose nothing.

    As root, JupyterLab says "Running as root is not recommended. Use --allow-root to bypass." and stops. In a
    container or on a throw-away VM root is often the only user there is, so ``make lab`` would stop at once.
    A user who passed ``--allow-root`` or set ``allow_root`` (``--ServerApp.allow_root=False``) has chosen.
    """
    chosen = any(arg == "--allow-root" or "allow_root" in arg for arg in extra_args)
    return [*extra_args, "--allow-root"] if as_root and not chosen else list(extra_args)


def main(argv: list[str] | None = None) -> int:
    """Check the setup and start JupyterLab in this process. Exit status 1, with the one-line reason on
    standard error, if the course cannot open; otherwise JupyterLab's own."""
    extra_args = sys.argv[1:] if argv is None else argv
    try:
        course = find_course(Path.cwd())
        check_environment()
        find_widget_extension()
        turn_off_news()
    except LabSetupError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
    options = allow_root(extra_args, running_as_root())
    if options != extra_args:
        print(f"{PROGRAM}: running as root (a container or a VM?): starting JupyterLab with --allow-root", flush=True)
    command = lab_command(course, options)
    print(f"Opening the course in JupyterLab: {course / START_PAGE}", flush=True)
    os.chdir(course)
    if os.name == "nt":
        return subprocess.call(command)
    os.execv(command[0], command)  # JupyterLab takes this process over, so Ctrl-C reaches it directly


if __name__ == "__main__":
    sys.exit(main())
