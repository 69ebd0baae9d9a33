"""Each update rule vs its formula (float64, with weight decay); the learning-rate schedules."""
import math

import numpy as np
import pytest

from engine.optimizers import OPTIMIZERS, UPDATE_RULES
from engine.schedules import SCHEDULES

LR, MU, WD = 0.1, 0.9, 0.01


def _reference(name, w, grads):
    """The textbook formulas, written out step by step."""
    w = w.copy()
    v = np.zeros_like(w)
    m = np.zeros_like(w)
    s = np.zeros_like(w)
    for t, g in enumerate(grads, 1):
        g = g + WD * w
        if name == "gd":
            w = w - LR * g
        elif name == "momentum":
            v = MU * v + g
            w = w - LR * v
        elif name == "nesterov":
            v = MU * v + g
            w = w - LR * (g + MU * v)
        elif name == "rmsprop":
            s = 0.9 * s + 0.1 * g ** 2
            w = w - LR * g / (np.sqrt(s) + 1e-8)
        elif name == "adam":
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g ** 2
            m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)
            w = w - LR * m_hat / (np.sqrt(v_hat) + 1e-8)
    return w


@pytest.mark.parametrize("name", list(UPDATE_RULES))
def test_step_matches_formula(name):
    rng = np.random.default_rng(0)
    w0 = rng.normal(size=7)
    grads = [rng.normal(size=7) for _ in range(4)]
    opt = UPDATE_RULES[name](7, np.float64, momentum=MU)
    w = w0.copy()
    for g in grads:
        opt.step(w, g.copy(), LR, weight_decay=WD)
    assert np.allclose(w, _reference(name, w0, grads), rtol=1e-12, atol=1e-12)


def test_gradient_descent_three_forms_share_the_rule():
    for name in ("sgd", "bgd", "minibatch"):
        assert issubclass(OPTIMIZERS[name], UPDATE_RULES["gd"])
        assert OPTIMIZERS[name].step is UPDATE_RULES["gd"].step
    assert set(OPTIMIZERS) == {"sgd", "bgd", "minibatch", "momentum", "nesterov", "rmsprop", "adam"}


@pytest.mark.parametrize("name", list(UPDATE_RULES))
def test_optimizers_minimise_a_quadratic(name):
    # f(w) = |w - 3|^2 / 2, gradient w - 3
    opt = UPDATE_RULES[name](3, np.float64, momentum=0.5)
    w = np.zeros(3)
    for _ in range(500):
        opt.step(w, w - 3.0, 0.05)
    assert np.allclose(w, 3.0, atol=1e-2)


def test_schedules():
    const, step, cos = SCHEDULES["constant"], SCHEDULES["step"], SCHEDULES["cosine"]
    assert const(0.1, 7, 10) == 0.1
    assert [step(1.0, e, 30, step_size=10, gamma=0.5) for e in (1, 10, 11, 21)] == [1.0, 1.0, 0.5, 0.25]
    assert cos(0.1, 1, 10, min_lr=0.01) == pytest.approx(0.1)
    assert cos(0.1, 6, 10, min_lr=0.01) == pytest.approx(0.01 + 0.09 * (1 + math.cos(math.pi * 0.5)) / 2)
    lrs = [cos(0.1, e, 10) for e in range(1, 11)]
    assert all(a > b for a, b in zip(lrs, lrs[1:])) and lrs[-1] > 0


@pytest.mark.parametrize("name", ["gd", "momentum"])
@pytest.mark.parametrize("scaled", [False, True])
def test_changing_lr_and_lr_folded_gradients_follow_the_formula(name, scaled):
    rng = np.random.default_rng(1)
    w = rng.normal(size=5)
    grads = [rng.normal(size=5) for _ in range(4)]
    lrs = [0.1, 0.1, 0.05, 0.2]
    opt = UPDATE_RULES[name](5, np.float64, momentum=MU)
    ref, v = w.copy(), np.zeros(5)
    for g, lr in zip(grads, lrs):
        opt.step(w, (lr * g) if scaled else g.copy(), lr, weight_decay=WD, scaled=scaled)
        g = g + WD * ref
        v = MU * v + g if name == "momentum" else g
        ref = ref - lr * v
    assert np.allclose(w, ref, rtol=1e-12, atol=1e-12)


def test_momentum_state_can_be_preset_before_the_first_step():
    opt = UPDATE_RULES["momentum"](2, np.float64, momentum=0.5)
    opt.v[...] = [1.0, -2.0]
    w = np.zeros(2)
    opt.step(w, np.array([0.2, 0.4]), 0.1)
    assert np.allclose(w, -0.1 * (0.5 * np.array([1.0, -2.0]) + [0.2, 0.4]))
    assert np.allclose(opt.v, 0.5 * np.array([1.0, -2.0]) + [0.2, 0.4])
