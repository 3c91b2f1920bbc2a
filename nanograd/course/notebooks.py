"""What every course notebook calls: ``check_setup()`` in its first cell, ``show_source()`` to show
package code (so that what a student reads is what runs)."""

from __future__ import annotations

import inspect
import textwrap

from nanograd import __version__


def check_setup(minimum_version: str = "0.1.0") -> None:
    """Say that this kernel's nanograd is ready for the course, or exactly what to run if it is too old.

    Every course notebook calls it in its first code cell.
    """

    def as_tuple(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split(".")[:3])

    if as_tuple(__version__) < as_tuple(minimum_version):
        raise ImportError(
            f"this notebook needs nanograd {minimum_version} or newer, but this kernel has {__version__}. "
            f"In a terminal, in the course folder, run `git pull` and then `make lab` (or `pip install -e .`), "
            f"then restart the kernel."
        )
    print(f"nanograd {__version__} is ready.")


class SourceCode:
    """Package source shown in a notebook: a highlighted code block, or the plain text elsewhere."""

    def __init__(self, text: str) -> None:
        self.text = text

    def _repr_markdown_(self) -> str:
        return f"```python\n{self.text}```"

    def __repr__(self) -> str:
        return self.text


def show_source(*objects) -> SourceCode:
    """The package's own source of each function, method or class, as it is installed.

    The notebooks show code this way instead of pasting it, so what a student reads is what runs.
    """
    if not objects:
        raise TypeError("show_source needs at least one function, method or class, e.g. show_source(Value.backward)")
    return SourceCode("\n".join(textwrap.dedent(inspect.getsource(obj)) for obj in objects))
