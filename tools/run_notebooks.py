"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

    python -m tools.run_notebooks notebooks/01_value_graph.ipynb [more.ipynb ...]

Run it in the course folder. Each notebook runs in its own folder (as Jupyter and nbval run it),
with the kernel of this Python. Timings are not recorded, so that re-running an unchanged notebook
changes nothing. A cell that raises stops the run with the cell's number and error, and the notebook
is left as it was. Exit status: 0, 1 if a notebook could not be run (the reason on standard error,
in one line), 2 for a command line without notebooks.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

PROGRAM = "tools.run_notebooks"


class NotebookRunError(Exception):
    """A notebook that could not be run to the end; the message says which cell stopped it, and why."""


def check_notebook_paths(paths: list[Path]) -> None:
    """Refuse, before anything runs, a path that is not a notebook file."""
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise NotebookRunError(f"{path} is not a notebook file (.ipynb): check the path")


def run_notebook(path: Path, timeout: int = 600) -> None:
    """Run the notebook at ``path`` top to bottom in a fresh kernel, and save it with its outputs.

    A cell that raises, runs longer than ``timeout`` seconds or kills the kernel stops the run with a
    NotebookRunError that names the cell (counting every cell from 1) and what happened; the caller, who
    knows which notebook it ran, names that. The file is then left as it was.
    """
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
    started = []  # the number of each cell as it starts: the last one is where a run stopped
    client.on_cell_execute = lambda cell, cell_index: started.append(cell_index + 1)
    try:
        client.execute()
    except CellExecutionError as error:
        raise NotebookRunError(f"cell {started[-1]} raised {error.ename}: {error.evalue}") from None
    except CellTimeoutError:
        raise NotebookRunError(f"cell {started[-1]} was still running after {timeout} s") from None
    except DeadKernelError:
        raise NotebookRunError(f"the kernel died in cell {started[-1]} (sys.exit, os._exit or a crash)") from None
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {PROGRAM}", description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="NOTEBOOK", help="the notebooks to run and save")
    args = parser.parse_args(argv)
    try:
        check_notebook_paths(args.paths)  # all of them before the first one runs: a typo costs no waiting
    except NotebookRunError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 1
    for path in args.paths:
        print(f"running {path} ...", flush=True)
        try:
            run_notebook(path)
        except NotebookRunError as error:
            print(f"{PROGRAM}: {path}: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
