"""Spec validation: every rule is a SpecError with a sentence; absurd sizes refused before allocation."""
import json
import tracemalloc

import pytest

from engine import Network
from engine.errors import SpecError
from engine.spec import MAX_PARAMS, count_params, estimate_memory, validate_spec

GOOD = {"input_size": 4, "layers": [{"units": 3, "activation": "leaky_relu"}, {"units": 2, "activation": "softmax"}],
        "loss": "cross_entropy"}


def test_normalised_spec_fills_defaults_and_round_trips_json():
    spec = validate_spec(GOOD)
    assert spec["seed"] == 0 and spec["layers"][0]["alpha"] == 0.01
    assert json.loads(json.dumps(spec)) == spec
    assert validate_spec(spec) == spec


@pytest.mark.parametrize("change,message", [
    ({"layers": []}, "at least one layer"),
    ({"layers": [{"units": 0, "activation": "relu"}, {"units": 2, "activation": "softmax"}]}, "at least 1"),
    ({"layers": [{"units": 2.5, "activation": "relu"}, {"units": 2, "activation": "softmax"}]}, "whole number"),
    ({"layers": [{"units": 3, "activation": "swish"}, {"units": 2, "activation": "softmax"}]}, "unknown activation"),
    ({"layers": [{"units": 3, "activation": "softmax"}, {"units": 2, "activation": "softmax"}]}, "last"),
    ({"layers": [{"units": 2, "activation": "relu"}]}, "needs a softmax output"),
    ({"loss": "hinge"}, "Unknown loss"),
    ({"loss": "binary_cross_entropy"}, "needs a sigmoid output"),
    ({"input_size": -3}, "at least 1"),
    ({"seed": -1}, "seed"),
    ({"layers": [{"units": 3, "activation": "leaky_relu", "alpha": 2}, {"units": 2, "activation": "softmax"}]}, "alpha"),
    ({"layers": [{"units": 3, "activation": "relu", "init": "ones"}, {"units": 2, "activation": "softmax"}]}, "initialiser"),
    ({"color": "red"}, "Unknown spec key"),
])
def test_bad_specs_are_refused_with_a_sentence(change, message):
    with pytest.raises(SpecError, match=message):
        validate_spec({**GOOD, **change})


def test_count_params_and_memory_estimate():
    spec = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
            "loss": "cross_entropy"}
    assert count_params(spec) == 101_770
    assert estimate_memory(spec, 128) > 4 * 4 * 101_770
    assert estimate_memory(spec, 128, "float64") == 2 * estimate_memory(spec, 128)


@pytest.mark.parametrize("units", [10 ** 9, 900_000])
def test_absurd_sizes_refused_before_allocation(units):
    spec = {"input_size": 784, "layers": [{"units": units, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
            "loss": "cross_entropy"}
    tracemalloc.start()
    try:
        with pytest.raises(SpecError, match="limit"):
            Network.from_spec(spec)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    assert MAX_PARAMS == 50_000_000


def test_memory_limit_counts_the_batch():
    from engine.spec import check_memory
    spec = validate_spec({"input_size": 784, "layers": [{"units": 4096, "activation": "relu"},
                                                        {"units": 10, "activation": "softmax"}], "loss": "cross_entropy"})
    assert check_memory(spec, 128) > 0
    with pytest.raises(SpecError, match="memory"):
        check_memory(spec, 1_000_000)


@pytest.mark.parametrize("where,value", [("activation", ["relu"]), ("loss", ["mse"]), ("init", {}),
                                         ("activation", {"relu": 1})])
def test_a_list_or_dict_where_a_name_belongs_is_a_sentence(where, value):
    # a forged project file can hold anything: unhashable names must not escape as TypeError
    layer = {"units": 3, "activation": "relu"}
    spec = {"input_size": 4, "layers": [layer], "loss": "mse"}
    (spec if where == "loss" else layer)[where] = value
    with pytest.raises(SpecError) as err:
        validate_spec(spec)
    assert "unknown" in str(err.value).lower() and "choose one of" in str(err.value)
