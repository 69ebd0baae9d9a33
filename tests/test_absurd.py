"""Absurd requests get a sentence, not a MemoryError, a freeze or a traceback: in the engine, the CLI and the app.

100,000 x 100,000 units would need 40 GB of weights: refused before any allocation (peak allocation measured).
A batch larger than the data set is clamped to the whole set, and the trainer says so (Trainer.notice).
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.errors import SpecError
from engine.network import Network
from engine.spec import validate_spec
from engine.training import TrainConfig, Trainer
from helpers_app import make_window
from helpers_fuzz import Peak

SMALL = 8 << 20          # bytes: refusing a request may cost a little bookkeeping, never the request itself


def spec_of(*hidden, input_size=784, out=10):
    return {"input_size": input_size, "layers": [*({"units": n, "activation": "relu"} for n in hidden),
                                                 {"units": out, "activation": "softmax"}], "loss": "cross_entropy"}


HUGE_SPECS = {"100k x 100k": spec_of(100_000, 100_000), "one layer of 10M": spec_of(10_000_000),
              "1M inputs x 1M": spec_of(1_000_000, input_size=1_000_000), "100 x 60k": spec_of(*[60_000] * 99),
              "too many layers": spec_of(*[4] * 200),
              "16 GB of workspace": spec_of(*[1_000_000, 1] * 8, input_size=1)}


@pytest.mark.parametrize("name", list(HUGE_SPECS))
def test_engine_refuses_huge_networks_before_allocating(name):
    with Peak() as peak, pytest.raises(SpecError) as info:
        Network.from_spec(HUGE_SPECS[name])
    message = str(info.value)
    assert "limit" in message and message.endswith(".")
    assert peak.bytes < SMALL, f"{peak.bytes / 2**20:.0f} MB allocated to refuse {name}"


@pytest.mark.parametrize("layer,why", [({"units": 0, "activation": "relu"}, "at least 1"),
                                       ({"units": -5, "activation": "relu"}, "at least 1"),
                                       ({"units": 2.5, "activation": "relu"}, "whole number"),
                                       ({"units": "many", "activation": "relu"}, "whole number"),
                                       ({"units": True, "activation": "relu"}, "whole number")])
def test_zero_negative_or_fractional_units(layer, why):
    with pytest.raises(SpecError, match=why):
        validate_spec({"input_size": 784, "layers": [layer, {"units": 10, "activation": "softmax"}],
                       "loss": "cross_entropy"})


@pytest.mark.parametrize("field,value,why", [
    ("epochs", 0, "epochs"), ("epochs", -3, "epochs"), ("epochs", 10**9, "limit"), ("epochs", 2.5, "epochs"),
    ("lr", -0.1, "learning rate"), ("lr", 0.0, "learning rate"), ("lr", math.nan, "learning rate"),
    ("lr", math.inf, "learning rate"), ("batch_size", 0, "batch size"), ("batch_size", -64, "batch size"),
    ("momentum", 1.0, "Momentum"), ("momentum", -0.5, "Momentum"), ("weight_decay", -1e-4, "Weight decay"),
    ("val_fraction", 1.0, "validation"), ("optimizer", "warp-drive", "optimizer")])
def test_absurd_training_settings_are_a_sentence(field, value, why):
    with pytest.raises(SpecError, match=why) as info:
        TrainConfig(**{field: value}).validate()
    assert str(info.value).endswith(".")


def _tiny(n=40, d=6, k=3):
    rng = np.random.default_rng(0)
    y = np.arange(n) % k
    return (rng.normal(size=(k, d))[y] + 0.3 * rng.normal(size=(n, d))).astype(np.float32), y


def test_batch_larger_than_the_data_set_is_clamped_with_a_notice():
    """Explicit behaviour: each step uses the whole set (batch GD), and the trainer says so in a sentence."""
    X, y = _tiny()
    spec = spec_of(5, input_size=6, out=3)
    big = Network.from_spec(spec)
    trainer = Trainer(big, TrainConfig(optimizer="minibatch", lr=0.1, batch_size=100_000, epochs=2,
                                       val_fraction=0.0), X, y)
    assert "100,000" in trainer.notice and "40 training samples" in trainer.notice
    batches = [e for e in trainer.run() if type(e).__name__ == "BatchStats"]
    assert [(b.epoch, b.batch, b.n_batches) for b in batches] == [(1, 1, 1), (2, 1, 1)]
    assert [b.samples for b in batches] == [40, 80]
    full = Network.from_spec(spec)             # the same steps as batch gradient descent
    for _ in Trainer(full, TrainConfig(optimizer="bgd", lr=0.1, epochs=2, val_fraction=0.0), X, y).run():
        pass
    np.testing.assert_allclose(big.params, full.params, rtol=1e-5, atol=1e-6)
    assert Trainer(Network.from_spec(spec), TrainConfig(batch_size=40, val_fraction=0.0), X, y).notice == ""


# ---- CLI: exit 2, one line ---------------------------------------------------------------------------------
@pytest.mark.parametrize("argv,why", [
    (["--layers", "100000,100000"], "limit"), (["--layers", "64,0"], "at least 1"), (["--epochs", "0"], "at least 1"),
    (["--lr", "-0.5"], "learning rate"), (["--lr", "nan"], "finite"), (["--batch-size", "0"], "at least 1"),
    (["--layers", "lots"], "layer sizes")])
def test_cli_refuses_absurd_requests_in_one_line(capsys, argv, why):
    from engine.cli import main
    with Peak() as peak:
        code = main(["train", *argv, "--quiet", "--threads", "1"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and why in err, err
    assert "Traceback" not in err
    assert peak.bytes < 300 << 20, f"{peak.bytes / 2**20:.0f} MB"   # the bundled sample is ~60 MB; 40 GB is not


# ---- the app: a message, no allocation, and the window still trains ------------------------------------------
@pytest.fixture
def window(tmp_path, monkeypatch, qtbot):
    return make_window(qtbot, tmp_path, monkeypatch)


def _type_units(qtbot, row, n: int):
    box = row.units
    box.selectAll()
    qtbot.keyClicks(box, str(n))
    qtbot.keyClick(box, Qt.Key_Return)


def test_app_refuses_100k_by_100k_with_a_message_and_no_allocation(window, qtbot):
    editor = window.editor
    qtbot.mouseClick(editor.add_button, Qt.LeftButton)
    assert len(editor.rows) == 2
    t = time.perf_counter()
    _type_units(qtbot, editor.rows[0], 100_000)
    _type_units(qtbot, editor.rows[1], 100_000)
    typing = time.perf_counter() - t
    assert [l["units"] for l in window.state.spec["layers"][:-1]] == [100_000, 100_000]
    assert editor.error.isVisible() and "limit" in editor.error.text()
    assert typing < 5, f"the editor took {typing:.1f} s to show a 200,000-neuron spec"
    start = window.panel.start_button
    assert not start.isEnabled() and "limit" in start.toolTip() and "parameters" in start.toolTip()
    with Peak() as peak:
        qtbot.mouseClick(start, Qt.LeftButton)                   # off: a click trains and allocates nothing
        window.start_training()                                  # nor does the menu's Start
    assert not window.session.is_running()
    assert peak.bytes < 64 << 20, f"{peak.bytes / 2**20:.0f} MB allocated to refuse"
    _type_units(qtbot, editor.rows[1], 16)                      # back to sense: training works
    _type_units(qtbot, editor.rows[0], 16)
    assert not editor.error.isVisible() and start.isEnabled()


@pytest.mark.parametrize("name,value,why", [("lr", -1.0, "learning rate"), ("epochs", 0, "epochs"),
                                            ("batch_size", 0, "batch size")])
def test_app_reports_absurd_settings_that_bypass_the_spin_boxes(window, qtbot, name, value, why):
    """A project or settings file may hold them; Start says why and trains nothing."""
    window.state.settings[name] = value                     # as a hand-edited file would, past the widgets
    qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert not window.session.is_running()
    assert why in window.panel.result.text().lower() or why in window.statusBar().currentMessage().lower()


def test_cli_batch_larger_than_the_data_set_trains_with_a_note(capsys, tmp_path):
    from engine.cli import main
    rng = np.random.default_rng(0)
    x, y = rng.random((60, 16)).astype(np.float32), np.arange(60) % 3
    np.savez(tmp_path / "d.npz", x_train=x, y_train=y, x_test=x[:9], y_test=y[:9])
    code = main(["train", "--dataset", str(tmp_path / "d.npz"), "--layers", "4", "--epochs", "1",
                 "--batch-size", "100000", "--quiet", "--threads", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "note: The batch size (100,000) is larger than the 60 training samples" in err


def test_app_says_so_when_the_batch_is_larger_than_the_data_set(window, qtbot):
    from engine.data.dataset import Dataset
    rng = np.random.default_rng(0)
    x, y = rng.random((60, 784)).astype(np.float32), np.arange(60) % 10
    window.state.set_dataset("tiny", Dataset("tiny", x, y, x[:20], y[:20]))
    for name, value in (("batch_size", 100_000), ("epochs", 1), ("augment", False), ("val_fraction", 0.0)):
        window.state.set_setting(name, value)
    with qtbot.waitSignal(window.session.warning, timeout=20000) as said:
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert "larger than the 60 training samples" in said.args[0]
    qtbot.waitUntil(lambda: not window.session.is_running(), timeout=20000)
