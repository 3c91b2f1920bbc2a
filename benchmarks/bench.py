"""nanograd beside micrograd 0.1.0 and PyTorch scalars, measured in one process, interleaved, as ratios.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``); ``--quick`` for a short run,
``--markdown`` to print the tables as Markdown. benchmarks/README.md says what each figure means.

What is measured, on five shapes of graph:

1. The course's demo training step (MLP(2, [16, 16, 1]), 100 two-moons points, hinge loss + L2,
   full batch, SGD), from the same initial weights, twice:
   - *op by op*: one function builds ``b + w1*x1 + w2*x2 ...``, relu, hinge loss and penalty from
     ``+``, ``*`` and ``relu()`` alone, and drives every engine (nanograd, micrograd, torch scalars);
     ``backward()`` is also timed on its own;
   - *fused*: each library in its own idiom (nanograd.training with one node per neuron's sum,
     micrograd's demo notebook), and the same step in bare Python floats (the floor).
   All loss trajectories must agree to 1e-9: nanograd's fused one with the floats' over 100 steps (10 with
   --quick) and with micrograd's over the first 20 (10), the op-by-op ones with micrograd's over 3 (2).
2. A wide graph: 20,000 x relu(a*b), summed pairwise (100,000 nodes), forward + backward.
3. A deep chain: 500,000 x ``y = y * c + 0.0`` (10^6 ops), forward + backward.
4. Memory: bytes per Value of a 200,001-node graph, and whether dropping a graph frees it
   without the cycle collector.
5. Cost per op as the graph grows, forward and backward.
And that ``import nanograd.core`` loads the standard library only.

PyTorch is optional: without it the torch column says so and everything else runs. The cycle
collector stays on, as in a user's program, except where a row says "gc off".

Progress goes to stderr; the tables go to stdout. The exit status is 1 if the libraries disagree
(a correctness failure); timings that miss a target are reported, never fatal: they are noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from nanograd.core import Value as NanoValue
from nanograd.data import two_moons
from nanograd.nn import MLP as NanoMLP
from nanograd.training import training_step

MICROGRAD_VERSION = "0.1.0"
try:
    from micrograd.engine import Value as MicroValue
    from micrograd.nn import MLP as MicroMLP
except ImportError:  # pragma: no cover - depends on the environment
    raise SystemExit(
        f"the benchmark compares with micrograd {MICROGRAD_VERSION}, which is not installed in this Python "
        f"({sys.executable}). Install the bench extra: `{sys.executable} -m pip install -e '.[bench]'` "
        f"in the course folder (`make bench` does it for you)."
    ) from None

ROOT = Path(__file__).resolve().parents[1]

# The demo: these are the course's numbers, shared by every library below.
SIZES = (16, 16, 1)
N_POINTS = 100
NOISE = 0.1
DATA_SEED = 1
WEIGHT_SEED = 1337  # micrograd's demo seed; micrograd draws its initial weights from the global `random`
ALPHA = 1e-4
DEMO_STEPS = 100
TOLERANCE = 1e-9

# Targets from the course's plan (reported, not enforced): nanograd's figure over the other library's.
TARGET_OP_BY_OP_STEP = 0.12  # the op-by-op demo step, x micrograd
TARGET_FUSED_STEP = 0.03  # the fused demo step, x micrograd's demo step
TARGET_BACKWARD = 0.5  # backward() alone, x micrograd's, on the op-by-op step's graph and on the wide graph
TARGET_WIDE = 0.3  # the wide graph, forward + backward, x micrograd
TARGET_WIDE_TORCH = 0.2  # the same, x torch scalars
TARGET_DEEP_SECONDS = 4.0  # the 10^6-op chain, forward + backward, seconds of CPU on the project's machine
TARGET_BYTES_PER_VALUE = 120
TARGET_GROWTH = 1.5  # forward cost per op at the largest graph over the smallest, collector on

MICROGRAD_AGREEMENT_STEPS = 20  # micrograd's fused trajectory is checked over the first 20 (a second a step)
OP_BY_OP_AGREEMENT_STEPS = 3  # op-by-op loss trajectories checked against micrograd's demo idiom
MEMORY_PAIRS = 50_000  # 1 + 4 * 50,000 = 200,001 Values
GROWTH_NODES = (10_000, 50_000, 100_000, 250_000)
WIDE_TERMS = 20_000  # relu(a*b) terms: 40,000 leaves, 60,000 ops
DEEP_STEPS = 500_000  # y = y * c + 0.0 steps: 10^6 ops, 1.5 x 10^6 nodes with the constants 0.0


def learning_rate(k: int) -> float:
    """The demo's schedule: 1.0 at step 0, falling by 0.009 a step (0.109 at step 99)."""
    return 1.0 - 0.9 * k / 100


def demo_data(n_points: int = N_POINTS) -> tuple[list[list[float]], list[int]]:
    """The same two-moons points for every library."""
    return two_moons(n_points, noise=NOISE, seed=DATA_SEED)


# --- the three implementations of one training step ------------------------------------------------


def micrograd_model(sizes: Sequence[int] = SIZES, seed: int = WEIGHT_SEED) -> MicroMLP:
    """micrograd's MLP (relu hidden layers, linear output), seeded as in its demo.

    micrograd draws from the global ``random``; its state is put back afterwards.
    """
    saved = random.getstate()
    try:
        random.seed(seed)
        return MicroMLP(2, list(sizes))
    finally:
        random.setstate(saved)


def nanograd_model(micro: MicroMLP, sizes: Sequence[int] = SIZES) -> NanoMLP:
    """A nanograd MLP of the same shape holding exactly micrograd's initial weights.

    Both list parameters in the same order: layer by layer, neuron by neuron, weights then bias.
    """
    model = NanoMLP(2, list(sizes), activation="relu", output_activation="linear")
    mine, theirs = model.parameters(), micro.parameters()
    if len(mine) != len(theirs):
        raise ValueError(f"nanograd's MLP has {len(mine)} parameters, micrograd's {len(theirs)}: shapes differ")
    for p, q in zip(mine, theirs, strict=True):
        p.data = float(q.data)
    return model


def floor_model(micro: MicroMLP) -> list[tuple[list[list[float]], list[float]]]:
    """micrograd's initial weights as plain floats: one (weight rows, biases) pair per layer."""
    return [
        (
            [[float(w.data) for w in neuron.w] for neuron in layer.neurons],
            [float(neuron.b.data) for neuron in layer.neurons],
        )
        for layer in micro.layers
    ]


def micrograd_step(
    model: MicroMLP, X: Sequence[Sequence[float]], y: Sequence[int], k: int, alpha: float = ALPHA
) -> float:
    """One full-batch step in micrograd's own idiom (its demo notebook's loss and update); returns the loss."""
    inputs = [list(map(MicroValue, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = alpha * sum((p * p for p in model.parameters()))
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    _ = sum(accuracy) / len(accuracy)  # the demo computes it every step too
    model.zero_grad()
    total_loss.backward()
    lr = learning_rate(k)
    for p in model.parameters():
        p.data -= lr * p.grad
    return total_loss.data


def nanograd_step(
    model: NanoMLP, X: Sequence[Sequence[float]], y: Sequence[int], k: int, alpha: float = ALPHA
) -> float:
    """One full-batch step in nanograd's idiom (nanograd.training); returns the loss."""
    loss, _ = training_step(model, X, y, learning_rate(k), alpha)
    return loss


def floor_step(
    layers: list[tuple[list[list[float]], list[float]]],
    X: Sequence[Sequence[float]],
    y: Sequence[int],
    k: int,
    alpha: float = ALPHA,
) -> float:
    """The same step in bare floats: forward, backward derived by hand, update in place; returns the loss.

    Per point: z = b + w·h for each neuron, h' = relu(z) except at the output, score s = z.
    Loss = (1/n) Σ max(0, 1 - y s) + alpha Σ p².  Backward: d loss/d s = -y/n where the margin
    1 - y s is positive (else 0); d/dw_ji = dz_j * h_i, d/db_j = dz_j, d/dh_i = Σ_j dz_j w_ji,
    dz = dh where z > 0 (else 0); the penalty adds 2 alpha p to every parameter's gradient.
    """
    n = len(X)
    inv_n = 1.0 / n
    last = len(layers) - 1
    grad_w = [[[0.0] * len(row) for row in rows] for rows, _ in layers]
    grad_b = [[0.0] * len(biases) for _, biases in layers]
    hinge_sum = 0.0
    for x, label in zip(X, y, strict=True):
        # forward, keeping each layer's input and pre-activation
        h = list(x)
        layer_inputs, pre_activations = [], []
        for index, (rows, biases) in enumerate(layers):
            z = []
            for row, total in zip(rows, biases, strict=True):
                for w, xi in zip(row, h, strict=False):  # the floor's innermost loop: no length check in it
                    total += w * xi
                z.append(total)
            layer_inputs.append(h)
            pre_activations.append(z)
            h = z if index == last else [t if t > 0.0 else 0.0 for t in z]
        margin = 1.0 - label * h[0]
        if margin <= 0.0:
            continue  # max(0, margin) is 0 and so is its gradient: nothing to add
        hinge_sum += margin
        # backward, from d loss / d score down to the first layer
        dz = [-label * inv_n]
        for index in range(last, -1, -1):
            rows = layers[index][0]
            h = layer_inputs[index]
            gw, gb = grad_w[index], grad_b[index]
            dh = [0.0] * len(h)
            for j, d in enumerate(dz):
                if d == 0.0:
                    continue
                gb[j] += d
                row, grow = rows[j], gw[j]
                for i, hi in enumerate(h):
                    grow[i] += d * hi
                    dh[i] += d * row[i]
            if index:
                dz = [g if z > 0.0 else 0.0 for g, z in zip(dh, pre_activations[index - 1], strict=True)]
    square_sum = 0.0
    for rows, biases in layers:
        for row, b in zip(rows, biases, strict=True):
            for w in row:
                square_sum += w * w
            square_sum += b * b
    loss = hinge_sum * inv_n + alpha * square_sum
    lr = learning_rate(k)
    two_alpha = 2.0 * alpha
    for (rows, biases), gw, gb in zip(layers, grad_w, grad_b, strict=True):
        for j, row in enumerate(rows):
            grow = gw[j]
            for i, w in enumerate(row):
                row[i] = w - lr * (grow[i] + two_alpha * w)
            b = biases[j]
            biases[j] = b - lr * (gb[j] + two_alpha * b)
    return loss


# --- the engines, for the code that drives them all -------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """What the shared code needs to know about a scalar autograd library, beyond + * relu() backward().

    ``constant(x)`` makes an input or constant (no gradient wanted), ``parameter(x)`` a leaf whose
    gradient is wanted; the rest reset gradients, take a gradient step and read a number back.
    """

    name: str
    constant: Callable[[float], Any]
    parameter: Callable[[float], Any]
    zero_grad: Callable[[Sequence[Any]], None]
    update: Callable[[Sequence[Any], float], None]
    number: Callable[[Any], float]


def _zero_value_grads(parameters: Sequence[Any]) -> None:
    for p in parameters:
        p.grad = 0.0


def _update_values(parameters: Sequence[Any], lr: float) -> None:
    for p in parameters:
        p.data -= lr * p.grad


NANOGRAD = Engine("nanograd", NanoValue, NanoValue, _zero_value_grads, _update_values, lambda v: v.data)
MICROGRAD = Engine("micrograd", MicroValue, MicroValue, _zero_value_grads, _update_values, lambda v: v.data)


def load_torch() -> Any | None:
    """torch, set to one thread, or None when it is not installed (the torch column then says so)."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def torch_engine(torch: Any) -> Engine:
    """PyTorch with 0-d float64 tensors: one tensor per scalar, as nanograd and micrograd hold one Value."""

    def constant(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64)

    def parameter(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def zero_grad(parameters: Sequence[Any]) -> None:
        for p in parameters:
            p.grad = None

    def update(parameters: Sequence[Any], lr: float) -> None:
        with torch.no_grad():
            for p in parameters:
                p -= lr * p.grad

    return Engine("torch", constant, parameter, zero_grad, update, lambda v: v.item())


def engines(torch: Any | None) -> list[Engine]:
    """nanograd and micrograd, and torch scalars when torch is installed."""
    return [NANOGRAD, MICROGRAD] + ([torch_engine(torch)] if torch is not None else [])


@contextlib.contextmanager
def collector_paused(paused: bool = True):
    """The block with Python's cycle collector off (when ``paused``), and the collector as it was afterwards."""
    was_enabled = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def recursion_limit_at_least(levels: int):
    """The block with Python's recursion limit raised to ``levels`` if it is lower, and put back afterwards:
    micrograd's ``backward()`` walks the graph recursively, one Python frame per level."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, levels))
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


# --- the demo step op by op: the same code for every engine ------------------------------------------


def op_by_op_model(engine: Engine, micro: MicroMLP) -> list[list[tuple[list[Any], Any]]]:
    """micrograd's initial weights as the engine's parameters: per layer, per neuron, (weights, bias)."""
    return [
        [([engine.parameter(float(w.data)) for w in n.w], engine.parameter(float(n.b.data))) for n in layer.neurons]
        for layer in micro.layers
    ]


def op_by_op_parameters(model: list[list[tuple[list[Any], Any]]]) -> list[Any]:
    """Layer by layer, neuron by neuron, weights then bias: micrograd's order."""
    return [p for layer in model for weights, bias in layer for p in (*weights, bias)]


def op_by_op_loss(engine: Engine, model, X: Sequence[Sequence[float]], y: Sequence[int], alpha: float = ALPHA):
    """The demo's loss built from + * and relu() alone, as micrograd builds it: per neuron
    b + w1*x1 + w2*x2 + ..., relu on hidden layers, then the mean of relu(1 - y*score) plus alpha * sum p*p."""
    last = len(model) - 1
    scores = []
    for row in X:
        h = [engine.constant(v) for v in row]
        for index, layer in enumerate(model):
            outputs = []
            for weights, bias in layer:
                act = bias
                for w, x in zip(weights, h, strict=True):
                    act = act + w * x
                outputs.append(act if index == last else act.relu())
            h = outputs
        scores.append(h[0])
    losses = [(1 + -label * score).relu() for label, score in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    penalty = alpha * sum(p * p for p in op_by_op_parameters(model))
    return data_loss + penalty


def op_by_op_step(
    engine: Engine, model, X: Sequence[Sequence[float]], y: Sequence[int], k: int, alpha: float = ALPHA
) -> tuple[float, float]:
    """One full-batch step op by op; returns the loss and the CPU seconds that ``backward()`` took."""
    loss = op_by_op_loss(engine, model, X, y, alpha)
    parameters = op_by_op_parameters(model)
    engine.zero_grad(parameters)
    start = time.process_time()
    loss.backward()
    backward_seconds = time.process_time() - start
    engine.update(parameters, learning_rate(k))
    return engine.number(loss), backward_seconds


def op_by_op_trajectories(
    steps: int, all_engines: Sequence[Engine], n_points: int = N_POINTS, sizes: Sequence[int] = SIZES
) -> dict[str, list[float]]:
    """Each engine trained op by op from micrograd's seeded weights for ``steps`` steps; its loss at every step."""
    X, y = demo_data(n_points)
    micro = micrograd_model(sizes)
    runs = {}
    for engine in all_engines:
        model = op_by_op_model(engine, micro)
        runs[engine.name] = [op_by_op_step(engine, model, X, y, k)[0] for k in range(steps)]
    return runs


# --- 1 and 2: the loss trajectories agree ---------------------------------------------------------


def loss_trajectories(
    steps: int,
    n_points: int = N_POINTS,
    sizes: Sequence[int] = SIZES,
    progress: Callable[[str], None] | None = None,
    micrograd_steps: int | None = None,
) -> dict[str, list[float]]:
    """Train all three from micrograd's seeded weights for ``steps`` steps; each one's loss at every step.

    micrograd, by far the slowest, stops after ``micrograd_steps`` (all of them by default): the bare-float
    step, derived by hand, is the reference for the rest.
    """
    micrograd_steps = steps if micrograd_steps is None else micrograd_steps
    X, y = demo_data(n_points)
    micro = micrograd_model(sizes)
    nano = nanograd_model(micro, sizes)
    floor = floor_model(micro)
    runs = {"micrograd": [], "nanograd": [], "floats": []}
    for k in range(steps):
        runs["nanograd"].append(nanograd_step(nano, X, y, k))
        runs["floats"].append(floor_step(floor, X, y, k))
        if k < micrograd_steps:
            runs["micrograd"].append(micrograd_step(micro, X, y, k))
        if progress and (k + 1) % 10 == 0:
            progress(f"  agreement: step {k + 1} of {steps}, loss {runs['floats'][-1]:.6f}")
    return runs


def check_trajectories(
    runs: dict[str, list[float]], tolerance: float = TOLERANCE, reference: str = "micrograd"
) -> float:
    """The largest |difference| from the ``reference`` run's loss, over every other run and every step;
    an AssertionError naming the first step that differs by more than ``tolerance``."""
    worst = 0.0
    expected = runs[reference]
    for name in (name for name in runs if name != reference):
        if len(runs[name]) != len(expected):
            raise AssertionError(f"{name} ran {len(runs[name])} steps, {reference} {len(expected)}")
        for k, (mine, theirs) in enumerate(zip(runs[name], expected, strict=True)):
            gap = abs(mine - theirs)
            if not gap <= tolerance:  # `not <=` so that a nan fails too
                raise AssertionError(
                    f"step {k}: {name} loss {mine!r} differs from {reference}'s {theirs!r} by {gap:.3g} > {tolerance:g}"
                )
            worst = max(worst, gap)
    return worst


# --- timing ---------------------------------------------------------------------------------------


def interleaved(contenders: dict[str, Callable[[], float]], repeats: int) -> dict[str, list[float]]:
    """Call each contender ``repeats`` times, rotating which goes first; each call returns its own
    measurement. A full collection runs before every call, untimed, so that no contender pays for
    collecting another's garbage."""
    names = list(contenders)
    results: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            results[name].append(contenders[name]())
    gc.collect()
    return results


def step_timers(steps: int, n_points: int = N_POINTS, sizes: Sequence[int] = SIZES) -> dict[str, Callable[[], float]]:
    """For each implementation, a function that trains a fresh copy of the same initial weights for
    ``steps`` steps and returns the seconds per step (building the model is not timed)."""
    X, y = demo_data(n_points)

    def timer(make: Callable[[MicroMLP], object], step: Callable) -> Callable[[], float]:
        def run() -> float:
            model = make(micrograd_model(sizes))
            start = time.process_time()
            for k in range(steps):
                step(model, X, y, k)
            return (time.process_time() - start) / steps

        return run

    return {
        "micrograd": timer(lambda micro: micro, micrograd_step),
        "nanograd": timer(lambda micro: nanograd_model(micro, sizes), nanograd_step),
        "floats": timer(floor_model, floor_step),
    }


def op_by_op_timers(
    steps: int,
    all_engines: Sequence[Engine],
    n_points: int = N_POINTS,
    sizes: Sequence[int] = SIZES,
    collector: bool = True,
) -> dict[str, Callable[[], tuple[float, float]]]:
    """For each engine, a function that trains a fresh copy of micrograd's initial weights op by op for
    ``steps`` steps and returns (seconds per step, seconds of ``backward()`` per step).

    With ``collector=False`` the cycle collector is off while they run, and the names end in ", gc off":
    the difference is the collector's share of the step.
    """
    X, y = demo_data(n_points)

    def timer(engine: Engine) -> Callable[[], tuple[float, float]]:
        def run() -> tuple[float, float]:
            model = op_by_op_model(engine, micrograd_model(sizes))
            backward = 0.0
            with collector_paused(not collector):
                start = time.process_time()
                for k in range(steps):
                    backward += op_by_op_step(engine, model, X, y, k)[1]
                seconds = time.process_time() - start
            return seconds / steps, backward / steps

        return run

    suffix = "" if collector else ", gc off"
    return {engine.name + suffix: timer(engine) for engine in all_engines}


# --- 3 and 4: graphs of many nodes ----------------------------------------------------------------


def chain_graph(value_type: type, pairs: int, seed: int = 0):
    """acc + w1*x1 + w2*x2 + ...: a neuron's sum, one multiply and one add per pair of leaves.

    It holds 1 + 4 * pairs Values: the start, and per pair two leaves, a product and a sum.
    """
    rng = random.Random(seed)
    acc = value_type(rng.uniform(-1.0, 1.0))
    for _ in range(pairs):
        acc = acc + value_type(rng.uniform(-1.0, 1.0)) * value_type(rng.uniform(-1.0, 1.0))
    return acc


def memory_of_graph(value_type: type, pairs: int = MEMORY_PAIRS) -> dict[str, float]:
    """Traced bytes of a chain graph, per Value; then what is still held once the graph is dropped
    with the cycle collector off, and after ``gc.collect()``.

    Returns nodes, built (bytes), bytes_per_value, after_drop (bytes), in_cycles (the objects that
    ``gc.collect()`` found unreachable: only reference cycles are left for it) and after_collect (bytes).
    """
    nodes = 1 + 4 * pairs
    was_tracing = tracemalloc.is_tracing()
    gc.collect()
    with collector_paused():
        if not was_tracing:
            tracemalloc.start()
        try:
            baseline = tracemalloc.get_traced_memory()[0]
            root = chain_graph(value_type, pairs)
            built = tracemalloc.get_traced_memory()[0] - baseline
            del root
            after_drop = tracemalloc.get_traced_memory()[0] - baseline
            in_cycles = gc.collect()
            after_collect = tracemalloc.get_traced_memory()[0] - baseline
        finally:
            if not was_tracing:
                tracemalloc.stop()
    return {
        "nodes": nodes,
        "built": built,
        "bytes_per_value": built / nodes,
        "after_drop": after_drop,
        "in_cycles": in_cycles,
        "after_collect": after_collect,
    }


def op_costs(value_type: Callable[[float], Any], nodes: int, collector: bool = True) -> tuple[float, float]:
    """CPU microseconds per op, forward and backward, for a chain graph of about ``nodes`` Values.

    ``value_type`` makes a leaf from a float: a Value class, or an engine's ``parameter``.

    The leaves are made first, untimed; then the forward pass (one multiply and one add per pair
    of leaves) and ``backward()`` are timed, with the cycle collector on as in normal use, or off
    (``collector=False``) to see its share. Both times are divided by the number of ops (half the nodes).
    """
    pairs = (nodes - 1) // 4
    rng = random.Random(0)
    start = value_type(rng.uniform(-1.0, 1.0))
    leaves = [(value_type(rng.uniform(-1.0, 1.0)), value_type(rng.uniform(-1.0, 1.0))) for _ in range(pairs)]
    ops = 2 * pairs
    with recursion_limit_at_least(pairs + 10_000), collector_paused(not collector):
        t0 = time.process_time()
        acc = start
        for w, x in leaves:
            acc = acc + w * x
        t1 = time.process_time()
        acc.backward()
        t2 = time.process_time()
    return (t1 - t0) / ops * 1e6, (t2 - t1) / ops * 1e6


def wide_graph_costs(engine: Engine, terms: int = WIDE_TERMS, seed: int = 0) -> tuple[float, float]:
    """CPU seconds of the forward pass and of ``backward()`` on relu(a1*b1) + relu(a2*b2) + ... summed pairwise.

    The 2 x ``terms`` leaves are made first, untimed; then each term is a multiply and a relu, and the
    terms are added in pairs, the pairs in pairs, and so on: a balanced tree, so that every engine's
    walk stays shallow, with 5 x ``terms`` - 1 nodes in all.
    """
    rng = random.Random(seed)
    leaf = engine.parameter
    leaves = [(leaf(rng.uniform(-1.0, 1.0)), leaf(rng.uniform(-1.0, 1.0))) for _ in range(terms)]
    t0 = time.process_time()
    level = [(a * b).relu() for a, b in leaves]
    while len(level) > 1:
        paired = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    t1 = time.process_time()
    level[0].backward()
    t2 = time.process_time()
    return t1 - t0, t2 - t1


def deep_chain_costs(engine: Engine, steps: int = DEEP_STEPS) -> tuple[float, float]:
    """CPU seconds of the forward pass and of ``backward()`` on y = y * c + 0.0, ``steps`` times.

    2 x ``steps`` ops in a chain as deep as that; each step also makes the constant 0.0. micrograd's
    recursive ``backward()`` needs a frame per level, so the recursion limit is raised for the run.
    """
    x, c = engine.parameter(0.5), engine.parameter(0.9999999)
    with recursion_limit_at_least(2 * steps + 10_000):
        t0 = time.process_time()
        y = x
        for _ in range(steps):
            y = y * c + 0.0
        t1 = time.process_time()
        y.backward()
        t2 = time.process_time()
    return t1 - t0, t2 - t1


# --- 5: what `import nanograd.core` loads ---------------------------------------------------------


def core_imports() -> tuple[list[str], list[str]]:
    """In a fresh interpreter, the modules that ``import nanograd.core`` adds: (all of them, those
    that are neither nanograd's own nor the standard library's)."""
    code = (
        "import sys; before = set(sys.modules); import nanograd.core; "
        "print('\\n'.join(sorted(set(sys.modules) - before)))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`import nanograd.core` failed in a fresh interpreter:\n{result.stderr}")
    loaded = result.stdout.split()
    outside = [
        name
        for name in loaded
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "nanograd"
    ]
    return loaded, outside


# --- report ---------------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]], markdown: bool) -> str:
    """Rows under a header: aligned plain text, or a Markdown table."""
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]

    def fmt(row: Sequence[str]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()

    return "\n".join([fmt(header), fmt(["-" * w for w in widths])] + [fmt(row) for row in rows])


def machine() -> str:
    """The date and the machine, printed above the tables."""
    return (
        f"{datetime.date.today().isoformat()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores; micrograd {metadata.version('micrograd')}"
    )


def ratio_cell(mine: float | None, theirs: float | None) -> str:
    """mine / theirs, or empty when either is missing."""
    if mine is None or theirs is None:
        return ""
    return f"{mine / theirs:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="nanograd beside micrograd 0.1.0 and torch scalars: speed, memory, correctness."
    )
    parser.add_argument("--quick", action="store_true", help="a short run: fewer repeats, smaller deep chain")
    parser.add_argument("--markdown", action="store_true", help="print the tables as Markdown (for the READMEs)")
    args = parser.parse_args(argv)

    installed = metadata.version("micrograd")
    if installed != MICROGRAD_VERSION:
        raise SystemExit(
            f"these figures compare with micrograd {MICROGRAD_VERSION}, but {installed} is installed: "
            f"run `pip install micrograd=={MICROGRAD_VERSION}`"
        )

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    # torch first, so that every measurement runs in the same process, with the same objects alive.
    torch = load_torch()
    if torch is None:
        say("torch is not installed: the torch column stays empty (pip install torch to fill it)")
    all_engines = engines(torch)
    names = [engine.name for engine in all_engines]

    quick = args.quick
    agree_steps = 10 if quick else DEMO_STEPS
    micro_agree_steps = 10 if quick else MICROGRAD_AGREEMENT_STEPS
    op_agree_steps = 2 if quick else OP_BY_OP_AGREEMENT_STEPS
    timed_steps, step_repeats = (2, 3) if quick else (3, 5)
    op_steps, op_repeats = (1, 3) if quick else (2, 5)
    wide_repeats = 1 if quick else 5
    deep_steps, deep_repeats = (DEEP_STEPS // 5, 1) if quick else (DEEP_STEPS, 3)
    deep_target = TARGET_DEEP_SECONDS * deep_steps / DEEP_STEPS
    growth_repeats = 1 if quick else 3

    say(f"1. agreement: fused steps over {agree_steps} steps, micrograd's over the first {micro_agree_steps}")
    runs = loss_trajectories(agree_steps, progress=say, micrograd_steps=micro_agree_steps)
    say(f"1. agreement: op-by-op steps over {op_agree_steps} steps, {', '.join(names)}")
    op_runs = op_by_op_trajectories(op_agree_steps, all_engines)
    try:
        first = {name: losses[:micro_agree_steps] for name, losses in runs.items()}
        worst_gap = max(
            check_trajectories(first),
            check_trajectories({"floats": runs["floats"], "nanograd": runs["nanograd"]}, reference="floats"),
        )
        op_reference = {"micrograd": runs["micrograd"][:op_agree_steps]}
        op_worst_gap = check_trajectories(op_reference | {f"{name}, op by op": op_runs[name] for name in names})
    except AssertionError as error:
        say(f"FAILED: the libraries disagree: {error}")
        return 1

    say(f"1. op-by-op step time: {op_repeats} interleaved repeats of {op_steps} steps each")
    op_timers = op_by_op_timers(op_steps, all_engines) | op_by_op_timers(
        op_steps, [NANOGRAD, MICROGRAD], collector=False
    )
    op_results = interleaved(op_timers, op_repeats)
    op_step = {name: statistics.median(t for t, _ in results) for name, results in op_results.items()}
    op_backward = {name: statistics.median(b for _, b in results) for name, results in op_results.items()}

    say(f"1. fused step time: {step_repeats} interleaved repeats of {timed_steps} steps each")
    step_times = {
        name: statistics.median(times) for name, times in interleaved(step_timers(timed_steps), step_repeats).items()
    }

    say(f"2. wide graph ({5 * WIDE_TERMS - 1:,} nodes): {wide_repeats} interleaved repeats")
    wide_results = interleaved(
        {engine.name: (lambda engine=engine: wide_graph_costs(engine)) for engine in all_engines}, wide_repeats
    )
    wide_total = {name: statistics.median(f + b for f, b in results) for name, results in wide_results.items()}
    wide_backward = {name: statistics.median(b for _, b in results) for name, results in wide_results.items()}

    say(f"3. deep chain ({2 * deep_steps:,} ops): nanograd {deep_repeats} times, the others once")
    deep_results: dict[str, list[tuple[float, float]]] = {}
    for round_ in range(deep_repeats):
        contenders = all_engines if round_ == 0 else [NANOGRAD]
        for name, results in interleaved(
            {engine.name: (lambda engine=engine: deep_chain_costs(engine, deep_steps)) for engine in contenders}, 1
        ).items():
            deep_results.setdefault(name, []).extend(results)
    deep_total = {name: statistics.median(f + b for f, b in results) for name, results in deep_results.items()}
    deep_backward = {name: statistics.median(b for _, b in results) for name, results in deep_results.items()}

    say("4. memory of a 200,001-node graph (tracemalloc, cycle collector off)")
    memory = {
        name: memory_of_graph(value_type) for name, value_type in (("nanograd", NanoValue), ("micrograd", MicroValue))
    }

    say(
        f"5. cost per op, graphs of {', '.join(f'{n:,}' for n in GROWTH_NODES)} nodes, "
        f"{growth_repeats} interleaved repeats"
    )
    growth_contenders = [(engine.name, engine.parameter, True) for engine in all_engines] + [
        (engine.name + ", gc off", engine.parameter, False) for engine in (NANOGRAD, MICROGRAD)
    ]
    growth = {}
    for nodes in GROWTH_NODES:
        timers = {
            name: (lambda leaf=leaf, collector=collector, nodes=nodes: op_costs(leaf, nodes, collector))
            for name, leaf, collector in growth_contenders
        }
        results = interleaved(timers, growth_repeats)
        growth[nodes] = {
            name: (statistics.median(f for f, _ in pairs), statistics.median(b for _, b in pairs))
            for name, pairs in results.items()
        }

    say("6. what `import nanograd.core` loads")
    loaded, outside = core_imports()

    def mb(size: float) -> str:
        return f"{size / 1e6:.1f} MB"

    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    def ms(seconds: float | None) -> str:
        return "" if seconds is None else f"{seconds * 1e3:.1f}" if seconds < 0.1 else f"{seconds * 1e3:.0f}"

    def timing_row(measure: str, figures: dict[str, float], target: str, unit: Callable = ms) -> list[str]:
        nano, micro, torch_ = (figures.get(name) for name in ("nanograd", "micrograd", "torch"))
        return [
            measure,
            unit(nano),
            unit(micro),
            unit(torch_) if torch is not None else "(no torch)",
            ratio_cell(nano, micro),
            ratio_cell(nano, torch_),
            target,
        ]

    def seconds(value: float | None) -> str:
        return "" if value is None else f"{value:.2f}"

    def against(figures: dict[str, float], other: str, limit: float) -> str:
        ratio = figures["nanograd"] / figures[other]
        return f"<= {limit} x {other}: {yes(ratio <= limit)}"

    nano_mem, micro_mem = memory["nanograd"], memory["micrograd"]
    smallest, largest = growth[GROWTH_NODES[0]], growth[GROWTH_NODES[-1]]
    rise = {name: largest[name][0] / smallest[name][0] for name in names}
    wide_targets = [against(wide_total, "micrograd", TARGET_WIDE)]
    if torch is not None:
        wide_targets.append(against(wide_total, "torch", TARGET_WIDE_TORCH))

    summary = [
        timing_row(
            f"demo step op by op, the same code for all, ms (median of {op_repeats} x {op_steps})",
            op_step,
            against(op_step, "micrograd", TARGET_OP_BY_OP_STEP),
        ),
        timing_row("  of which backward(), ms", op_backward, against(op_backward, "micrograd", TARGET_BACKWARD)),
        [
            "  the same step with the cycle collector off, ms",
            ms(op_step["nanograd, gc off"]),
            ms(op_step["micrograd, gc off"]),
            "",
            ratio_cell(op_step["nanograd, gc off"], op_step["micrograd, gc off"]),
            "",
            "the collector's share: nanograd {:.0%}, micrograd {:.0%}".format(
                *(1 - op_step[f"{name}, gc off"] / op_step[name] for name in ("nanograd", "micrograd"))
            ),
        ],
        [
            f"demo step fused, each library's idiom, ms (median of {step_repeats} x {timed_steps})",
            ms(step_times["nanograd"]),
            ms(step_times["micrograd"]),
            "",
            ratio_cell(step_times["nanograd"], step_times["micrograd"]),
            "",
            against(step_times, "micrograd", TARGET_FUSED_STEP),
        ],
        [
            "same step in bare floats (the floor), ms",
            ms(step_times["floats"]),
            "",
            "",
            "",
            "",
            f"fused nanograd = {step_times['nanograd'] / step_times['floats']:.1f}x the floor",
        ],
        [
            f"losses agree: fused over {agree_steps} steps (micrograd {micro_agree_steps}), op by op over "
            f"{op_agree_steps}; max gap",
            f"{worst_gap:.1e}",
            "",
            f"{op_worst_gap:.1e}" if torch is not None else "(no torch)",
            "",
            "",
            f"<= {TOLERANCE:g}: yes",
        ],
        timing_row(
            f"wide graph, {5 * WIDE_TERMS - 1:,} nodes: forward + backward, ms (median of {wide_repeats})",
            wide_total,
            "; ".join(wide_targets),
        ),
        timing_row("  of which backward(), ms", wide_backward, against(wide_backward, "micrograd", TARGET_BACKWARD)),
        timing_row(
            f"deep chain, {2 * deep_steps:,} ops: forward + backward, s (nanograd: median of {deep_repeats})",
            deep_total,
            f"<= {deep_target:g} s: {yes(deep_total['nanograd'] <= deep_target)}",
            seconds,
        ),
        timing_row("  of which backward(), s", deep_backward, "", seconds),
        [
            f"bytes per Value, {nano_mem['nodes']:,}-node graph",
            f"{nano_mem['bytes_per_value']:.0f}",
            f"{micro_mem['bytes_per_value']:.0f}",
            "",
            f"{nano_mem['bytes_per_value'] / micro_mem['bytes_per_value']:.2f}",
            "",
            f"<= {TARGET_BYTES_PER_VALUE}: {yes(nano_mem['bytes_per_value'] <= TARGET_BYTES_PER_VALUE)}",
        ],
        [
            "graph memory still held after `del`, gc off",
            mb(nano_mem["after_drop"]),
            mb(micro_mem["after_drop"]),
            "",
            f"of {mb(nano_mem['built'])} / {mb(micro_mem['built'])}",
            "",
            f"nanograd frees it: {yes(nano_mem['after_drop'] < 0.01 * nano_mem['built'])}",
        ],
        [
            "objects gc.collect() then finds in cycles",
            f"{nano_mem['in_cycles']:,}",
            f"{micro_mem['in_cycles']:,}",
            "",
            "",
            "",
            f"none in nanograd: {yes(nano_mem['in_cycles'] == 0)}",
        ],
        [
            f"forward µs/op, {GROWTH_NODES[-1]:,} nodes over {GROWTH_NODES[0]:,}, collector on",
            f"{rise['nanograd']:.1f}x",
            f"{rise['micrograd']:.1f}x",
            f"{rise['torch']:.1f}x" if torch is not None else "(no torch)",
            "",
            "",
            f"<= {TARGET_GROWTH}x: {yes(rise['nanograd'] <= TARGET_GROWTH)}",
        ],
        [
            "`import nanograd.core` loads the standard library only",
            yes(not outside),
            "",
            "",
            f"{len(loaded)} modules",
            "",
            ", ".join(outside),
        ],
    ]

    growth_rows = [
        [f"{nodes:,}"]
        + [f"{g[name][0]:.2f}" for name in names]
        + [f"{g[name][0]:.2f}" for name in ("nanograd, gc off", "micrograd, gc off")]
        + [f"{g[name][1]:.2f}" for name in names]
        for nodes, g in growth.items()
    ]

    torch_version = f"torch {torch.__version__} (0-d float64 tensors, 1 thread)" if torch is not None else "no torch"
    print(f"nanograd beside micrograd {installed} and {torch_version}; {machine()}" + (" (--quick)" if quick else ""))
    print()
    print(
        table(
            ["measure", "nanograd", "micrograd", "torch", "nanograd / micrograd", "nanograd / torch", "target"],
            summary,
            args.markdown,
        )
    )
    print()
    print(f"Cost per op as the graph grows: CPU µs per op, median of {growth_repeats}; the chain w1*x1 + w2*x2 + ...")
    print()
    header = (
        ["nodes"]
        + [f"forward {name}" for name in names]
        + ["forward nanograd, gc off", "forward micrograd, gc off"]
        + [f"backward {name}" for name in names]
    )
    print(table(header, growth_rows, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
