"""The complete engine: ``from nanograd.core import Value``.

This is the Value of the last engine stage: the expression graph (stage 1), gradients and
local derivatives (stage 2), ``backward()`` (stage 3) and the activation functions (stage 4).
The course notebooks import the stage they teach; everything else imports this one.
"""

from nanograd.activations import Value
from nanograd.backprop import topological_order
from nanograd.chain_rule import finite_difference

__all__ = ["Value", "topological_order", "finite_difference"]
