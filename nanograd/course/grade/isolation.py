"""Where a submission's code runs: a sandbox (bubblewrap) or, without one, limits alone.

Every process of a submission (its kernel, then the grader's checks on its functions) starts through
``launch.py`` from the grader's private folder, which sets the resource limits (memory, processes, file size,
CPU time), clears the environment to a fixed one and, when the grader runs as root, drops to an unprivileged
user of its own. The kernel is this Python's own ipykernel, never a kernelspec found by name.

With bubblewrap (``bwrap``, Linux) each process also gets: an empty writable home (a small tmpfs) as its only
writable folder (the kernel's connection folder aside); the system, this Python, its packages and the course
package read-only; nothing else of the file system (no other submission, no grader files but the checks'
private copy); no network; its own PID namespace, so that nothing it starts outlives it; a new session.
Without bubblewrap the grader says once which of these are off.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import site
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import nanograd
from nanograd.course.lab import running_as_root

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
HOME = "/home/student"  # the submission's home and working folder inside the sandbox
GRADER = "/grader"  # where the grader's private copy (launch.py, checker.py, the checks) appears in the sandbox
FIRST_UID = 61000  # as root, the submissions of worker slot k run as user FIRST_UID + k
MARKER = "NANOGRAD_GRADING_RUN"  # in every submission process's environment: how leftovers are found without bwrap

OFF_WITHOUT_BWRAP = (
    "the file system is not isolated: a submission can read and write whatever the grader's user can "
    "(other submissions, the course, this grader's files)",
    "the network is open",
    "a process started with setsid can outlive its submission (the grader kills those it can find)",
)


@dataclass(frozen=True)
class Limits:
    """The resource limits of every process of a submission."""

    memory_mb: int = 2048  # address space, per process
    processes: int = 256  # processes and threads of the submission's user (as root: of its own user)
    file_mb: int = 64  # the largest file it may write
    cpu_seconds: int = 600  # CPU time, per process
    home_mb: int = 128  # the size of its home (with bubblewrap)


class Isolation:
    """How this grading run starts a submission's processes; ``private`` is the grader's own 0700 folder."""

    def __init__(self, private: Path, limits: Limits, mode: str = "auto", jobs: int = 1) -> None:
        self.private = private
        self.limits = limits
        self.jobs = jobs
        self.bwrap = shutil.which("bwrap") if mode != "off" else None
        self.root = running_as_root()
        self.reason_off = "" if self.bwrap or mode == "off" else "bwrap was not found"
        self.package = Path(nanograd.__file__).resolve().parent
        self.grader = private / "grader"
        self.mpl = private / "mpl"
        self.readonly = self._readonly_dirs()

    @property
    def sandboxed(self) -> bool:
        return self.bwrap is not None

    @property
    def grader_folder(self) -> str:
        """Where a submission's processes find the grader's private copy (launch.py, checker.py, the checks)."""
        return GRADER if self.sandboxed else str(self.grader)

    def _readonly_dirs(self) -> list[Path]:
        found = {Path(p) for p in SYSTEM_DIRS if Path(p).is_dir() and not Path(p).is_symlink()}
        for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}:
            if Path(prefix).is_dir():
                found.add(Path(prefix).resolve())
        found.add(Path(sys.executable).resolve().parent)
        found.add(self.package)
        # keep only the outermost of nested folders
        return sorted(p for p in found if not any(q != p and q in p.parents for q in found))

    def visible_to_submissions(self, path: Path) -> Path | None:
        """The read-only folder that makes ``path`` visible inside the sandbox, if one does."""
        path = path.resolve()
        return next((folder for folder in self.readonly if folder == path or folder in path.parents), None)

    def uid(self, slot: int) -> int | None:
        return FIRST_UID + slot if self.root and self.sandboxed else None

    def environment(self, home: str, marker: str) -> dict[str, str]:
        return {
            "HOME": home,
            "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TMPDIR": "/tmp" if self.sandboxed else home,
            "MPLCONFIGDIR": f"{home}/.mpl",
            "IPYTHONDIR": f"{home}/.ipython",
            "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
            "JUPYTER_DATA_DIR": f"{home}/.jupyter-data",
            "JUPYTER_PLATFORM_DIRS": "1",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            MARKER: marker,
        }

    def _process_limit(self) -> int:
        if self.uid(0) is not None:
            return self.limits.processes
        # the grader's own user: its processes count too, so the limit is on top of those it has now
        mine = 0
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                if entry.stat().st_uid == os.getuid():
                    mine += len(os.listdir(entry / "task"))
            except OSError:
                continue
        return mine + self.limits.processes * self.jobs

    def command(self, argv: list[str], *, slot: int, marker: str, workdir: Path, rundir: Path | None = None,
                owned: tuple[Path, ...] = (), cpu_seconds: int | None = None) -> list[str]:
        """The command that runs ``argv`` as a process of a submission: ``workdir`` is its home without bwrap,
        ``rundir`` a folder it shares with the grader (the kernel's connection file and sockets), ``owned`` the
        files there that become its own when it starts."""
        uid = self.uid(slot)
        home = HOME if self.sandboxed else str(workdir)
        chown = [str(p) for p in (rundir, *owned)] if rundir is not None and uid is not None else []
        limits = {
            "AS": self.limits.memory_mb << 20,
            "NPROC": self._process_limit(),
            "FSIZE": self.limits.file_mb << 20,
            "CPU": cpu_seconds or self.limits.cpu_seconds,
            "CORE": 0,
            "NOFILE": 1024,
        }
        settings = {"limits": limits, "uid": uid, "gid": uid, "chown": chown,
                    "env": self.environment(home, marker), "cwd": home}
        encoded = base64.b64encode(json.dumps(settings).encode()).decode()
        grader = self.grader_folder
        launch = [sys.executable, "-I", "-S", "-B", f"{grader}/launch.py", encoded, "--", *argv]
        if not self.sandboxed:
            if not (workdir / ".mpl").exists():
                shutil.copytree(self.mpl, workdir / ".mpl")
            return launch
        return [*self._bwrap(rundir, uid), "--", *launch]

    def _bwrap(self, rundir: Path | None, uid: int | None) -> list[str]:
        args = [self.bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "grading"]
        made: set[Path] = set()
        bound: list[Path] = []

        def parents(path: Path) -> list[str]:
            out = []
            for parent in reversed(path.parents):
                if parent == Path("/") or parent in made or any(b == parent or b in parent.parents for b in bound):
                    continue
                made.add(parent)
                out += ["--perms", "0755", "--dir", str(parent)]
            return out

        # /tmp first: a course or a Python under /tmp (a CI clone) is then bound on top of the tmpfs, not hidden by it
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        made.add(Path("/tmp"))  # a tmpfs now: the folders inside it are made
        for folder in self.readonly:
            args += parents(folder) + ["--ro-bind", str(folder), str(folder)]
            bound.append(folder)
        for link in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
            if Path(link).is_symlink():
                args += ["--symlink", os.readlink(link), link]
        args += ["--perms", "0755", "--dir", GRADER, "--ro-bind", str(self.grader), GRADER]
        args += ["--perms", "0777", "--size", str(self.limits.home_mb << 20), "--tmpfs", HOME]
        args += ["--perms", "0777", "--dir", f"{HOME}/.mpl"]
        for cached in sorted(self.mpl.iterdir()):
            args += ["--ro-bind", str(cached), f"{HOME}/.mpl/{cached.name}"]
        if rundir is not None:
            args += parents(rundir) + ["--bind", str(rundir), str(rundir)]
        args += ["--chdir", HOME, "--clearenv"]
        if uid is not None:
            args += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN"]
        return args

    def prepare(self) -> None:
        """Fill the private folder: launch.py, checker.py and a copy of the checks, and matplotlib's font cache."""
        here = Path(__file__).resolve().parent
        self.grader.mkdir(mode=0o755)
        for name in ("launch.py", "checker.py"):
            shutil.copyfile(here / name, self.grader / name)
        shutil.copytree(self.package / "course" / "checks", self.grader / "checks",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for path in [self.grader, *self.grader.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        self.private.chmod(0o700)  # a sandbox sees only what is bound into it
        self.mpl.mkdir()
        # matplotlib's font list, built once for this Python (and kept between runs) instead of in every sandbox
        kept = font_cache_folder()
        if not any(kept.glob("fontlist-*.json")):
            subprocess.run(
                [sys.executable, "-I", "-c", "import matplotlib.font_manager"],
                env={**self.environment(str(self.private), ""), "MPLCONFIGDIR": str(self.mpl)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False,
            )
            kept.mkdir(parents=True, exist_ok=True)
            for path in self.mpl.glob("fontlist-*.json"):
                shutil.copyfile(path, kept / path.name)
        for path in kept.glob("fontlist-*.json"):
            shutil.copyfile(path, self.mpl / path.name)
            (self.mpl / path.name).chmod(0o644)

    def self_test(self, workdir: Path) -> str | None:
        """Start one sandboxed Python that imports the course and ipykernel; the reason it failed, or None."""
        probe = "import nanograd.graph, ipykernel; print('ready')"
        argv = self.command([sys.executable, "-I", "-c", probe], slot=0, marker="self-test", workdir=workdir)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=120, start_new_session=True)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{type(error).__name__}: {error}"
        if done.stdout.strip() != "ready":
            lines = (done.stderr or done.stdout).strip().splitlines()
            return lines[-1] if lines else f"exit status {done.returncode}"
        return None

    def turn_off(self, reason: str) -> None:
        self.bwrap = None
        self.reason_off = reason


def font_cache_folder() -> Path:
    """Where the grader keeps matplotlib's font list between runs, one folder per Python environment."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    try:
        matplotlib = metadata.version("matplotlib")
    except metadata.PackageNotFoundError:
        matplotlib = "none"
    key = hashlib.sha256(f"{sys.prefix}|{sys.version}|{matplotlib}".encode()).hexdigest()[:16]
    return base / "nanograd-grade" / f"matplotlib-{key}"


def kill_leftovers(marker: str) -> None:
    """Kill every process of this user whose environment carries ``marker`` (those that left the session)."""
    needle = f"{MARKER}={marker}\0".encode()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (entry / "environ").read_bytes():
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ValueError):
            continue
