"""Learning-rate finder: the rates it steps through, its smoothing, stop and suggestion rules, and that the
network it is given keeps bit-identical weights, for every optimizer."""
import math
import threading

import numpy as np
import pytest

from engine import Network, TrainConfig, fit
from engine.errors import SpecError
from engine.lr_finder import EXPLODE, WARMUP, LRFinder, find_lr, lr_schedule, suggest
from engine.optimizers import OPTIMIZERS


def blobs(n=600, d=20, k=4, seed=0, spread=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d)) * 2
    y = rng.integers(0, k, n)
    return (centers[y] + rng.normal(size=(n, d)) * spread).astype(np.float32), y


def small_net(seed=0, act="relu"):
    return Network({"input_size": 20, "layers": [{"units": 16, "activation": act},
                                                 {"units": 4, "activation": "softmax"}],
                    "loss": "cross_entropy", "seed": seed})


def test_schedule_is_exponential_from_min_to_max():
    lrs = lr_schedule(1e-6, 10.0, 8)
    assert lrs[0] == pytest.approx(1e-6) and lrs[-1] == pytest.approx(10.0)
    assert np.allclose(lrs[1:] / lrs[:-1], (1e7) ** (1 / 7))


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_weights_and_history_untouched_for_every_optimizer(opt):
    X, y = blobs()
    net = small_net()
    fit(net, TrainConfig(epochs=1, lr=0.01, optimizer="adam"), X, y)     # a trained network, with history
    before, history = net.params.copy(), [dict(h) for h in net.history]
    result = find_lr(net, TrainConfig(optimizer=opt, batch_size=32), X, y, steps=60)
    assert net.params.tobytes() == before.tobytes()
    assert net.history == history
    assert len(result.lrs) >= 10 and np.all(np.isfinite(result.raw_losses[:-1]))


def test_steps_use_the_planned_rates_and_the_smoothing_formula():
    X, y = blobs()
    finder = LRFinder(small_net(), TrainConfig(optimizer="momentum", batch_size=32), X, y,
                      lr_min=1e-5, lr_max=1e-2, steps=40, beta=0.9)
    points = list(finder.run())
    res = finder.result()
    assert [p.step for p in points] == list(range(1, 41)) and res.reason == "completed"
    assert np.allclose(res.lrs, lr_schedule(1e-5, 1e-2, 40), rtol=1e-12)
    avg, expect = 0.0, []
    for i, loss in enumerate(res.raw_losses):
        avg = 0.9 * avg + 0.1 * loss
        expect.append(avg / (1 - 0.9 ** (i + 1)))
    assert np.allclose(res.losses, expect, rtol=1e-12)
    assert res.lr_at_min == res.lrs[np.argmin(res.losses)] and res.suggestion == pytest.approx(res.lr_at_min / 10)


def noise(n=600, seed=0):
    """Random labels: nothing to learn, so a large rate blows the loss up instead of driving it to 0."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 20)).astype(np.float32), rng.integers(0, 4, n)


@pytest.mark.parametrize("opt, batch", [("momentum", 32), ("adam", 32), ("sgd", 1)])
def test_stops_once_the_smoothed_loss_exceeds_four_times_its_best_after_the_warmup(opt, batch):
    X, y = noise()
    res = find_lr(small_net(), TrainConfig(optimizer=opt, batch_size=batch), X, y, lr_max=1e3, steps=300)
    assert res.reason == "exploded" and WARMUP < len(res.lrs) < 300
    best = np.minimum.accumulate(res.losses[WARMUP - 1:])
    last = res.losses[-1]
    assert not math.isfinite(last) or last > EXPLODE * best[-2]
    assert np.all(res.losses[WARMUP - 1:-1] <= EXPLODE * best[:-1])
    i = WARMUP - 1 + np.nanargmin(res.losses[WARMUP - 1:])
    assert res.lr_at_min == res.lrs[i] and res.suggestion == pytest.approx(res.lrs[i] / 10)


def test_same_inputs_same_curve_because_the_optimizer_state_starts_fresh():
    X, y = blobs()
    net, cfg = small_net(), TrainConfig(optimizer="adam", batch_size=16)
    a, b = find_lr(net, cfg, X, y, steps=50), find_lr(net, cfg, X, y, steps=50)
    assert a.lrs.tobytes() == b.lrs.tobytes() and a.raw_losses.tobytes() == b.raw_losses.tobytes()


def test_the_suggestion_trains_better_than_the_low_end_and_than_ten_times_itself():
    X, y = blobs(spread=3.0)                             # overlapping classes: the loss cannot reach 0
    res = find_lr(small_net(), TrainConfig(optimizer="momentum", batch_size=32), X, y)
    assert res.reason == "exploded" and 1e-4 < res.suggestion < 1.0
    losses = {}
    for lr in (1e-6, res.suggestion, 10 * res.suggestion):
        net = small_net()
        losses[lr] = fit(net, TrainConfig(optimizer="momentum", lr=lr, batch_size=32, epochs=3), X, y)[-1]["val_loss"]
    assert losses[res.suggestion] < 0.5 * losses[1e-6]
    assert losses[res.suggestion] < losses[10 * res.suggestion]
    assert "one decade below" in res.message


def test_stop_from_another_thread_ends_the_test():
    X, y = blobs()
    finder = LRFinder(small_net(), TrainConfig(batch_size=8), X, y, steps=5000)
    seen = 0
    for point in finder.run():
        seen += 1
        if point.step == 20:
            t = threading.Thread(target=finder.stop)
            t.start()
            t.join()
    assert finder.result().reason == "stopped" and seen == 20


def test_suggest_rules():
    lrs = lr_schedule(1e-4, 1.0, 20)
    falling_then_rising = np.r_[np.linspace(2, 1, 14), np.linspace(1.2, 3, 6)]
    s, at = suggest(lrs, falling_then_rising)
    assert at == lrs[13] and s == pytest.approx(lrs[13] / 10)
    lucky_start = np.r_[0.1, np.linspace(2, 1, 13), np.linspace(1.2, 3, 6)]
    assert suggest(lrs, lucky_start)[1] == lrs[13]                       # the warm-up is not a minimum
    assert suggest(lrs, np.linspace(1, 3, 20)) == (None, None)          # never below the end of the warm-up
    assert suggest(lrs[:WARMUP], np.linspace(2, 1, WARMUP)) == (None, None)   # too few points


@pytest.mark.parametrize("kw, words", [({"lr_min": 0}, "range"), ({"lr_min": 1, "lr_max": 0.1}, "range"),
                                       ({"steps": 3}, "steps"), ({"beta": 1.0}, "smoothing"),
                                       ({"explode": 1}, "explosion")])
def test_bad_settings_are_a_sentence(kw, words):
    X, y = blobs(n=50)
    with pytest.raises(SpecError, match=words):
        LRFinder(small_net(), TrainConfig(), X, y, **kw)


def test_mnist_sample_weights_untouched(mnist_sample):
    net = Network({"input_size": 784, "layers": [{"units": 32, "activation": "relu"},
                                                 {"units": 10, "activation": "softmax"}], "loss": "cross_entropy"})
    before = net.params.copy()
    res = find_lr(net, TrainConfig(optimizer="adam"), mnist_sample.x_train, mnist_sample.y_train, steps=100)
    assert net.params.tobytes() == before.tobytes()
    assert res.suggestion is not None and 1e-5 < res.suggestion < 1


def test_a_loss_still_falling_at_the_end_of_the_range_is_said():
    X, y = blobs()                                       # separable: the loss falls all the way to lr 10
    res = find_lr(small_net(), TrainConfig(optimizer="momentum", batch_size=32), X, y)
    assert res.reason == "completed" and res.lr_at_min == res.lrs[-1] == pytest.approx(10)
    assert "still falling at the last step" in res.message
