"""The coach: each hint fires on a run that shows its pattern (built by hand, and by real short trainings on the
bundled digits where that is cheap), states its numbers, and stays silent on healthy runs; fixes apply cleanly."""
import dataclasses
import math

import numpy as np
import pytest

from engine import BatchStats, EpochStats, Finished, Network, TrainConfig, Trainer
from engine.errors import DataError
from engine.coach import Hint, UnitProbe, apply, hints, probe_units
from engine.presets import preset

SPEC = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}


def spec_with(act, units=128):
    return {**SPEC, "layers": [{"units": units, "activation": act}, SPEC["layers"][1]]}


def history(train, val=None, val_acc=None, train_acc=None, lr=0.05):
    n = len(train)
    val = val or [None] * n
    return [{"epoch": e + 1, "epochs": n, "train_loss": train[e], "train_accuracy": (train_acc or [0.9] * n)[e],
             "val_loss": val[e], "val_accuracy": (val_acc or [0.9 if val[e] is not None else None] * n)[e],
             "lr": lr, "seconds": 0.1, "elapsed": 0.1 * (e + 1), "is_best": False} for e in range(n)]


def first_batch(loss, n_batches=71):
    return BatchStats(1, 1, n_batches, loss, 0.1, 0.05, 0.01, 64)


def keys(found):
    return [h.key for h in found]


HEALTHY = history([0.59, 0.26, 0.18, 0.13, 0.09], val=[0.38, 0.34, 0.32, 0.29, 0.26],
                  val_acc=[0.88, 0.9, 0.91, 0.92, 0.93])


# --- silence -----------------------------------------------------------------------------------------------------
def test_silent_on_a_healthy_constructed_run():
    probes = [first_batch(2.33), BatchStats(5, 50, 71, 0.1, 0.97, 0.05, 1.0, 3200, [0.1, 0.2], [14]),
              UnitProbe(5, [16], [0], 256)]
    for running in (True, False):
        assert hints(HEALTHY, probes, TrainConfig(), 10, running, spec=SPEC, test_accuracy=0.93) == []


def train(data, spec=SPEC, epochs_hints=False, **cfg_kw):
    """A real run on the sample: (history, probes, cfg, finished, test accuracy, hints seen at each epoch end)."""
    net, cfg = Network(spec), TrainConfig(**cfg_kw)
    probes, fin, during, epochs = [], None, [], []
    for ev in Trainer(net, cfg, data.x_train, data.y_train).run():
        if isinstance(ev, BatchStats) and (ev.grad_norms is not None or (ev.epoch, ev.batch) == (1, 1)):
            probes.append(ev)
        elif isinstance(ev, EpochStats):
            probes.append(probe_units(net, data.x_train, ev.epoch))
            epochs.append(ev)
            if epochs_hints:
                during.append(hints(epochs, probes, cfg, 10, True, spec=spec))
        elif isinstance(ev, Finished):
            fin = ev
    acc = float(np.mean(net.predict(data.x_test) == data.y_test))
    return fin.history, probes, cfg, fin, acc, during


def final_hints(data, spec=SPEC, **kw):
    hist, probes, cfg, fin, acc, _ = train(data, spec, **kw)
    return hints(hist, probes, cfg, 10, False, spec=spec, finished=fin, test_accuracy=acc)


def test_silent_on_a_short_real_run_of_the_app_settings(mnist_sample):
    assert final_hints(mnist_sample, optimizer="adam", lr=0.003, epochs=3) == []


@pytest.mark.slow
def test_silent_on_the_default_run_at_every_epoch_and_at_the_end(mnist_sample):
    cfg = dataclasses.asdict(preset("app_digits"))
    hist, probes, cfg, fin, acc, during = train(mnist_sample, epochs_hints=True, **cfg)
    assert acc > 0.95 and len(during) == 40 and all(found == [] for found in during)
    assert hints(hist, probes, cfg, 10, False, spec=SPEC, finished=fin, test_accuracy=acc) == []


# --- divergence and jumps ------------------------------------------------------------------------------------------
def test_diverged_constructed_and_real(mnist_sample):
    fin = Finished("diverged", "Training diverged at epoch 3, batch 7: the loss became NaN.", 2,
                   history([0.5, 0.4]))
    (h,) = [h for h in hints(fin.history, [], TrainConfig(lr=2.0), 10, False, finished=fin) if h.key == "diverged"]
    assert h.action == "lower_lr" and h.fix == {"lr": pytest.approx(0.2)} and "epoch 3, batch 7" in h.evidence
    found = final_hints(mnist_sample, spec=spec_with("relu", 16), lr=1e3, epochs=2)
    assert keys(found)[0] == "diverged" and found[0].fix["lr"] == pytest.approx(100)


def test_jump_names_where_the_loss_rose():
    (h,) = hints(history([0.5, 0.3, 0.9]), [], TrainConfig(lr=0.3), 10, False)
    assert h.key == "lr_jump" and h.fix == {"lr": pytest.approx(0.1)}
    assert "from 0.3 (epoch 2) to 0.9 (epoch 3), 3.0 times higher" in h.evidence
    (h,) = hints(history([56.2, 32.6, 24.2]), [first_batch(2.36)], TrainConfig(lr=1.0), 10, False)
    assert "from 2.36 (the first batch) to 56.2 (epoch 1)" in h.evidence
    assert hints(history([0.5, 0.3, 0.44]), [], TrainConfig(), 10, False) == []       # 1.47x: under 1.5x


def test_jump_under_a_schedule_names_the_rate_its_fix_divides():
    """Cosine decay had taken lr 5 to 1.25: the evidence named 1.25 while the button offered 1.67 (= 5 / 3)."""
    (h,) = hints(history([0.5, 0.3, 0.9], lr=1.25), [], TrainConfig(lr=5.0, schedule="cosine"), 10, False)
    assert h.fix == {"lr": pytest.approx(5 / 3)} and "Lower the learning rate to 1.67" == h.button
    assert "at a learning rate of 5 (the schedule's 1.25 by then)" in h.evidence


# --- a loss that does not fall -------------------------------------------------------------------------------------
def test_flat_loss_at_a_low_rate_says_raise_it():
    (h,) = hints(history([2.30, 2.299, 2.298], lr=1e-5), [], TrainConfig(lr=1e-5), 10, False)
    assert (h.key, h.action, h.fix) == ("loss_flat", "raise_lr", {"lr": pytest.approx(1e-4)})
    assert "from 2.3 (epoch 1) to 2.298 (epoch 3), 0.1 % lower" in h.evidence


def test_flat_loss_that_goes_up_on_the_way_or_at_a_high_rate_says_lower_it():
    (h,) = hints(history([2.08, 1.98, 2.03, 2.06]), [], TrainConfig(lr=0.05), 10, False)
    assert (h.key, h.action) == ("loss_flat", "lower_lr") and "going up on the way" in h.evidence
    (h,) = hints(history([2.30, 2.25, 2.2]), [], TrainConfig(lr=1.0), 10, False)
    assert (h.action, h.fix) == ("lower_lr", {"lr": pytest.approx(0.1)})


def test_flat_loss_waits_for_enough_epochs_while_running():
    assert hints(history([2.30, 2.299]), [], TrainConfig(lr=1e-5), 10, True) == []
    assert keys(hints(history([2.30, 2.299]), [], TrainConfig(lr=1e-5), 10, False)) == ["loss_flat"]


def test_real_run_at_1e_minus_7_does_not_fall_and_stays_at_chance(mnist_sample):
    found = final_hints(mnist_sample, lr=1e-7, epochs=3)
    assert keys(found) == ["loss_flat", "chance"]
    assert found[0].action == "raise_lr" and found[1].action == "find_lr"


def test_batch_gd_with_a_steadily_falling_loss_needs_more_epochs(mnist_sample):
    train_loss = [2.389, 2.328, 2.272, 2.22, 2.172]
    probes = [first_batch(2.389, n_batches=1)]
    (h,) = hints(history(train_loss), probes, TrainConfig(optimizer="bgd", epochs=5), 10, False)
    assert (h.key, h.fix) == ("more_epochs", {"epochs": 50})
    assert "5 epochs were 5 steps" in h.evidence and "9.1 % lower" in h.evidence
    assert hints(history(train_loss), probes, TrainConfig(optimizer="bgd", epochs=50), 10, True) == []
    found = final_hints(mnist_sample, optimizer="bgd", lr=0.05, epochs=5)
    assert keys(found) == ["more_epochs"]


# --- chance level ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("acc, fires", [(0.10, True), (0.1499, True), (0.1501, False), (0.9, False)])
def test_chance_level_is_one_over_k_plus_the_margin(acc, fires):
    found = hints(HEALTHY, [], TrainConfig(), 10, False, test_accuracy=acc)
    assert keys(found) == (["chance"] if fires else [])
    if fires:
        assert f"Test accuracy is {100 * acc:.1f} %" in found[0].evidence and "10 classes gets 10 %" in found[0].evidence


def test_chance_reads_validation_then_training_accuracy_and_names_a_high_rate():
    h = history([0.7, 0.69, 0.69], val=[0.7, 0.69, 0.69], val_acc=[0.5, 0.52, 0.51])
    (found,) = [x for x in hints(h, [], TrainConfig(optimizer="adam", lr=0.5), 2, False) if x.key == "chance"]
    assert "Validation accuracy is 51.0 %" in found.evidence and found.fix == {"lr": pytest.approx(0.05)}
    h = history([0.6, 0.5, 0.4], train_acc=[0.3, 0.3, 0.3])
    (found,) = hints(h, [], TrainConfig(), 3, False)
    assert "Training accuracy is 30.0 %" in found.evidence


# --- units -------------------------------------------------------------------------------------------------------------
def probe(epoch, dead, batch=50):
    return BatchStats(epoch, batch, 71, 0.2, 0.9, 0.05, 1.0, 64 * batch, [0.1, 0.1], dead)


def test_dead_relu_counts_the_fewest_dead_over_the_last_epochs_probes():
    probes = [probe(1, [100]), probe(2, [80]), probe(2, [90], batch=100)]
    (h,) = hints(HEALTHY, probes, TrainConfig(), 10, False, spec=SPEC)
    assert (h.key, h.action, h.fix) == ("dead_relu", "use_leaky_relu", {"hidden_activation": "leaky_relu"})
    assert h.evidence.startswith("62 % of hidden-1 units (80 of 128) gave 0 for every sample of each probe batch")
    assert hints(HEALTHY, [probe(2, [64]), probe(2, [100])], TrainConfig(), 10, False, spec=SPEC) == []
    assert hints(HEALTHY, probes, TrainConfig(), 10, False, spec=spec_with("leaky_relu")) == []


def test_probes_of_a_network_with_fewer_layers_are_no_evidence():
    # the spec changed after the run (a layer added): its probes hold no count for the new layer
    two = {**SPEC, "layers": [{"units": 128, "activation": "relu"}, *SPEC["layers"]]}
    assert [h.key for h in hints(HEALTHY, [probe(2, [])], TrainConfig(), 10, False, spec=two)] == []


def test_real_run_at_a_high_rate_kills_most_relu_units(mnist_sample):
    found = final_hints(mnist_sample, lr=0.5, epochs=3)
    (h,) = [h for h in found if h.key == "dead_relu"]
    share = int(h.evidence.split(" %")[0])
    assert share > 50 and h.fix == {"lr": pytest.approx(0.05)}


def test_probe_units_counts_dead_and_saturated_units_by_their_definition():
    spec = {"input_size": 4, "layers": [{"units": 6, "activation": "sigmoid"}, {"units": 5, "activation": "relu"},
                                        {"units": 3, "activation": "softmax"}], "loss": "cross_entropy"}
    net = Network(spec)
    X = np.random.default_rng(1).uniform(0.5, 1.0, size=(300, 4)).astype(np.float32)
    net.layers[0].W[:, :4] = 10.0             # z >= 20: sigma'(z) ~ 2e-9, far below 5 % of its peak 0.25
    net.layers[1].W[:, :2] = -1.0             # inputs in (0, 1): z < 0 for every sample, so output 0
    net.layers[1].b[:2] = -0.5
    p = probe_units(net, X, epoch=4, n=256)
    a1 = 1 / (1 + np.exp(-(X[:256].astype(np.float64) @ net.layers[0].W + net.layers[0].b)))
    expect_sat = int(np.sum(np.mean(a1 * (1 - a1) < 0.05 * 0.25, axis=0) >= 0.9))
    a2 = np.maximum(a1 @ net.layers[1].W + net.layers[1].b, 0)
    expect_dead = int(np.sum(~a2.any(axis=0)))
    assert p == UnitProbe(4, [0, expect_dead], [expect_sat, 0], 256) and expect_sat >= 4 and expect_dead >= 2
    with pytest.raises(DataError, match="no samples"):
        probe_units(net, X[:0])


def test_saturated_units_fire_constructed_and_real(mnist_sample):
    spec = spec_with("sigmoid")
    (h,) = hints(HEALTHY, [UnitProbe(5, [0], [100], 256)], TrainConfig(), 10, False, spec=spec)
    assert (h.key, h.fix) == ("saturated", {"hidden_activation": "relu"})
    assert h.evidence.startswith("78 % of hidden-1 sigmoid units (100 of 128)")
    assert hints(HEALTHY, [UnitProbe(5, [0], [60], 256)], TrainConfig(), 10, False, spec=spec) == []
    found = final_hints(mnist_sample, spec=spec_with("tanh"), lr=1.0, epochs=3)
    assert "saturated" in keys(found)
    assert final_hints(mnist_sample, spec=spec, optimizer="adam", lr=0.003, epochs=2) == []


# --- overfitting ---------------------------------------------------------------------------------------------------------
OVERFIT = history([0.6, 0.3, 0.2, 0.1, 0.05, 0.02], val=[0.5, 0.3, 0.25, 0.27, 0.29, 0.31])


def test_overfitting_offers_early_stopping_then_augmentation_then_fewer_epochs():
    (h,) = hints(OVERFIT, [], TrainConfig(), 10, True, spec=SPEC)
    assert (h.key, h.fix) == ("overfitting", {"patience": 3})
    assert "rose from 0.25 (epoch 3) to 0.31 (epoch 6) while training loss fell from 0.2 to 0.02" in h.evidence
    (h,) = hints(OVERFIT, [], TrainConfig(patience=5), 10, False, spec=SPEC)
    assert h.fix == {"augment": True}
    (h,) = hints(OVERFIT, [], TrainConfig(patience=5, augment=True), 10, False, spec=SPEC)
    assert (h.action, h.fix) == ("fewer_epochs", {"epochs": 3})


def test_overfitting_on_points_offers_their_augmentation_too():
    points = {"input_size": 2, "layers": [{"units": 64, "activation": "relu"}, {"units": 2, "activation": "softmax"}],
              "loss": "cross_entropy"}
    (h,) = hints(OVERFIT, [], TrainConfig(patience=5), 10, False, spec=points)
    assert h.fix == {"augment": True} and "every training point" in h.evidence and "digit" not in h.evidence


def test_overfitting_needs_a_rise_held_for_epochs_and_a_falling_training_loss():
    two_after = history([0.6, 0.3, 0.2, 0.1, 0.05], val=[0.5, 0.3, 0.25, 0.27, 0.29])
    train_flat = history([0.6, 0.3, 0.2, 0.2, 0.19, 0.19], val=[0.5, 0.3, 0.25, 0.27, 0.29, 0.31])
    for h in (two_after, train_flat):
        assert hints(h, [], TrainConfig(), 10, False, spec=SPEC) == []


# --- fixes -----------------------------------------------------------------------------------------------------------------
def test_apply_returns_new_settings_and_leaves_the_inputs():
    cfg = TrainConfig(lr=0.5, min_lr=0.1)
    spec = spec_with("leaky_relu")
    spec["layers"][0].update(alpha=0.1, init="he_normal")
    new_spec, new_cfg = apply(Hint("x", "t", "e", "b", "lower_lr", {"lr": 0.05}), spec, cfg)
    assert (new_cfg.lr, new_cfg.min_lr, cfg.lr) == (0.05, 0.05, 0.5) and new_spec == spec
    new_spec, new_cfg = apply(Hint("x", "t", "e", "b", "use_relu", {"hidden_activation": "relu"}), spec, cfg)
    assert new_spec["layers"][0] == {"units": 128, "activation": "relu"} and spec["layers"][0]["alpha"] == 0.1
    assert new_spec["layers"][1]["activation"] == "softmax" and new_cfg == cfg
    _, as_dict = apply(Hint("x", "t", "e", "b", "early_stopping", {"patience": 3}), None, {"lr": 0.1})
    assert as_dict == {"lr": 0.1, "patience": 3}


def test_every_fix_of_every_pattern_is_a_valid_setting():
    runs = [(OVERFIT, [], {}), (history([0.5, 0.3, 0.9]), [], {}), (history([2.3, 2.29, 2.29], lr=1e-6), [],
            {"lr": 1e-6, "min_lr": 1e-7}), (HEALTHY, [probe(5, [100])], {}), (HEALTHY, [], {"optimizer": "bgd"})]
    for hist, probes, kw in runs:
        for h in hints(hist, probes, TrainConfig(**kw), 10, False, spec=SPEC, test_accuracy=0.1):
            new_spec, new_cfg = apply(h, SPEC, TrainConfig(**kw))
            assert new_cfg.validate() is new_cfg and math.isfinite(new_cfg.lr) and h.button and h.evidence


def test_a_divergence_before_any_epoch_ended_says_the_run_went_back_to_its_start():
    """The weights go back to the last epoch that ended with a sound loss; in the first epoch there is none, and
    the hint must not claim one."""
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 6)).astype(np.float32), rng.integers(0, 3, 64)
    net = Network.from_spec({"input_size": 6, "layers": [{"units": 8, "activation": "relu"},
                                                         {"units": 3, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    start = net.params.copy()
    cfg = TrainConfig(optimizer="sgd", lr=1e6, epochs=3, val_fraction=0.0)
    fin = list(Trainer(net, cfg, X, y).run())[-1]
    assert fin.reason == "diverged" and fin.restored_epoch == 0 and np.array_equal(net.params, start)
    (hint,) = [h for h in hints(fin.history, [], cfg, 3, False, finished=fin) if h.key == "diverged"]
    assert "went back to where this run started" in hint.evidence and "last good epoch" not in hint.evidence
