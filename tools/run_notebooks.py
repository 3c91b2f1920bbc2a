"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python tools/run_notebooks.py notebooks/01_value_graph.ipynb [more.ipynb ...]

Each notebook runs in its own folder (as Jupyter and nbval run it), with the kernel of this
Python. Timings are not recorded, so that re-running an unchanged notebook changes nothing.
A cell that raises stops the run with the error, and the notebook is left as it was.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run_notebook(path: Path, timeout: int = 600) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
        coalesce_streams=True,  # one stream output per cell, however the kernel happened to flush it
    )
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    text = with_stable_widget_ids(notebook)
    nbformat.validate(nbformat.reads(text, as_version=4))
    path.write_text(text, encoding="utf-8")


def with_stable_widget_ids(notebook) -> str:
    """The notebook as text, its widgets' random model ids numbered in the order the kernel made them."""
    text = nbformat.writes(notebook)
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for number, model_id in enumerate(state.get("state", {})):  # still in creation order here
        text = text.replace(model_id, uuid.uuid5(uuid.NAMESPACE_URL, f"nanograd-widget-{number}").hex)
    return nbformat.writes(nbformat.reads(text, as_version=4))  # sorted again, now by the stable ids


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for name in argv:
        path = Path(name)
        if path.suffix != ".ipynb" or not path.is_file():
            print(f"not a notebook file: {name}", file=sys.stderr)
            return 2
        print(f"running {path} ...", flush=True)
        run_notebook(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
