"""Grading one submission: run the notebook as the student would, then the grader's own checks on its functions.

1. **The notebook** runs top to bottom in a fresh, sandboxed kernel, with a time limit. Nothing it shows is
   kept but what the notes need: the errors, whether it flooded its output, and the verdicts its check cells
   showed (at most ``kernel.MAX_RECORDS``, each at most ``kernel.MAX_RECORD_BYTES``).
2. **The checks**: a second, fresh sandboxed process (``checker.py``) runs only the notebook's definitions,
   then every task's released check on the function the released check cell names, with inputs drawn from a
   secret seed. Its signed verdicts are the marks.
3. **The comparison**: a task whose notebook verdict differs from the grader's, a check cell deleted or
   changed, a forged record, a patched check, a refused operation: each is a flag in the notes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
import zmq.asyncio
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from . import submissions
from .isolation import Isolation, kill_leftovers
from .kernel import GraderKernels, Manager, WatchedClient

MAX_MESSAGE_BYTES = 8 << 20  # a larger message from a kernel is dropped by ZeroMQ before the grader reads it
CHANNEL_BYTES = 1_000_000  # what the grader reads at most from its checks' channel
RECEIVE_QUEUE = 8  # messages ZeroMQ queues for the grader at most, per socket


@dataclass
class Submission:
    """What grading one notebook found: each task's status, what happened, and what deserves a look."""

    path: Path
    exercise: str | None = None
    statuses: dict[str, str] = field(default_factory=dict)  # task -> passed / wrong / not attempted / not run
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # what an instructor should look at: possible cheating

    @property
    def score(self) -> int:
        return sum(status == "passed" for status in self.statuses.values())


@dataclass(frozen=True)
class Settings:
    """What every submission of a run is graded with."""

    tasks: dict  # exercise -> [(task, title)]
    calls: dict  # exercise -> [(task, function name)], from the released exercises
    isolation: Isolation
    time_limit: float
    output_limit: int
    assigned: str | None = None
    secret: str = field(default_factory=lambda: secrets.token_hex(16))


def grade(snapshot: submissions.Snapshot, settings: Settings, slot: int, workspace: Path) -> Submission:
    """Grade one submission; any failure of its own becomes a note on its row, never an exception."""
    result = Submission(snapshot.path)
    try:
        _grade(snapshot, settings, slot, workspace, result)
    except Exception as error:  # noqa: BLE001 - one submission's failure is its own row's note
        result.notes.append(f"grading stopped: {type(error).__name__}: {str(error)[:200]}")
    result.notes, result.flags = list(dict.fromkeys(result.notes)), list(dict.fromkeys(result.flags))  # once each
    return result


def _grade(snapshot, settings: Settings, slot: int, workspace: Path, result: Submission) -> None:
    if snapshot.problem:
        result.notes.append(snapshot.problem)
        return
    data = snapshot.copy.read_bytes()
    if hashlib.sha256(data).hexdigest() != snapshot.digest:  # only possible without bwrap
        result.flags.append("its private copy changed before it was graded: the original was graded")
        data = snapshot.path.read_bytes()
        if hashlib.sha256(data).hexdigest() != snapshot.digest:
            result.notes.append("not graded: the submitted file changed before it was graded")
            return
    try:
        notebook = submissions.read_notebook(data)
    except ValueError as error:
        result.notes.append(str(error))
        return
    exercise, notes, flags = submissions.which_exercise(notebook, snapshot.path, settings.tasks, settings.assigned)
    result.notes += notes
    result.flags += flags
    if exercise is None:
        result.notes.append("unknown exercise: no nanograd metadata and no known file name (use --exercise)")
        return
    result.exercise = exercise
    calls = settings.calls[exercise]
    result.statuses = {task: "not run" for task, _ in calls}  # until the grader's checks have run
    result.flags += submissions.check_cell_notes(notebook, exercise, calls)
    result.flags += submissions.static_flags(notebook)

    marker = secrets.token_hex(8)
    folder = Path(tempfile.mkdtemp(prefix=f"s{slot}-", dir=workspace))
    try:
        client = _run_notebook(notebook, settings, slot, marker, folder, result)
        statuses, messages = _run_checks(notebook, exercise, calls, settings, slot, marker, folder, result)
    finally:
        kill_leftovers(marker)
        shutil.rmtree(folder, ignore_errors=True)
    result.statuses = statuses
    _compare(client, exercise, statuses, messages, result)


def _run_notebook(notebook, settings: Settings, slot: int, marker: str, folder: Path, result: Submission):
    """Run the notebook's code cells in order in a sandboxed kernel; note what happened. Returns the client."""
    for cell in notebook.cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    rundir = folder / "run"
    rundir.mkdir()
    workdir = folder / "home"
    workdir.mkdir()
    connection = rundir / "kernel.json"
    argv = settings.isolation.command(
        [sys.executable, "-I", "-B", "-m", "ipykernel_launcher", "-f", str(connection)],
        slot=slot, marker=marker, workdir=workdir, rundir=rundir, owned=(connection,),
    )  # its CPU limit is the grading run's: --time-limit plus a minute
    context = zmq.asyncio.Context()
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
    manager = Manager(
        kernel_spec_manager=GraderKernels(argv), kernel_name="nanograd-grader", transport="ipc",
        connection_file=str(connection), context=context, autorestart=False,
    )
    client = WatchedClient(
        notebook, settings.output_limit, km=manager, allow_errors=True, record_timing=False,
        resources={"metadata": {"path": str(rundir)}}, startup_timeout=120, shutdown_kernel="immediate",
    )
    started = []
    try:
        with client.setup_kernel(env={"PATH": "/usr/bin:/bin"}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL):
            started.append(manager.provisioner.process)
            _run_cells(client, notebook, result, settings.time_limit)
    except Exception as error:  # the kernel could not start, or went away: this file's problem only
        result.notes.append(f"the notebook stopped: {type(error).__name__}: {str(error)[:200]}")
    finally:
        context.destroy(linger=0)
        for process in started:  # reaped, so that no zombie is left per submission
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                pass
            process.wait()
    return client


def _run_cells(client: WatchedClient, notebook, result: Submission, time_limit: float) -> None:
    deadline = time.monotonic() + time_limit
    for index, cell in enumerate(notebook.cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or not isinstance(cell.get("source"), str):
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            result.notes.append(f"the notebook stopped: its time limit of {time_limit:g} s ran out")
            return
        client.timeout = max(1, int(remaining))
        client.printed, errors = 0, len(client.errors)
        try:
            client.execute_cell(cell, index)
        except CellTimeoutError:
            result.notes.append(f"the notebook stopped in cell {index + 1}: still running at {time_limit:g} s")
            return
        except DeadKernelError:
            result.notes.append(f"the notebook stopped in cell {index + 1}: the kernel died")
            return
        for ename in client.errors[errors:]:
            result.notes.append(f"cell {index + 1} raised {ename}")
        if client.flooded:
            result.notes.append(f"cell {index + 1} printed more than {client.output_limit:,} bytes")
            client.flooded = False


def _run_checks(notebook, exercise: str, calls, settings: Settings, slot: int, marker: str, folder: Path,
                result: Submission) -> tuple[dict[str, str], dict[str, str]]:
    """The grader's verdicts: its checks on the notebook's functions, in fresh sandboxed processes. A process
    that stops before a verdict costs that task; the tasks after it get a new process, time permitting."""
    found = submissions.definitions(notebook)
    if found.skipped_cells:
        result.notes.append(f"cells {', '.join(map(str, found.skipped_cells[:5]))} are not valid Python")
    statuses = {task: "not run" for task, _ in calls}
    messages: dict[str, str] = {}
    deadline = time.monotonic() + settings.time_limit
    remaining = list(calls)
    while remaining and deadline - time.monotonic() > 1:
        events, trouble = _checker(found, exercise, remaining, settings, slot, marker, folder,
                                   deadline - time.monotonic())
        done = set()
        for event in events:
            kind = event.get("event")
            if kind == "verdict" and event.get("task") in statuses and event["task"] not in done:
                statuses[event["task"]] = str(event.get("status"))
                messages[event["task"]] = str(event.get("message", ""))
                done.add(event["task"])
            elif kind == "note":
                result.notes.append(f"grader's checks: {event.get('text')}")
            elif kind == "tampered":
                names = ", ".join(map(str, event.get("names", [])))
                result.flags.append(f"task {event.get('task')}: the checks or the engine were changed ({names})")
            elif kind == "refused":
                result.flags.append("the grader refused: " + ", ".join(map(str, event.get("events", []))))
        if trouble and "signed" in trouble:  # someone else wrote on the channel: nothing on it counts
            result.flags.append(trouble)
            return {task: "wrong" for task in statuses}, messages
        if trouble:
            result.notes.append(trouble)
        started = [e.get("task") for e in events if e.get("event") == "start"]
        stuck = [task for task in started if task not in done]
        if stuck:
            statuses[stuck[0]] = "wrong"
            messages[stuck[0]] = "the check did not finish (the function ran out of time or stopped the process)"
            result.notes.append(f"task {stuck[0]}: the grader's check did not finish")
        remaining = [(task, name) for task, name in remaining if task not in done and task not in stuck[:1]]
        if not events:
            break
    return statuses, messages


def _checker(found, exercise, calls, settings: Settings, slot, marker, folder: Path, seconds: float):
    """Run checker.py once; its verified events, and what went wrong if something did."""
    key = secrets.token_bytes(32)
    isolation = settings.isolation
    grader = isolation.grader_folder
    job = {
        "key": key.hex(), "secret": settings.secret, "checks": f"{grader}/checks", "exercise": exercise,
        "tasks": [list(call) for call in calls], "definitions": found.statements, "seconds": seconds,
        "limit": settings.time_limit,
    }
    workdir = folder / "checks-home"
    workdir.mkdir(exist_ok=True)
    argv = isolation.command([sys.executable, "-I", "-B", f"{grader}/checker.py"], slot=slot, marker=marker,
                             workdir=workdir, cpu_seconds=int(seconds) + 30)
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    output = bytearray()
    try:
        try:
            process.stdin.write(json.dumps(job).encode())
            process.stdin.close()
        except OSError:
            pass
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            end = time.monotonic() + seconds + 15  # its own alarm stops a check first; this stops the process
            while len(output) < CHANNEL_BYTES and time.monotonic() < end:
                if not selector.select(timeout=max(0.0, end - time.monotonic())):
                    break
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()
        process.stdout.close()
        kill_leftovers(marker)
    events, expected = [], 1
    for line in bytes(output).split(b"\n"):
        if not line:
            continue
        body, _, digest = line.rpartition(b"\t")
        good = hmac.compare_digest(hmac.new(key, body, "sha256").hexdigest().encode(), digest)
        try:
            event = json.loads(body) if good else None
        except ValueError:
            event = None
        if event is None or event.get("seq") != expected:
            return events, "the grader's checks received lines it had not signed: its verdicts are void"
        expected += 1
        events.append(event)
    if not events or events[-1].get("event") != "done":
        return events, "the grader's checks stopped before the end"
    return events, ""


def _compare(client, exercise: str, statuses: dict[str, str], messages: dict[str, str], result: Submission) -> None:
    """Flags for every task whose notebook verdict differs from the grader's, and for forged records."""
    shown = submissions.shown_records(client.records, exercise)
    foreign = [r for r in client.records if r.get("exercise") != exercise]
    if foreign:
        result.flags.append(f"the notebook showed {len(foreign)} check record(s) of another exercise")
    if client.records_dropped:
        result.flags.append(f"the notebook showed {client.records_dropped} oversized or excess check record(s)")
    for task, status in statuses.items():
        seen = shown.get(task, [])
        if len(seen) > 1:
            result.flags.append(f"task {task}: the notebook showed {len(seen)} verdicts")
        if seen and seen[-1] != status:
            detail = f": {messages[task][:160]}" if messages.get(task) else ""
            found = f"the grader's check found {status}{detail}"
            result.flags.append(f"task {task}: the notebook showed {seen[-1]}, {found}")
    extra = sorted(set(shown) - set(statuses))
    if extra:
        result.flags.append(f"the notebook showed verdicts for tasks that do not exist ({', '.join(extra[:5])})")
