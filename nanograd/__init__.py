"""nanograd: backpropagation from first principles.

The package grows with the course, one module per stage:

==========  ==========================  ==================================================
stage       module                      what it adds
==========  ==========================  ==================================================
1           ``nanograd.graph``          Value as a node of an expression graph
2           ``nanograd.chain_rule``     grad, local derivatives, finite differences
3           ``nanograd.backprop``       backward(): topological order and the chain rule
4           ``nanograd.activations``    tanh, exp, log, relu, sigmoid, many-input sums
            ``nanograd.neuron``         Module and Neuron
5           ``nanograd.nn``             Layer and MLP
            ``nanograd.losses``         squared error, hinge loss, L2 penalty
            ``nanograd.training``       an SGD step and accuracy
            ``nanograd.data``           small 2-D data sets from a seed
==========  ==========================  ==================================================

``from nanograd.core import Value`` is the complete engine. ``nanograd.drawing`` pictures any graph.
"""

import inspect
import textwrap

from nanograd.core import Value
from nanograd.drawing import draw_dot

__version__ = "0.1.0"
__all__ = ["Value", "draw_dot", "show_source", "check_setup", "__version__"]


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
