"""Trainer: events, determinism, control from another thread, early stopping, divergence, no allocation."""
import threading
import time
import tracemalloc

import numpy as np
import pytest

from engine import BatchStats, EpochStats, Finished, Network, TrainConfig, Trainer, fit
from engine.errors import DataError, DivergenceError, SpecError
from engine.optimizers import OPTIMIZERS
from engine.split import stratified_split


def blobs(n=600, d=20, k=4, seed=0, noise=1.0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(size=(k, d)) * 2
    y = rng.integers(0, k, n)
    return (centers[y] + rng.normal(size=(n, d)) * noise).astype(np.float32), y


def net_for(d=20, k=4, hidden=16, seed=0, dtype="float32"):
    return Network.from_spec({"input_size": d, "layers": [{"units": hidden, "activation": "relu"},
                                                          {"units": k, "activation": "softmax"}],
                              "loss": "cross_entropy", "seed": seed}, dtype=dtype)


def run(net, cfg, X, y, **kw):
    return list(Trainer(net, cfg, X, y, **kw).run())


def test_events_and_learning():
    X, y = blobs()
    net = net_for()
    events = run(net, TrainConfig(epochs=3, batch_size=50, lr=0.05), X, y)
    assert isinstance(events[-1], Finished) and events[-1].reason == "completed"
    epochs = [e for e in events if isinstance(e, EpochStats)]
    batches = [e for e in events if isinstance(e, BatchStats)]
    assert [e.epoch for e in epochs] == [1, 2, 3]
    n_train = 600 - 60                                   # 10% stratified validation split
    assert len(batches) == 3 * int(np.ceil(n_train / 50)) and batches[0].n_batches == 11
    assert batches[-1].samples == 3 * n_train
    assert epochs[-1].val_accuracy > 0.9 and epochs[-1].train_loss < epochs[0].train_loss
    assert net.history == events[-1].history and len(net.history) == 3
    # the epoch's train loss is the sample-weighted mean of its batches' losses
    first = [b for b in batches if b.epoch == 1]
    sizes = [50] * 10 + [40]
    assert epochs[0].train_loss == pytest.approx(sum(b.loss * m for b, m in zip(first, sizes)) / n_train, rel=1e-6)


def test_validation_numbers_match_the_network():
    X, y = blobs()
    Xv, yv = blobs(seed=1)[0][:100], blobs(seed=1)[1][:100]
    net = net_for()
    events = run(net, TrainConfig(epochs=1, val_fraction=0.0), X, y, X_val=Xv, y_val=yv)
    ep = [e for e in events if isinstance(e, EpochStats)][0]
    assert ep.val_loss == pytest.approx(net.loss(Xv, yv), rel=1e-5)
    assert ep.val_accuracy == pytest.approx(np.mean(net.predict(Xv) == yv))


def test_fast_path_gradient_equals_backprop():
    # one plain GD step on the whole set through the trainer == params - lr * net.gradients
    X, y = blobs(n=64, d=5, k=3)
    net = net_for(d=5, k=3, dtype="float64")
    expected = net.params - 0.1 * np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in net.gradients(X, y)])
    run(net, TrainConfig(optimizer="bgd", lr=0.1, epochs=1, val_fraction=0), X, y)
    assert np.allclose(net.params, expected, rtol=1e-10, atol=1e-12)


def test_seeded_runs_are_bit_identical():
    X, y = blobs()
    nets = [net_for(), net_for()]
    hists = [fit(n, TrainConfig(optimizer="adam", lr=1e-3, epochs=2, batch_size=32), X, y) for n in nets]
    assert np.array_equal(nets[0].params, nets[1].params)
    timing = {"seconds", "elapsed"}
    strip = lambda h: [{k: v for k, v in e.items() if k not in timing} for e in h]
    assert strip(hists[0]) == strip(hists[1])
    other = net_for()
    fit(other, TrainConfig(optimizer="adam", lr=1e-3, epochs=2, batch_size=32, seed=1), X, y)
    assert not np.array_equal(other.params, nets[0].params)


def test_sgd_and_bgd_batch_sizes():
    X, y = blobs(n=100)
    ev = run(net_for(), TrainConfig(optimizer="sgd", epochs=1, val_fraction=0), X, y)
    assert sum(isinstance(e, BatchStats) for e in ev) == 100
    ev = run(net_for(), TrainConfig(optimizer="bgd", epochs=2, val_fraction=0), X, y)
    assert sum(isinstance(e, BatchStats) for e in ev) == 2


def _drive_in_thread(trainer, on_event):
    """Consume run() on a worker thread, the way the app does; on_event(event, trainer) runs on that thread."""
    events = []

    def work():
        for e in trainer.run():
            events.append(e)
            on_event(e, trainer)

    t = threading.Thread(target=work)
    t.start()
    return t, events


def test_pause_resume_stop_from_another_thread():
    X, y = blobs(n=2000)
    trainer = Trainer(net_for(), TrainConfig(epochs=50, batch_size=10, val_fraction=0), X, y)
    seen = threading.Event()
    t, events = _drive_in_thread(trainer, lambda e, tr: seen.set() if isinstance(e, BatchStats) and e.batch == 5 else None)
    assert seen.wait(10)
    n_batches = lambda: sum(isinstance(e, BatchStats) for e in list(events))
    at_pause = n_batches()
    trainer.pause()
    time.sleep(0.3)
    n = len(events)
    params = trainer.net.params.copy()
    time.sleep(0.3)
    assert trainer.paused and len(events) == n
    assert n_batches() <= at_pause + 1                 # at most the batch already under way finishes
    assert np.array_equal(params, trainer.net.params)
    trainer.resume()
    time.sleep(0.2)
    assert len(events) > n
    trainer.stop()
    t.join(10)
    assert not t.is_alive()
    assert events[-1].reason == "stopped" and "stopped" in events[-1].message


def test_control_takes_effect_at_the_next_batch():
    X, y = blobs(n=400)
    trainer = Trainer(net_for(), TrainConfig(epochs=2, batch_size=10, lr=0.05, val_fraction=0), X, y)
    events = []
    for e in trainer.run():
        events.append(e)
        if isinstance(e, BatchStats) and e.epoch == 1 and e.batch == 3:
            trainer.set_lr(0.01)
            trainer.set_batch_size(25)
            trainer.pause()
            trainer.resume()
    b = [e for e in events if isinstance(e, BatchStats)]
    assert b[2].lr == 0.05 and b[3].lr == 0.01
    assert b[3].samples - b[2].samples == 25
    assert b[3].n_batches == 3 + int(np.ceil((400 - 30) / 25))
    with pytest.raises(SpecError):
        trainer.set_batch_size(0)
    with pytest.raises(SpecError):
        trainer.set_lr(-1)


def test_stop_while_paused_ends_the_run():
    X, y = blobs(n=200)
    trainer = Trainer(net_for(), TrainConfig(epochs=5, batch_size=10, val_fraction=0), X, y)
    gen = trainer.run()
    next(gen)
    trainer.pause()
    threading.Timer(0.1, trainer.stop).start()
    assert next(gen).reason == "stopped"


def test_early_stopping_restores_the_best_epoch():
    # few samples, a big net and a high rate overfit quickly: val loss rises, patience runs out
    X, y = blobs(n=120, d=20, k=4, noise=3.0)
    net = net_for(hidden=64)
    snapshots = {}
    trainer = Trainer(net, TrainConfig(optimizer="adam", lr=0.01, epochs=200, batch_size=8, patience=3,
                                       val_fraction=0.3), X, y)
    for e in trainer.run():
        if isinstance(e, EpochStats):
            snapshots[e.epoch] = net.params.copy()
    assert e.reason == "early_stopped"
    best = e.best_epoch
    assert len(e.history) == best + 3
    assert np.array_equal(net.params, snapshots[best])
    assert e.history[best - 1]["is_best"]
    assert e.history[best - 1]["val_loss"] == min(h["val_loss"] for h in e.history)


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_divergence_is_caught_and_weights_restored(opt):
    X, y = blobs(n=600)
    net = net_for()
    events = list(Trainer(net, TrainConfig(optimizer=opt, lr=1e3, epochs=3, batch_size=32, val_fraction=0), X, y).run())
    fin = events[-1]
    assert fin.reason == "diverged", fin
    # batch GD makes one step per epoch; that step's loss is only seen at the next epoch's first batch
    first = "Training diverged at epoch 2, batch 1" if opt == "bgd" else "Training diverged at epoch 1"
    assert fin.message.startswith(first) and "learning rate (1000)" in fin.message
    assert "too high" in fin.message
    assert np.all(np.isfinite(net.params))
    assert np.array_equal(net.params, net_for().params)      # diverged in epoch 1: back to the start


def test_fit_raises_divergence_error():
    X, y = blobs(n=200)
    with pytest.raises(DivergenceError, match="diverged"):
        fit(net_for(), TrainConfig(optimizer="minibatch", lr=1e4, epochs=2, val_fraction=0), X, y)


def test_probes_and_weight_decay():
    X, y = blobs(n=400)
    events = run(net_for(), TrainConfig(epochs=1, batch_size=10, probe_every=5, val_fraction=0, weight_decay=1e-3),
                 X, y)
    b = [e for e in events if isinstance(e, BatchStats)]
    assert b[4].grad_norms is not None and len(b[4].grad_norms) == 2 and all(g > 0 for g in b[4].grad_norms)
    assert b[4].dead_units is not None and len(b[4].dead_units) == 1
    assert b[0].grad_norms is None


def test_grad_norm_probe_is_the_true_gradient_norm():
    X, y = blobs(n=40, d=5, k=3)
    net = net_for(d=5, k=3, dtype="float64")
    expected = [np.sqrt((dW ** 2).sum() + (db ** 2).sum()) for dW, db in net.gradients(X, y)]
    ev = run(net, TrainConfig(optimizer="bgd", lr=0.3, epochs=1, probe_every=1, val_fraction=0), X, y)
    assert np.allclose(ev[0].grad_norms, expected)


def test_bad_settings_and_data_are_clear_errors():
    X, y = blobs(n=50)
    with pytest.raises(SpecError, match="learning rate"):
        Trainer(net_for(), TrainConfig(lr=-1), X, y)
    with pytest.raises(SpecError, match="epochs"):
        TrainConfig(epochs=0).validate()
    with pytest.raises(SpecError, match="optimizer"):
        TrainConfig(optimizer="lbfgs").validate()
    with pytest.raises(DataError, match="50 samples but 49"):
        Trainer(net_for(), TrainConfig(), X, y[:49])
    with pytest.raises(DataError, match="outside"):
        Trainer(net_for(k=3), TrainConfig(), X, y)
    trainer = Trainer(net_for(), TrainConfig(val_fraction=0, epochs=1), X, y)
    trainer.set_batch_size(10 ** 9)                      # more than the data: one batch of everything
    assert [e.n_batches for e in trainer.run() if isinstance(e, BatchStats)] == [1]


def test_stratified_split_keeps_class_shares():
    y = np.repeat(np.arange(4), [100, 50, 30, 20])
    X = np.arange(200)[:, None]
    Xtr, ytr, Xva, yva = stratified_split(X, y, 0.2, seed=0)
    assert np.bincount(yva).tolist() == [20, 10, 6, 4]
    assert sorted(np.concatenate([Xtr[:, 0], Xva[:, 0]]).tolist()) == list(range(200))
    again = stratified_split(X, y, 0.2, seed=0)
    assert np.array_equal(again[2], Xva)


@pytest.mark.parametrize("opt,batch", [("momentum", 32), ("sgd", 1), ("adam", 32)])
def test_no_allocation_in_the_steady_state(opt, batch):
    X, y = blobs(n=20000, d=64, k=10)
    trainer = Trainer(net_for(d=64, k=10, hidden=128), TrainConfig(optimizer=opt, epochs=10, batch_size=batch,
                                                                   val_fraction=0, probe_every=10 ** 6), X, y)
    gen = trainer.run()
    for _ in range(20):
        next(gen)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for _ in range(200):
            next(gen)
        after = tracemalloc.take_snapshot()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    grown = sum(s.size_diff for s in after.compare_to(before, "filename") if "engine" in str(s.traceback))
    assert grown < 2_000
    assert peak < 64 * 1024           # a batch's arrays are 32 x 128 float32 = 16 KB: none is made per batch


def test_trainer_momentum_with_decay_and_schedule_follows_the_formula():
    # whole-set batches make every step deterministic: compare with the formula on net.gradients
    X, y = blobs(n=50, d=5, k=3)
    net = net_for(d=5, k=3, dtype="float64")
    ref = net.copy()
    cfg = TrainConfig(optimizer="momentum", lr=0.2, momentum=0.8, batch_size=50, epochs=3, weight_decay=0.01,
                      schedule="step", step_size=1, gamma=0.5, val_fraction=0)
    run(net, cfg, X, y)
    v = np.zeros(ref.n_params)
    for epoch in (1, 2, 3):
        g = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in ref.gradients(X, y)]) + 0.01 * ref.params
        v = 0.8 * v + g
        ref.params[...] -= 0.2 * 0.5 ** (epoch - 1) * v
    assert np.allclose(net.params, ref.params, rtol=1e-10, atol=1e-12)


def test_augmented_training_is_seeded_and_prefetch_matches_augmenting_in_order():
    """The prefetch thread augments batch n+1 while batch n trains; results equal doing it in order."""
    from engine.data.augment import Augmenter

    rng = np.random.default_rng(3)
    X = rng.random((96, 784)).astype(np.float32)
    y = np.arange(96) % 10
    spec = {"input_size": 784, "layers": [{"units": 16, "activation": "relu"},
                                          {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 1}
    cfg = TrainConfig(optimizer="minibatch", lr=0.1, batch_size=32, epochs=2, val_fraction=0, augment=True, seed=5)
    runs = []
    for _ in range(2):
        net = Network.from_spec(spec)
        fit(net, cfg, X, y)
        runs.append(net.params.copy())
    assert np.array_equal(runs[0], runs[1])

    class Recording:                       # the augmenter sees every batch once, in training order
        def __init__(self):
            self.inner, self.seen = Augmenter(seed=5), []

        def __call__(self, xb, r):
            self.seen.append(xb.copy())
            return self.inner(xb, r)

    rec = Recording()
    net = Network.from_spec(spec)
    fit(net, cfg, X, y, augmenter=rec)
    assert [len(b) for b in rec.seen] == [32, 32, 32] * 2
    perm = np.random.default_rng(5).permutation(96)
    assert np.array_equal(rec.seen[0], X[perm[:32]])


@pytest.mark.parametrize("whole", [True, False])
def test_a_batch_size_raised_to_the_whole_set_mid_epoch_trains_on(whole):
    """The app's live batch size reaches the trainer between two batches: 2147483647 typed in the middle of an
    epoch used to leave the rest of the epoch without gather buffers (a None batch reached matmul)."""
    rng = np.random.default_rng(0)
    X = rng.random((140, 1)).astype(np.float32)
    Y = np.sin(3 * X).astype(np.float32)
    net = Network.from_spec({"input_size": 1, "layers": [{"units": 16, "activation": "tanh"},
                                                         {"units": 1, "activation": "sigmoid"}], "loss": "mse"})
    trainer = Trainer(net, TrainConfig(optimizer="adam", lr=0.01, epochs=3, batch_size=16, val_fraction=0.0), X, Y,
                      task="regression")
    events = []
    for event in trainer.run():
        events.append(event)
        if len(events) == 4:                              # batch 4 of the first epoch
            trainer.set_batch_size(2147483647 if whole else 139)
    done = events[-1]
    assert done.reason == "completed" and [e.epoch for e in events if type(e).__name__ == "EpochStats"] == [1, 2, 3]
    assert np.all(np.isfinite(net.params))


def test_a_diverging_network_warns_nobody():
    """inf and nan from a blown-up network are the divergence check's business: NumPy prints no RuntimeWarning
    (the random clicker saw 'overflow encountered in matmul' on stderr from the playground's map of such a net)."""
    import warnings
    from engine.step import make_step_optimizer, take_step
    X, y = blobs(n=200)
    net = net_for()
    net.params[:] = 1e30                                    # every weight far past float32's range once multiplied
    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # any warning fails the test
        out = net.forward(X)
        assert not np.all(np.isfinite(out))
        net.loss(X, y)
        net.gradients(X[:8], y[:8])
        cfg = TrainConfig(optimizer="adam", lr=0.1, epochs=1, batch_size=32, val_fraction=0)
        take_step(net, make_step_optimizer(net, cfg), X, y, lr=0.1)
        events = list(Trainer(net_for(), TrainConfig(optimizer="sgd", lr=1e6, epochs=2, batch_size=8,
                                                     val_fraction=0), X, y).run())
    assert events[-1].reason == "diverged"
