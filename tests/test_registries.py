"""Every registry entry carries its teaching metadata (the app reads it and never re-spells it)."""
import math

import pytest

from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZER_INFO, OPTIMIZERS
from engine.schedules import SCHEDULE_LABELS, SCHEDULES


def _text(value):
    return isinstance(value, str) and value.strip() == value and value != ""


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_metadata(name):
    act = ACTIVATIONS[name]
    for field in ("label", "formula", "range_text", "description"):
        assert _text(getattr(act, field)), (name, field)
    assert isinstance(act.hidden_ok, bool)


def _bound(text):
    text = text.strip().replace("+", "")
    return {"∞": math.inf, "-∞": -math.inf}.get(text, None) if "∞" in text else float(text)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_range_text_matches_the_numeric_range(name):
    act = ACTIVATIONS[name]
    close = min(i for i, c in enumerate(act.range_text) if c in ")]")
    lo, hi = act.range_text[1:close].split(", ")
    assert (_bound(lo), _bound(hi)) == tuple(act.range)


def test_softmax_is_output_only_and_linear_may_be_hidden():
    assert [n for n, a in ACTIVATIONS.items() if a.hidden_ok] == ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_metadata(name):
    for field in ("label", "formula", "description"):
        assert _text(getattr(LOSSES[name], field)), (name, field)
    # the engine sums over outputs and averages over samples; the formula says so
    assert "(1/n) Σᵢ Σₖ" in LOSSES[name].formula


def test_labels_are_the_course_names():
    assert {n: a.label for n, a in ACTIVATIONS.items()} == {
        "sigmoid": "Sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU", "softmax": "Softmax",
        "linear": "Linear (identity)"}
    assert {n: o.label for n, o in OPTIMIZERS.items()} == {
        "sgd": "SGD", "bgd": "batch GD", "minibatch": "mini-batch GD", "momentum": "momentum",
        "nesterov": "Nesterov", "rmsprop": "RMSProp", "adam": "Adam"}
    assert LOSSES["cross_entropy"].label == "Cross-entropy" and LOSSES["l1"].label == "Mean absolute error (L1)"


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_optimizer_metadata(name):
    info = OPTIMIZER_INFO[name]
    for field in ("label", "formula", "description"):
        assert _text(getattr(OPTIMIZERS[name], field)), (name, field)
        assert getattr(info, field) == getattr(OPTIMIZERS[name], field)
    assert set(OPTIMIZER_INFO) == set(OPTIMIZERS)


def test_every_optimizer_label_is_distinct():
    assert len({o.label for o in OPTIMIZERS.values()}) == len(OPTIMIZERS)


def test_schedule_labels():
    assert set(SCHEDULE_LABELS) == set(SCHEDULES)
    assert all(_text(v) for v in SCHEDULE_LABELS.values())
