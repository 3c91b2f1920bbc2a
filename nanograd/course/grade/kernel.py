"""The kernel a submission runs in, as the grader starts and watches it.

``GraderKernels`` hands nbclient one kernel only (this Python's ipykernel, started in the submission's sandbox,
never a kernelspec found by name); ``Manager`` makes its clients share the manager's ZeroMQ limits; and
``WatchedClient`` keeps nothing of what a notebook shows but its errors, its size and its check records (at most
``MAX_RECORDS``, each at most ``MAX_RECORD_BYTES``).
"""

from __future__ import annotations

import json

from jupyter_client import AsyncKernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from nbclient import NotebookClient

from nanograd.course.checks import MIME_TYPE

MAX_RECORDS = 64
MAX_RECORD_BYTES = 16_000


class GraderKernels(KernelSpecManager):
    """The one kernel the grader starts: this Python's ipykernel, in the submission's sandbox."""

    def __init__(self, argv: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.argv = argv

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return KernelSpec(argv=self.argv, display_name="nanograd grader", language="python")

    def find_kernel_specs(self) -> dict[str, str]:
        return {}


class Manager(AsyncKernelManager):
    """A kernel manager whose clients share its ZeroMQ context, and so its limits on what they receive."""

    def client(self, **kwargs):
        kwargs.setdefault("context", self.context)
        return super().client(**kwargs)


class WatchedClient(NotebookClient):
    """A notebook client that keeps nothing of what the notebook shows but errors, sizes and check records."""

    def __init__(self, notebook, output_limit: int, **kwargs) -> None:
        super().__init__(notebook, **kwargs)
        self.output_limit = output_limit
        self.printed = 0  # bytes shown by the cell that runs now
        self.flooded = False
        self.errors: list[str] = []
        self.records: list[dict] = []
        self.records_dropped = 0

    def output(self, outs, msg, display_id, cell_index):
        kind = msg.get("msg_type") or msg.get("header", {}).get("msg_type")
        content = msg.get("content") or {}
        if kind == "error":
            self.errors.append(str(content.get("ename", "an error"))[:80])
        data = content.get("data") if isinstance(content.get("data"), dict) else {}
        size = sum(len(v) if isinstance(v, str) else json_size(v) for v in data.values())
        size += len(content["text"]) if isinstance(content.get("text"), str) else 0
        record = data.get(MIME_TYPE)
        if record is not None:
            keep = isinstance(record, dict) and size <= MAX_RECORD_BYTES and len(self.records) < MAX_RECORDS
            if keep:
                self.records.append({key: record.get(key) for key in ("exercise", "task", "status")})
            else:
                self.records_dropped += 1
        self.printed += size
        if self.printed > self.output_limit:
            self.flooded = True
        return None  # nothing is stored: the notebook's outputs are not what is graded

    def handle_comm_msg(self, outs, msg, cell_index):
        return None  # widget state is not kept either


def json_size(value) -> int:
    """The size of ``value`` as JSON, in characters; what cannot be written as JSON counts as too large."""
    try:
        return len(json.dumps(value, default=str))
    except (TypeError, ValueError, RecursionError):
        return 1 << 30
