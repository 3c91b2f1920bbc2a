"""benchmarks/bench.py at a tiny size: its code runs, and what it compares is really equal.

The independent truths here are micrograd 0.1.0 (a separate library) and the bare-float step
(no graph at all): nanograd must give the same losses as both, step after step. No timing is
asserted: only that the timers run and return plain numbers.
"""

import gc
import importlib.util
import math
import random
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from nanograd.core import Value

BENCH_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench.py"
LAYOUT_BYTES_PER_VALUE = 150


def load_bench():
    spec = importlib.util.spec_from_file_location("nanograd_bench", BENCH_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


bench = load_bench()


@pytest.fixture(scope="module")
def small_runs():
    # 20 points and 6 steps: big enough for relus to switch and margins to cross zero, small enough for micrograd.
    return bench.loss_trajectories(6, n_points=20)


def test_three_implementations_give_the_same_losses_at_every_step(small_runs):
    assert set(small_runs) == {"micrograd", "nanograd", "floats"}
    assert all(len(losses) == 6 for losses in small_runs.values())
    for k, (micro, nano, floats) in enumerate(
        zip(small_runs["micrograd"], small_runs["nanograd"], small_runs["floats"], strict=True)
    ):
        assert nano == pytest.approx(micro, abs=1e-12, rel=0), f"step {k}"
        assert floats == pytest.approx(micro, abs=1e-12, rel=0), f"step {k}"
    assert bench.check_trajectories(small_runs) <= 1e-12


def test_the_trajectory_is_a_real_training_run(small_runs):
    # Agreement would prove little if nothing moved: the loss must change at every step and fall overall.
    losses = small_runs["micrograd"]
    assert all(a != b for a, b in pairwise(losses))
    assert losses[-1] < losses[0]


def test_first_loss_by_hand_from_micrograds_weights():
    # Loss at step 0 computed here from the weights alone (a third way: plain loops, no library step).
    X, y = bench.demo_data(20)
    micro = bench.micrograd_model()
    layers = [[([w.data for w in n.w], n.b.data) for n in layer.neurons] for layer in micro.layers]

    def score(x):
        h = x
        for index, layer in enumerate(layers):
            z = [b + sum(w * xi for w, xi in zip(ws, h, strict=True)) for ws, b in layer]
            h = z if index == len(layers) - 1 else [max(0.0, t) for t in z]
        return h[0]

    hinge = sum(max(0.0, 1.0 - yi * score(x)) for x, yi in zip(X, y, strict=True)) / len(X)
    penalty = 1e-4 * sum(p.data**2 for p in micro.parameters())
    expected = hinge + penalty
    for name, losses in bench.loss_trajectories(1, n_points=20).items():
        assert losses[0] == pytest.approx(expected, rel=1e-12), name


def test_the_models_start_from_the_same_weights():
    micro = bench.micrograd_model()
    nano = bench.nanograd_model(micro)
    floor = bench.floor_model(micro)
    theirs = [p.data for p in micro.parameters()]
    assert [p.data for p in nano.parameters()] == theirs
    assert [v for rows, biases in floor for row, b in zip(rows, biases, strict=True) for v in (*row, b)] == theirs
    assert len(theirs) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1


def test_building_micrograds_model_leaves_the_global_random_state_alone():
    random.seed(7)
    expected = random.random()
    random.seed(7)
    bench.micrograd_model()
    assert random.random() == expected


def test_a_disagreement_is_reported_with_its_step():
    runs = {"micrograd": [1.0, 0.5, 0.25], "nanograd": [1.0, 0.5 + 1e-8, 0.25], "floats": [1.0, 0.5, 0.25]}
    with pytest.raises(AssertionError, match="step 1: nanograd"):
        bench.check_trajectories(runs)
    runs = {"micrograd": [1.0], "nanograd": [1.0], "floats": [math.nan]}
    with pytest.raises(AssertionError, match="step 0: floats"):
        bench.check_trajectories(runs)


def test_step_timers_run_every_implementation_interleaved():
    calls = []
    timers = bench.step_timers(1, n_points=10)

    def recording(name):
        def run():
            calls.append(name)
            return timers[name]()

        return run

    results = bench.interleaved({name: recording(name) for name in timers}, repeats=3)
    assert {name: len(times) for name, times in results.items()} == {"micrograd": 3, "nanograd": 3, "floats": 3}
    assert all(isinstance(t, float) and t >= 0.0 for times in results.values() for t in times)
    # each implementation goes first once in three rounds
    assert calls[0::3] == ["micrograd", "nanograd", "floats"]


def test_memory_a_nanograd_graph_has_no_cycles_and_micrograds_does():
    pairs = 5_000  # 20,001 Values
    nano = bench.memory_of_graph(Value, pairs)
    micro = bench.memory_of_graph(bench.MicroValue, pairs)
    assert nano["nodes"] == micro["nodes"] == 20_001
    # nanograd: dropping the graph frees it at once, and the collector finds nothing.
    assert nano["in_cycles"] == 0
    assert nano["after_drop"] < 0.05 * nano["built"]
    # micrograd: every node sits in a cycle (its _backward closure refers to the node), so nothing is
    # freed until gc.collect(), which finds several objects per node.
    assert micro["after_drop"] > 0.9 * micro["built"]
    assert micro["in_cycles"] > micro["nodes"]
    assert micro["after_collect"] < 0.05 * micro["built"]
    # What the layout takes now (146 bytes a Value on CPython 3.11): six slots, a tuple of children and
    # one of local derivatives per op. The benchmark reports it against its target; this keeps it from growing.
    assert nano["bytes_per_value"] <= LAYOUT_BYTES_PER_VALUE < micro["bytes_per_value"]
    assert gc.isenabled()


@pytest.fixture(scope="module")
def every_engine():
    """nanograd and micrograd, and torch scalars when torch is installed."""
    return bench.engines(bench.load_torch())


def test_op_by_op_the_same_code_gives_every_engine_micrograds_losses(small_runs, every_engine):
    # One function builds the loss from + * relu() for all engines; each must follow micrograd's own demo step.
    runs = bench.op_by_op_trajectories(3, every_engine, n_points=20)
    assert set(runs) == {engine.name for engine in every_engine}
    for name, losses in runs.items():
        assert losses == pytest.approx(small_runs["micrograd"][:3], abs=1e-12, rel=0), name
    assert bench.check_trajectories({"micrograd": small_runs["micrograd"][:3]} | runs) <= 1e-12


def test_op_by_op_timers_time_the_step_and_its_backward_with_and_without_the_collector(every_engine):
    timers = bench.op_by_op_timers(1, every_engine, n_points=10) | bench.op_by_op_timers(
        1, [bench.NANOGRAD, bench.MICROGRAD], n_points=10, collector=False
    )
    assert set(timers) == {e.name for e in every_engine} | {"nanograd, gc off", "micrograd, gc off"}
    results = bench.interleaved(timers, repeats=2)
    for name, runs in results.items():
        assert len(runs) == 2, name
        for step, backward in runs:
            assert 0.0 <= backward <= step and math.isfinite(step), name
    assert gc.isenabled()


def test_wide_and_deep_graphs_run_on_every_engine(every_engine):
    limit = sys.getrecursionlimit()
    for engine in every_engine:
        # 3,000 steps make micrograd's recursive backward() go 6,000 frames deep (the default limit is 1,000).
        for forward, backward in (bench.wide_graph_costs(engine, terms=101), bench.deep_chain_costs(engine, 3_000)):
            assert math.isfinite(forward) and forward >= 0.0 and math.isfinite(backward) and backward >= 0.0
    assert sys.getrecursionlimit() == limit
    assert gc.isenabled()


def test_op_costs_run_deeper_than_the_recursion_limit():
    # 2,000 pairs make micrograd's recursive backward() go about 2,000 frames deep (the default limit is 1,000).
    limit = sys.getrecursionlimit()
    for value_type in (Value, bench.MicroValue):
        for collector in (True, False):
            forward, backward = bench.op_costs(value_type, 8_001, collector)
            assert math.isfinite(forward) and forward >= 0.0
            assert math.isfinite(backward) and backward >= 0.0
            assert gc.isenabled()
    assert sys.getrecursionlimit() == limit


def test_the_chain_graph_is_a_neurons_sum_in_both_libraries():
    rng = random.Random(3)
    expected = rng.uniform(-1.0, 1.0)
    for _ in range(50):
        expected = expected + rng.uniform(-1.0, 1.0) * rng.uniform(-1.0, 1.0)
    assert bench.chain_graph(Value, 50, seed=3).data == expected
    assert bench.chain_graph(bench.MicroValue, 50, seed=3).data == expected


def test_import_nanograd_core_loads_the_standard_library_only():
    loaded, outside = bench.core_imports()
    assert "nanograd.core" in loaded
    assert outside == []


def test_tables_in_text_and_markdown():
    rows = [["a", "1"], ["bb", "22"]]
    assert bench.table(["name", "n"], rows, markdown=True).splitlines() == [
        "| name | n |",
        "|---|---|",
        "| a | 1 |",
        "| bb | 22 |",
    ]
    text = bench.table(["name", "n"], rows, markdown=False).splitlines()
    assert text[0] == "name  n" and text[1] == "----  --" and text[3] == "bb    22"
