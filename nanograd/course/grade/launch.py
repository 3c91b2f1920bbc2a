"""Start one process of a submission: ``python -I -S launch.py SETTINGS -- COMMAND...``.

Run by the grader as the first program inside a submission's sandbox (or, without bubblewrap, as the kernel's
parent), from the grader's private copy of this file. It reads the standard library only. In order, it:
hands the given folders and files to the submission's user (``chown``), sets the resource limits, drops to
that user (when the grader runs as root), and replaces itself by COMMAND with exactly the given environment.
SETTINGS is base64 of JSON (no braces for the kernel launcher to fill in): ``{"limits": {"AS": bytes, ...},
"uid": n | null, "gid": n | null, "chown": [paths], "env": {...}, "cwd": path}``.
"""

import base64
import json
import os
import resource
import sys


def main() -> None:
    settings = json.loads(base64.b64decode(sys.argv[1]))
    command = sys.argv[sys.argv.index("--") + 1 :]
    uid, gid = settings.get("uid"), settings.get("gid")
    for path in settings.get("chown", []):
        if uid is not None:
            os.chown(path, uid, gid)
    for name, value in settings.get("limits", {}).items():
        limit = getattr(resource, f"RLIMIT_{name}", None)
        if limit is not None:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):  # a hard limit below ours already: keep it
                resource.setrlimit(limit, (min(value, resource.getrlimit(limit)[1]),) * 2)
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    os.chdir(settings["cwd"])
    os.execve(command[0], command, settings["env"])


if __name__ == "__main__":
    try:
        main()
    except BaseException as error:  # the grader reads this line as the reason the submission could not start
        print(f"nanograd grader: could not start the submission: {type(error).__name__}: {error}", file=sys.stderr)
        os._exit(127)
