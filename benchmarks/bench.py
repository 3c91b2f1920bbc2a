"""nanograd beside micrograd 0.1.0, measured in one process, interleaved, as ratios.

Run it with ``make bench`` (or ``.venv/bin/python benchmarks/bench.py``); ``--quick`` for a short run,
``--markdown`` to print the tables as Markdown. benchmarks/README.md says what each figure means.

What is measured:

1. The course's demo training step (MLP(2, [16, 16, 1]), 100 two-moons points, hinge loss + L2,
   full batch, SGD), written in each library's own idiom, from the same initial weights. The two
   loss trajectories must agree to 1e-9 at every step (all 100 steps in a full run, 10 with --quick).
2. The floor: the same step in bare Python floats, forward and hand-derived backward, no graph.
3. Memory: bytes per Value of a 200,001-node graph, and whether dropping a graph frees it
   without the cycle collector.
4. Cost per op as the graph grows, forward and backward.
5. That ``import nanograd.core`` loads the standard library only.

Progress goes to stderr; the tables go to stdout. The exit status is 1 if the libraries disagree
(a correctness failure); timings that miss a target are reported, never fatal: they are noisy.
"""

from __future__ import annotations

import argparse
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
from importlib import metadata
from pathlib import Path

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

# Targets from the course's plan (reported, not enforced).
TARGET_STEP_RATIO = 0.17  # nanograd's step time <= 0.17 x micrograd's
TARGET_BYTES_PER_VALUE = 200

MEMORY_PAIRS = 50_000  # 1 + 4 * 50,000 = 200,001 Values
GROWTH_NODES = (10_000, 50_000, 100_000, 250_000)


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


# --- 1 and 2: the loss trajectories agree ---------------------------------------------------------


def loss_trajectories(
    steps: int, n_points: int = N_POINTS, sizes: Sequence[int] = SIZES, progress: Callable[[str], None] | None = None
) -> dict[str, list[float]]:
    """Train all three from micrograd's seeded weights for ``steps`` steps; each one's loss at every step."""
    X, y = demo_data(n_points)
    micro = micrograd_model(sizes)
    nano = nanograd_model(micro, sizes)
    floor = floor_model(micro)
    runs = {"micrograd": [], "nanograd": [], "floats": []}
    for k in range(steps):
        runs["nanograd"].append(nanograd_step(nano, X, y, k))
        runs["floats"].append(floor_step(floor, X, y, k))
        runs["micrograd"].append(micrograd_step(micro, X, y, k))
        if progress and (k + 1) % 10 == 0:
            progress(f"  agreement: step {k + 1} of {steps}, loss {runs['micrograd'][-1]:.6f}")
    return runs


def check_trajectories(runs: dict[str, list[float]], tolerance: float = TOLERANCE) -> float:
    """The largest |difference| from micrograd's loss, over both other runs and every step;
    an AssertionError naming the first step that differs by more than ``tolerance``."""
    worst = 0.0
    reference = runs["micrograd"]
    for name in ("nanograd", "floats"):
        if len(runs[name]) != len(reference):
            raise AssertionError(f"{name} ran {len(runs[name])} steps, micrograd {len(reference)}")
        for k, (mine, theirs) in enumerate(zip(runs[name], reference, strict=True)):
            gap = abs(mine - theirs)
            if not gap <= tolerance:  # `not <=` so that a nan fails too
                raise AssertionError(
                    f"step {k}: {name} loss {mine!r} differs from micrograd's {theirs!r} by {gap:.3g} > {tolerance:g}"
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
    was_enabled = gc.isenabled()
    was_tracing = tracemalloc.is_tracing()
    gc.collect()
    gc.disable()
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
        if was_enabled:
            gc.enable()
    return {
        "nodes": nodes,
        "built": built,
        "bytes_per_value": built / nodes,
        "after_drop": after_drop,
        "in_cycles": in_cycles,
        "after_collect": after_collect,
    }


def op_costs(value_type: type, nodes: int, collector: bool = True) -> tuple[float, float]:
    """CPU microseconds per op, forward and backward, for a chain graph of about ``nodes`` Values.

    The leaves are made first, untimed; then the forward pass (one multiply and one add per pair
    of leaves) and ``backward()`` are timed, with the cycle collector on as in normal use, or off
    (``collector=False``) to see its share. Both times are divided by the number of ops (half the nodes).
    """
    pairs = (nodes - 1) // 4
    rng = random.Random(0)
    start = value_type(rng.uniform(-1.0, 1.0))
    leaves = [(value_type(rng.uniform(-1.0, 1.0)), value_type(rng.uniform(-1.0, 1.0))) for _ in range(pairs)]
    ops = 2 * pairs
    # micrograd's backward() walks the graph recursively, one Python frame per level of the chain.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, pairs + 10_000))
    was_enabled = gc.isenabled()
    if not collector:
        gc.disable()
    try:
        t0 = time.process_time()
        acc = start
        for w, x in leaves:
            acc = acc + w * x
        t1 = time.process_time()
        acc.backward()
        t2 = time.process_time()
    finally:
        sys.setrecursionlimit(limit)
        if was_enabled:
            gc.enable()
    return (t1 - t0) / ops * 1e6, (t2 - t1) / ops * 1e6


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="nanograd beside micrograd 0.1.0: speed, memory, correctness.")
    parser.add_argument("--quick", action="store_true", help="a short run: fewer repeats, agreement over 10 steps")
    parser.add_argument(
        "--markdown", action="store_true", help="print the tables as Markdown (for benchmarks/README.md)"
    )
    args = parser.parse_args(argv)

    installed = metadata.version("micrograd")
    if installed != MICROGRAD_VERSION:
        raise SystemExit(
            f"these figures compare with micrograd {MICROGRAD_VERSION}, but {installed} is installed: "
            f"run `pip install micrograd=={MICROGRAD_VERSION}`"
        )

    agree_steps = 10 if args.quick else DEMO_STEPS
    timed_steps, step_repeats = (2, 3) if args.quick else (4, 5)
    growth_repeats = 1 if args.quick else 3

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    say(f"1. agreement over {agree_steps} steps (micrograd takes about a second a step)")
    runs = loss_trajectories(agree_steps, progress=say)
    try:
        worst_gap = check_trajectories(runs)
    except AssertionError as error:
        say(f"FAILED: the libraries disagree: {error}")
        return 1

    say(f"1-2. step time: {step_repeats} interleaved repeats of {timed_steps} steps each")
    step_times = {
        name: statistics.median(times) for name, times in interleaved(step_timers(timed_steps), step_repeats).items()
    }

    say("3. memory of a 200,001-node graph (tracemalloc, cycle collector off)")
    memory = {
        name: memory_of_graph(value_type) for name, value_type in (("nanograd", NanoValue), ("micrograd", MicroValue))
    }

    say(
        f"4. cost per op, graphs of {', '.join(f'{n:,}' for n in GROWTH_NODES)} nodes, "
        f"{growth_repeats} interleaved repeats"
    )
    contenders = [
        (name + suffix, value_type, collector)
        for suffix, collector in (("", True), (", gc off", False))
        for name, value_type in (("nanograd", NanoValue), ("micrograd", MicroValue))
    ]
    growth = {}
    for nodes in GROWTH_NODES:
        timers = {
            name: (
                lambda value_type=value_type, collector=collector, nodes=nodes: op_costs(value_type, nodes, collector)
            )
            for name, value_type, collector in contenders
        }
        results = interleaved(timers, growth_repeats)
        growth[nodes] = {
            name: (statistics.median(f for f, _ in pairs), statistics.median(b for _, b in pairs))
            for name, pairs in results.items()
        }

    say("5. what `import nanograd.core` loads")
    loaded, outside = core_imports()

    nano_ms, micro_ms, floor_ms = (step_times[name] * 1e3 for name in ("nanograd", "micrograd", "floats"))
    ratio = nano_ms / micro_ms
    nano_mem, micro_mem = memory["nanograd"], memory["micrograd"]

    def mb(size: float) -> str:
        return f"{size / 1e6:.1f} MB"

    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    smallest, largest = growth[GROWTH_NODES[0]], growth[GROWTH_NODES[-1]]
    rise = {name: largest[name][0] / smallest[name][0] for name in ("nanograd", "micrograd")}
    summary = [
        [
            f"demo training step, ms of CPU (median of {step_repeats} x {timed_steps} steps)",
            f"{nano_ms:.1f}",
            f"{micro_ms:.0f}",
            f"{ratio:.3f} ({1 / ratio:.0f}x faster)",
            f"<= {TARGET_STEP_RATIO}: {yes(ratio <= TARGET_STEP_RATIO)}",
        ],
        [
            "same step in bare floats (the floor), ms",
            f"{floor_ms:.1f}",
            "",
            f"nanograd = {nano_ms / floor_ms:.1f}x the floor",
            "",
        ],
        [
            f"loss after {agree_steps} steps; max gap over all steps",
            f"{runs['nanograd'][-1]:.9f}",
            f"{runs['micrograd'][-1]:.9f}",
            f"{worst_gap:.1e}",
            f"<= {TOLERANCE:g}: yes",
        ],
        [
            f"bytes per Value, {nano_mem['nodes']:,}-node graph",
            f"{nano_mem['bytes_per_value']:.0f}",
            f"{micro_mem['bytes_per_value']:.0f}",
            f"{nano_mem['bytes_per_value'] / micro_mem['bytes_per_value']:.2f}",
            f"<= {TARGET_BYTES_PER_VALUE}: {yes(nano_mem['bytes_per_value'] <= TARGET_BYTES_PER_VALUE)}",
        ],
        [
            "graph memory still held after `del`, gc off",
            mb(nano_mem["after_drop"]),
            mb(micro_mem["after_drop"]),
            f"of {mb(nano_mem['built'])} / {mb(micro_mem['built'])}",
            f"nanograd frees it: {yes(nano_mem['after_drop'] < 0.01 * nano_mem['built'])}",
        ],
        [
            "objects gc.collect() then finds in cycles",
            f"{nano_mem['in_cycles']:,}",
            f"{micro_mem['in_cycles']:,}",
            "",
            f"none in nanograd: {yes(nano_mem['in_cycles'] == 0)}",
        ],
        ["still held after gc.collect()", mb(nano_mem["after_collect"]), mb(micro_mem["after_collect"]), "", ""],
        [
            f"forward µs/op, {GROWTH_NODES[-1]:,} nodes vs {GROWTH_NODES[0]:,}",
            f"{rise['nanograd']:.1f}x",
            f"{rise['micrograd']:.1f}x",
            "",
            "",
        ],
        [
            "`import nanograd.core` loads the standard library only",
            yes(not outside),
            "",
            f"{len(loaded)} modules",
            ", ".join(outside),
        ],
    ]
    growth_rows = [
        [f"{nodes:,}"]
        + [f"{g[name][0]:.2f}" for name in ("nanograd", "micrograd")]
        + [f"{g['nanograd'][0] / g['micrograd'][0]:.2f}"]
        + [f"{g[name][0]:.2f}" for name in ("nanograd, gc off", "micrograd, gc off")]
        + [f"{g[name][1]:.2f}" for name in ("nanograd", "micrograd")]
        + [f"{g['nanograd'][1] / g['micrograd'][1]:.2f}"]
        for nodes, g in growth.items()
    ]

    print(f"nanograd vs micrograd, {machine()}" + (" (--quick)" if args.quick else ""))
    print()
    print(table(["measure", "nanograd", "micrograd", "ratio", "target"], summary, args.markdown))
    print()
    print(f"Cost per op as the graph grows: CPU µs per op, median of {growth_repeats}; the chain w1*x1 + w2*x2 + ...")
    print()
    header = [
        "nodes",
        "forward nanograd",
        "forward micrograd",
        "ratio",
        "forward nanograd, gc off",
        "forward micrograd, gc off",
        "backward nanograd",
        "backward micrograd",
        "ratio",
    ]
    print(table(header, growth_rows, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
