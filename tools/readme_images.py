"""Copy the pictures the README shows out of the executed course notebooks.

    python -m tools.readme_images

Every code cell tagged ``readme-image`` in notebooks/NN_*.ipynb gives its PNG outputs to
docs/images/NN_name-K.png (K counts that notebook's tagged pictures from 1). The images are
the notebooks' own outputs, so they change only when a notebook is re-executed;
tests/test_readme.py checks that they still match.
"""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def tagged_pictures(notebook_path: Path) -> list[tuple[str, bytes]]:
    """(file name, PNG bytes) for each PNG output of each cell tagged readme-image, in order."""
    notebook = nbformat.read(notebook_path, as_version=4)
    pictures = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or "readme-image" not in cell.metadata.get("tags", []):
            continue
        for output in cell.outputs:
            png = output.get("data", {}).get("image/png")
            if png:
                name = f"{notebook_path.stem}-{len(pictures) + 1}.png"
                pictures.append((name, base64.b64decode(png)))
    return pictures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme_images", description=__doc__.split("\n\n")[0])
    parser.parse_args(argv)  # it takes no arguments; this gives it --help, and refuses anything else
    IMAGES.mkdir(parents=True, exist_ok=True)
    for notebook_path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for name, png in tagged_pictures(notebook_path):
            (IMAGES / name).write_bytes(png)
            print(f"docs/images/{name}: {len(png):,} bytes from {notebook_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
