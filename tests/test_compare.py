"""Fair comparisons: variants differ in exactly the setting compared, start from bit-identical weights (or the same
seed when the initialiser changes), see the training rows in the same order, and their results rows match
their histories."""
import numpy as np
import pytest

from engine import BatchStats, EpochStats, Finished, Network, TrainConfig
from engine.compare import (Comparison, VariantDone, curve_axes, run_record, same_start, scores, steps_per_epoch,
                            varied, variants)
from engine.errors import SpecError

SPEC = {"input_size": 12, "layers": [{"units": 8, "activation": "relu"}, {"units": 6, "activation": "relu"},
                                     {"units": 3, "activation": "softmax"}], "loss": "cross_entropy", "seed": 7}
CFG = TrainConfig(optimizer="momentum", lr=0.05, batch_size=16, epochs=2, val_fraction=0.1, seed=3)


def blobs(n=150, d=12, k=3, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    return (rng.normal(size=(k, d))[y] * 2 + rng.normal(size=(n, d))).astype(np.float32), y


def differences(a, b) -> set:
    return {k for k in a if a[k] != b[k]}


@pytest.mark.parametrize("setting, values, field", [
    ("optimizer", ["sgd", "bgd", "minibatch"], "optimizer"), ("lr", [0.01, 0.1, 1.0], "lr"),
    ("batch_size", [8, 32], "batch_size")])
def test_training_settings_change_only_that_field(setting, values, field):
    vs = variants(SPEC, CFG, setting, values)
    assert [getattr(v.cfg, field) for v in vs] == values
    for v in vs:
        assert v.spec == Network(SPEC).spec and differences(v.cfg.to_dict(), CFG.to_dict()) <= {field}
    assert vs[0].label in ("SGD", "0.01", "8")


def test_labels_come_from_the_registries():
    assert [v.label for v in variants(SPEC, CFG, "optimizer", ["sgd", "bgd", "minibatch"])] == \
        ["SGD", "batch GD", "mini-batch GD"]
    assert [v.label for v in variants(SPEC, CFG, "activation", ["sigmoid", "relu"])] == ["Sigmoid", "ReLU"]


@pytest.mark.parametrize("setting, values, said", [
    ("optimizer", ["sgd", "bgd", "minibatch"], "optimizer (SGD, batch GD, mini-batch GD)"),
    ("activation", ["sigmoid", "relu"], "hidden activation (Sigmoid, ReLU)"),
    ("lr", [0.0003, 0.003], "learning rate (0.0003, 0.003)"), ("batch_size", [16, 64], "batch size (16, 64)")])
def test_what_a_comparison_varied_names_the_setting_and_its_values(setting, values, said):
    assert varied(setting, variants(SPEC, CFG, setting, values)) == said


def test_activation_changes_every_hidden_layer_and_nothing_else():
    spec = {**SPEC, "layers": [{"units": 8, "activation": "leaky_relu", "alpha": 0.2}] + SPEC["layers"][1:]}
    vs = variants(spec, CFG, "activation", ["sigmoid", "tanh", "relu", "leaky_relu"])
    for v, act in zip(vs, ["sigmoid", "tanh", "relu", "leaky_relu"]):
        assert [l["activation"] for l in v.spec["layers"]] == [act, act, "softmax"] and v.cfg == CFG
        assert v.spec["seed"] == 7 and [l["units"] for l in v.spec["layers"]] == [8, 6, 3]


def test_same_initialiser_means_bit_identical_initial_weights():
    for setting, values in [("optimizer", ["sgd", "bgd", "minibatch"]), ("lr", [0.01, 1.0]),
                            ("batch_size", [8, 64]), ("loss", ["cross_entropy", "l1", "mse"]),
                            ("activation", ["relu", "leaky_relu"]), ("activation", ["sigmoid", "tanh"])]:
        vs = variants(SPEC, CFG, setting, values)
        first = Network(vs[0].spec).params
        for v in vs[1:]:
            assert same_start(vs[0].spec, v.spec)
            assert Network(v.spec).params.tobytes() == first.tobytes(), (setting, values)


def test_a_changed_initialiser_keeps_the_seed_same_draws_scaled():
    relu, sigmoid = variants(SPEC, CFG, "activation", ["relu", "sigmoid"])
    assert not same_start(relu.spec, sigmoid.spec)
    a, b = Network(relu.spec), Network(sigmoid.spec)
    for la, lb in zip(a.layers[:-1], b.layers[:-1]):             # U(-r, r): the same draws, each rule's own r
        r_he, r_xavier = np.sqrt(6 / la.fan_in), np.sqrt(6 / (la.fan_in + la.units))
        assert np.allclose(la.W / r_he, lb.W / r_xavier, atol=1e-6)
        assert not np.allclose(la.W, lb.W)
    assert a.layers[-1].W.tobytes() == b.layers[-1].W.tobytes()   # softmax output: Xavier in both


def rows_seen(monkeypatch, v, X, y):
    """The input rows of every training step of a real run, per epoch, spied on the forward pass."""
    seen, epoch = [], [0]
    real = Network.forward_trace

    def spy(self, Xb, ws=None, dropout=None):
        if ws is not None:                                      # training passes use a workspace; evaluation not
            seen[-1].append(np.array(Xb, copy=True))
        return real(self, Xb, ws, dropout)

    monkeypatch.setattr(Network, "forward_trace", spy)
    trainer_events = Comparison([v], X, y).run()
    seen.append([])
    for _, event in trainer_events:
        if isinstance(event, EpochStats):
            seen.append([])
    monkeypatch.setattr(Network, "forward_trace", real)
    return [np.concatenate(rows) for rows in seen if rows]


@pytest.mark.parametrize("setting, values", [("optimizer", ["sgd", "bgd", "minibatch"]),
                                             ("activation", ["sigmoid", "relu"]), ("batch_size", [5, 32])])
def test_every_variant_sees_the_same_rows_in_the_same_order(monkeypatch, setting, values):
    X, y = blobs()
    orders = [rows_seen(monkeypatch, v, X, y) for v in variants(SPEC, CFG, setting, values)]
    assert len(orders[0]) == 2 and len(orders[0][0]) == 135        # 2 epochs of the 90 % training split
    assert not np.array_equal(orders[0][0], orders[0][1])          # each epoch reshuffles ...
    for other in orders[1:]:                                        # ... the same way for every variant
        assert all(a.tobytes() == b.tobytes() for a, b in zip(orders[0], other))


def test_results_rows_match_each_runs_history():
    X, y = blobs()
    Xt, yt = blobs(n=60, seed=1)
    vs = variants(SPEC, CFG, "optimizer", ["sgd", "bgd", "minibatch"])
    events, done = {0: [], 1: [], 2: []}, []
    for i, event in Comparison(vs, X, y, Xt, yt, setting="optimizer").run():
        (done if isinstance(event, VariantDone) else events[i]).append(event)
    assert [d.index for d in done] == [0, 1, 2]
    for d, v in zip(done, vs):
        fin = events[d.index][-1]
        last = fin.history[-1]
        batches = sum(isinstance(e, BatchStats) for e in events[d.index])
        r = d.record
        assert (r["label"], r["optimizer"], r["outcome"]) == (v.label, v.cfg.optimizer, "completed")
        assert r["setting"] == "optimizer (SGD, batch GD, mini-batch GD)"     # what varied, with its values
        for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
            assert r[key] == last[key]
        assert r["epochs"] == 2 and r["seconds"] == last["elapsed"]
        assert r["steps"] == batches == 2 * steps_per_epoch(v.cfg, 135)
        assert (r["test_loss"], r["test_accuracy"]) == scores(d.net, Xt, yt)
        assert r["test_accuracy"] == np.mean(d.net.predict(Xt) == yt)
    assert [d.record["steps"] for d in done] == [270, 2, 18] and [d.record["batch_size"] for d in done] == [1, 135, 16]


def test_stop_ends_the_current_run_and_skips_the_rest():
    X, y = blobs()
    comparison = Comparison(variants(SPEC, CFG, "lr", [0.01, 0.1]), X, y)
    seen = []
    for i, event in comparison.run():
        seen.append((i, type(event).__name__))
        if isinstance(event, BatchStats):
            comparison.stop()
    assert {i for i, _ in seen} == {0} and seen[-2:] == [(0, "Finished"), (0, "VariantDone")]


def test_curve_axes_and_records_of_any_run():
    hist = [{"epoch": 1, "elapsed": 0.5, "train_loss": 1.0}, {"epoch": 2, "elapsed": 1.1, "train_loss": 0.5}]
    assert curve_axes(hist, TrainConfig(optimizer="bgd"), 1000) == {"epochs": [1, 2], "steps": [1, 2],
                                                                   "seconds": [0.5, 1.1]}
    assert curve_axes(hist, TrainConfig(optimizer="sgd"), 1000)["steps"] == [1000, 2000]
    assert curve_axes(hist, TrainConfig(batch_size=64), 1000)["steps"] == [16, 32]
    r = run_record(hist, TrainConfig(batch_size=64), 1000, label="mine", finished=Finished("stopped", "", 2, hist))
    assert (r["epochs"], r["steps"], r["outcome"], r["train_loss"], r["val_loss"]) == (2, 32, "stopped", 0.5, None)


@pytest.mark.parametrize("setting, values, words", [
    ("momentum", [0.5, 0.9], "Cannot compare"), ("lr", [0.1], "2 to 4"), ("lr", [1, 2, 3, 4, 5], "2 to 4"),
    ("lr", [0.1, 0.1], "repeats"), ("lr", [0.1, -1], "learning rate"), ("optimizer", ["sgd", "lbfgs"], "Unknown"),
    ("activation", ["relu", "softmax"], "hidden activation"), ("loss", ["l1", "hinge"], "Unknown loss"),
    ("batch_size", [8, 0], "batch size")])
def test_bad_comparisons_are_a_sentence(setting, values, words):
    with pytest.raises(SpecError, match=words):
        variants(SPEC, CFG, setting, values)


def test_batch_size_needs_a_mini_batch_optimizer_and_activation_a_hidden_layer():
    with pytest.raises(SpecError, match="fixes its own batch size"):
        variants(SPEC, TrainConfig(optimizer="sgd"), "batch_size", [8, 16])
    perceptron = {"input_size": 4, "layers": [{"units": 2, "activation": "softmax"}], "loss": "cross_entropy"}
    with pytest.raises(SpecError, match="no hidden layer"):
        variants(perceptron, CFG, "activation", ["relu", "tanh"])


def test_loss_variants_set_the_output_the_loss_needs():
    sig = {**SPEC, "layers": SPEC["layers"][:2] + [{"units": 1, "activation": "sigmoid"}],
           "loss": "binary_cross_entropy"}
    bce, l1 = variants(sig, CFG, "loss", ["binary_cross_entropy", "l1"])
    assert l1.spec["layers"][-1]["activation"] == "sigmoid" and l1.spec["loss"] == "l1"
    ce, mse = variants(SPEC, CFG, "loss", ["cross_entropy", "mse"])
    assert (ce.label, mse.label) == ("Cross-entropy", "Mean squared error (MSE)")


def test_scores_are_the_networks_loss_and_accuracy_in_any_chunks_and_stop_between_them():
    """One forward pass per chunk gives the network's own mean loss and accuracy whatever the chunk size; and a
    caller can stop between chunks (a window closing while a 20M-weight network is scored on its test set)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(203, 6)).astype(np.float32), rng.integers(0, 3, 203)
    net = Network.from_spec({"input_size": 6, "layers": [{"units": 5, "activation": "tanh"},
                                                         {"units": 3, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 1})
    exact = (net.loss(X, y), float(np.mean(net.predict(X) == y)))
    for chunk in (None, 1, 50, 203, 1000):
        assert scores(net, X, y, chunk=chunk) == pytest.approx(exact, rel=1e-5)
    asked = []
    assert scores(net, X, y, chunk=50, stop=lambda: asked.append(1) or len(asked) > 2) == (None, None)
    assert len(asked) == 3                                     # two chunks scored, then it stopped
