"""The grader's checks, run on a submission's functions in a fresh process: ``python -I -B checker.py``.

The grader starts this script (from its private copy) in a new sandbox after the notebook has run, and writes a
job on its standard input: JSON with the checks' folder, an HMAC key, a secret seed, the exercise, its tasks
as (task, function name), and the submission's definitions (its imports, function and class definitions and
constant assignments, top level only, as the grader picked them out of the code cells). In order, it:

1. moves its output channel (standard output) to a private descriptor and sends its own output to /dev/null;
2. loads the checks package from the given folder under a fresh module name (never ``nanograd.course.checks``,
   which the submission may import and change), and seeds their random inputs from the secret seed;
3. takes a fingerprint of the check modules, the engine (``nanograd.*``) and the standard modules the checks
   use (every name and every class attribute, held by reference);
4. installs an audit hook: from then on, frame and garbage-collector introspection, tracing, ctypes calls,
   new processes, signals, sockets, opening files for writing (or under /proc), and changing the code,
   defaults, class or bases of an object that the checks or the engine hold are refused, whoever asks (a
   few standard functions that only read their caller's name, and the check that names the function a
   traceback ends in, may look at a frame);
5. runs the definitions, then each task's check on the named function, with an alarm at the time left;
6. after each task, compares the fingerprint: a check module, the engine or a standard module changed while
   the submission ran makes that task and all after it "wrong", flagged as tampering.

Each event goes out as one line, ``JSON<TAB>HMAC-SHA256`` with a sequence number; the grader accepts only
lines it can verify, in order, and treats anything else on the channel as tampering.
"""

import collections
import enum
import hmac
import importlib.util
import json
import os
import signal
import sys
import threading
import time
import traceback
import types
import typing

SUBMISSION = "<submission>"
WATCHED_STANDARD_MODULES = (
    "builtins", "math", "random", "functools", "operator", "itertools", "numbers", "collections", "types",
    "json", "hmac", "hashlib", "inspect", "dataclasses", "signal", "os", "posix", "sys", "importlib",
    "importlib._bootstrap", "importlib._bootstrap_external",
)
REFUSED = (
    "sys._getframe", "sys._current_frames", "sys._current_exceptions", "sys.settrace", "sys.setprofile",
    "sys._settraceallthreads", "sys.addaudithook", "gc.", "ctypes.", "subprocess.", "os.exec", "os.posix_spawn",
    "os.spawn", "os.fork", "os.forkpty", "os.system", "os.kill", "os.killpg", "signal.pthread_kill", "pty.",
    "socket.", "mmap.", "code.__new__", "function.__new__", "os.remove", "os.unlink", "os.rename", "os.rmdir",
    "os.chmod", "os.chown", "os.truncate", "os.link", "os.symlink", "shutil.", "resource.setrlimit", "resource.prlimit",
)
FRAMES = ("frame", "f_back")  # the attributes that lead to a frame (__code__ and the like may be read)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


class OutOfTime(BaseException):
    """Raised in the submission's code when the checks' time is up (a check turns it into "wrong")."""


def load_checks(folder: str, name: str) -> types.ModuleType:
    """The checks package in ``folder``, imported as ``name`` (its modules as ``name.harness`` and so on)."""
    spec = importlib.util.spec_from_file_location(
        name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder]
    )
    package = importlib.util.module_from_spec(spec)
    sys.modules[name] = package
    spec.loader.exec_module(package)
    return package


def watched_modules(checks: dict) -> dict:
    """The modules whose names the fingerprint holds: the checks, the engine and the standard ones they use."""
    watched = dict(checks)
    for name, module in list(sys.modules.items()):
        if module is not None and (name in WATCHED_STANDARD_MODULES or name.split(".")[0] == "nanograd"):
            watched[name] = module
    return watched


def fingerprint(modules: dict) -> dict:
    """Every name of ``modules``, and every attribute of the classes they define, with its value."""
    found = {}
    for module_name, module in modules.items():
        for key, value in list(vars(module).items()):
            found[(module_name, key)] = value
            if isinstance(value, type) and getattr(value, "__module__", None) == module_name:
                for attribute, member in list(vars(value).items()):
                    found[(module_name, f"{key}.{attribute}")] = member
    return found


def changes(before: dict, after: dict, strict: set) -> list:
    """Names whose value changed or that went away; in the ``strict`` modules (the checks and the engine) new
    names too, as a new global can hide a builtin, except submodules that an import adds to their package."""
    changed = [key for key, value in before.items() if key not in after or after[key] is not value]
    changed += [
        key for key, value in after.items()
        if key not in before and key[0] in strict and not isinstance(value, types.ModuleType)
    ]
    skip = {"sys.modules", "sys.path_importer_cache", "sys.last_type", "sys.last_value", "sys.last_traceback",
            "sys.stdout", "sys.stderr", "sys.stdin", "sys.displayhook", "sys.excepthook"}  # the checks print nothing
    return sorted(name for name in (f"{module}.{key}" for module, key in changed) if name not in skip)


def main() -> None:
    job = json.loads(sys.stdin.buffer.read(50_000_000))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    channel = os.dup(1)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    key = bytes.fromhex(job.pop("key"))
    sequence = [0]

    def send(event: dict) -> None:
        sequence[0] += 1
        line = json.dumps({"seq": sequence[0], **event}, ensure_ascii=True)
        digest = hmac.new(key, line.encode(), "sha256").hexdigest()
        os.write(channel, f"{line}\t{digest}\n".encode())

    package_name = "nanograd_grader_checks_" + os.urandom(8).hex()
    checks = load_checks(job["checks"], package_name)
    harness = sys.modules[f"{package_name}.harness"]
    harness.draw_inputs_from(job["secret"])
    sys.modules[f"{package_name}.record"].publish = lambda *args, **kwargs: None  # verdicts go to the channel only
    # the code that may touch a frame: the check that names the function a traceback ends in, and standard
    # functions that read their caller's name or place (each gives back names and lines, never a frame)
    allowed = {harness._raised_in.__code__, typing._caller.__code__, collections.namedtuple.__code__,
               traceback.extract_stack.__code__, enum.EnumMeta._create_.__code__}
    own = {name: module for name, module in sys.modules.items() if name.split(".")[0] == package_name}
    for name in own:  # out of sys.modules, where the submission could look them up
        del sys.modules[name]
    watched = watched_modules(own)
    strict = {name for name in watched if name not in WATCHED_STANDARD_MODULES}
    before = fingerprint(watched)
    held = {id(value) for value in before.values()} | {id(module) for module in watched.values()}
    definitions = []
    for definition in job["definitions"]:
        try:
            definitions.append((compile(definition["source"], SUBMISSION, "exec"), definition["where"]))
        except SyntaxError as error:
            send({"event": "note", "text": f"{definition['where']}: not valid Python ({error.msg})"})

    refusals = []
    busy = set()
    getframe, get_ident = sys._getframe, threading.get_ident

    def dangerous(event: str, args: tuple) -> bool:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & WRITE_FLAGS
            )
            if isinstance(path, bytes):
                path = path.decode(errors="replace")
            return bool(writing) or not isinstance(path, str) or path.startswith(("/proc", "/sys", "/dev/fd"))
        if event == "object.__getattr__":
            return str(args[1]).endswith(FRAMES)
        if event in ("object.__setattr__", "object.__delattr__"):  # __code__, __defaults__, __class__, __bases__...
            return id(args[0]) in held  # of the checks' and the engine's objects; libraries may change their own
        return event.startswith(REFUSED) and event != "ctypes.dlopen"  # importing ctypes opens the program itself

    def refuse(event: str, args: tuple) -> None:
        if not dangerous(event, args):
            return
        thread = get_ident()
        if thread in busy:  # the getframe just below
            return
        busy.add(thread)
        try:
            caller = getframe(1).f_code
        finally:
            busy.discard(thread)
        if caller in allowed:
            return
        if len(refusals) < 100:
            refusals.append(f"{event} (in {caller.co_name})")
        raise PermissionError(f"refused while grading: {event}")

    sys.addaudithook(refuse)
    namespace = {"__name__": "submission", "__builtins__": __builtins__}
    for code, where in definitions:
        try:
            exec(code, namespace)
        except BaseException as error:  # one failing definition costs only what depends on it
            send({"event": "note", "text": f"{where} failed: {type(error).__name__}"})

    deadline = time.monotonic() + float(job["seconds"])

    def out_of_time(signum, frame):
        raise OutOfTime(f"still running when the grader's time limit of {job['limit']:g} s ran out")

    signal.signal(signal.SIGALRM, out_of_time)
    tampered = []
    for task, function_name in job["tasks"]:
        send({"event": "start", "task": task})
        if tampered:
            send({"event": "verdict", "task": task, "status": "wrong", "message": "not checked: see the flags"})
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            break
        function = namespace.get(function_name)
        if function is None:
            status, message = "not attempted", f"the notebook defines no {function_name}"
        else:
            check = getattr(checks, f"task_{job['exercise'][:2]}_{task}")
            signal.setitimer(signal.ITIMER_REAL, left)
            try:
                result = check(function)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            status, message = result.status, result.message
        tampered = changes(before, fingerprint(watched), strict)
        if tampered:
            status, message = "wrong", "the check's own code or the engine changed while it ran"
            send({"event": "tampered", "task": task, "names": tampered[:10]})
        send({"event": "verdict", "task": task, "status": status, "message": message[:1000]})
    if refusals:
        send({"event": "refused", "events": sorted(set(refusals))})
    send({"event": "done"})
    os._exit(0)  # no atexit handlers, no finalizers: nothing of the submission's runs after the last line


if __name__ == "__main__":
    main()
