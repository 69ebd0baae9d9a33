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


def _long_reference(name, w, grads, lrs, wd):
    """The textbook formulas in float64, with a learning rate per step."""
    w, v, m, s = w.copy(), np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
    for t, (g, lr) in enumerate(zip(grads, lrs), 1):
        g = g + wd * w
        if name == "gd":
            w = w - lr * g
        elif name in ("momentum", "nesterov"):
            v = MU * v + g
            w = w - lr * (v if name == "momentum" else g + MU * v)
        elif name == "rmsprop":
            s = 0.9 * s + 0.1 * g ** 2
            w = w - lr * g / (np.sqrt(s) + 1e-8)
        else:
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g ** 2
            w = w - lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w, {"v": v, "m": m, "s": s}


def _run(name, dtype, grads, lrs, wd, scaled, w0):
    opt = UPDATE_RULES[name](len(w0), dtype, momentum=MU)
    w = w0.astype(dtype)
    for g, lr in zip(grads, lrs):
        c = opt.grad_scale(lr) if scaled else 1.0
        opt.step(w, (c * g).astype(dtype), lr, weight_decay=wd, scaled=scaled)
    return opt, w


@pytest.mark.parametrize("name", list(UPDATE_RULES))
@pytest.mark.parametrize("scaled", [False, True])
@pytest.mark.parametrize("wd", [0.0, WD])
def test_long_runs_with_a_changing_rate_follow_the_formula(name, scaled, wd):
    # 300 steps: Adam's and RMSProp's memories fold their decays back in several times on the way
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=9)
    grads = [rng.normal(size=9) * 10.0 ** rng.uniform(-4, 1, size=9) for _ in range(300)]
    lrs = [0.01 * (1 + np.cos(np.pi * t / 300)) + 1e-4 for t in range(300)]
    ref, memory = _long_reference(name, w0, grads, lrs, wd)
    opt, w = _run(name, np.float64, grads, lrs, wd, scaled, w0)
    assert np.allclose(w, ref, rtol=1e-10, atol=1e-12)
    for key in opt.state:                     # each memory reads as the formula's quantity
        assert np.allclose(getattr(opt, key), memory[key], rtol=1e-10, atol=1e-300)
    assert opt.t == (300 if name == "adam" else 0)


def _one_step(name, w, g, lr, wd, state, t):
    """The change one textbook step makes to w from the memory `state` after t steps (float64)."""
    g = g + wd * w
    if name == "gd":
        return -lr * g
    if name in ("momentum", "nesterov"):
        v = MU * state["v"] + g
        return -lr * (v if name == "momentum" else g + MU * v)
    if name == "rmsprop":
        s = 0.9 * state["s"] + 0.1 * g ** 2
        return -lr * g / (np.sqrt(s) + 1e-8)
    m = 0.9 * state["m"] + 0.1 * g
    v = 0.999 * state["v"] + 0.001 * g ** 2
    return -lr * (m / (1 - 0.9 ** (t + 1))) / (np.sqrt(v / (1 - 0.999 ** (t + 1))) + 1e-8)


@pytest.mark.parametrize("name", list(UPDATE_RULES))
def test_every_float32_step_equals_the_formula_to_float32_rounding(name):
    # each step's change of w against the float64 formula applied to the same float32 weights and memory
    rng = np.random.default_rng(3)
    opt = UPDATE_RULES[name](2000, np.float32, momentum=MU)
    w = rng.normal(size=2000).astype(np.float32)
    eps32 = np.finfo(np.float32).eps
    for step in range(120):
        lr = 0.004 if step < 60 else 0.002
        g = (rng.normal(size=2000) * 10.0 ** rng.uniform(-3, 0, size=2000)).astype(np.float32)
        before = w.astype(np.float64)
        state = {key: getattr(opt, key).astype(np.float64) for key in opt.state}
        want = _one_step(name, before, g.astype(np.float64), lr, WD, state, opt.t)
        opt.step(w, opt.grad_scale(lr) * g, lr, weight_decay=WD, scaled=True)
        got = w.astype(np.float64) - before
        bad = np.abs(got - want) > 2e-5 * np.abs(want) + eps32 * np.abs(before)
        assert not bad.any(), (step, got[bad], want[bad], before[bad])


@pytest.mark.parametrize("name", ["momentum", "nesterov", "rmsprop", "adam"])
def test_reading_a_memory_changes_nothing_and_a_read_copy_cannot_be_written(name):
    rng = np.random.default_rng(4)
    grads = [rng.normal(size=6).astype(np.float32) for _ in range(6)]
    a, b = (UPDATE_RULES[name](6, np.float32, momentum=MU) for _ in range(2))
    wa, wb = np.ones(6, np.float32), np.ones(6, np.float32)
    for g in grads:
        a.step(wa, g.copy(), 0.01)
        b.step(wb, g.copy(), 0.01)
        for key in b.state:
            read = getattr(b, key)
            assert not read.flags.writeable
            with pytest.raises(ValueError):
                read[0] = 1.0
    assert np.array_equal(wa, wb)


@pytest.mark.parametrize("name", ["momentum", "rmsprop", "adam"])
def test_setting_a_memory_after_steps_sets_the_formulas_quantity(name):
    rng = np.random.default_rng(5)
    opt = UPDATE_RULES[name](4, np.float64, momentum=MU)
    w = np.zeros(4)
    for _ in range(3):
        opt.step(w, rng.normal(size=4), 0.01)
    key = opt.state[0]
    setattr(opt, key, [0.5, 1.0, 2.0, 4.0])
    assert np.array_equal(getattr(opt, key), [0.5, 1.0, 2.0, 4.0])


def test_decays_outside_zero_one_are_refused_with_a_sentence():
    from engine.errors import SpecError
    with pytest.raises(SpecError, match="strictly between 0 and 1"):
        UPDATE_RULES["adam"](3, np.float32, beta1=0.0)
