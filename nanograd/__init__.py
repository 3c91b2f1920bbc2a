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

``from nanograd.core import Value`` is the complete engine; ``nanograd.walk`` holds the graph walk
that the stages and the pictures share. Around the engine, two folders:

- ``nanograd.pictures``: ``drawing`` (any expression graph) and ``plotting`` (training curves, boundaries);
- ``nanograd.course``: what runs the course: ``checks`` (exercise feedback), ``grade`` (an
  instructor's grader), ``lab`` (``make lab``) and ``notebooks`` (``check_setup``, ``show_source``, ``expect``).

``import nanograd`` loads nothing else: each name below is imported the first time it is used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

__all__ = ["Value", "draw_dot", "checks", "show_source", "check_setup", "expect", "expect_true", "__version__"]

_LOADED_WHEN_USED = {
    "Value": ("nanograd.core", "Value"),
    "draw_dot": ("nanograd.pictures.drawing", "draw_dot"),
    "checks": ("nanograd.course.checks", None),
    "check_setup": ("nanograd.course.notebooks", "check_setup"),
    "show_source": ("nanograd.course.notebooks", "show_source"),
    "expect": ("nanograd.course.notebooks", "expect"),
    "expect_true": ("nanograd.course.notebooks", "expect_true"),
}


def __getattr__(name: str):
    if name not in _LOADED_WHEN_USED:
        raise AttributeError(f"module 'nanograd' has no attribute {name!r}")
    module_name, attribute = _LOADED_WHEN_USED[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
