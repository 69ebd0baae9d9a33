"""Compare… driven like a student: the dialog, the runs on the session's worker from bit-identical weights and the
same data order, the results table of every run (rows = run_record of each history), sorting, CSV, a picked row's
curves, and the curves against epochs, optimizer steps and seconds."""
from __future__ import annotations

import csv

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.run_label import run_titles
from engine.compare import curve_axes, run_record, scores
from engine.network import Network
from helpers_tiny_run import SETTINGS, tiny_window

@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return tiny_window(qtbot, tmp_path, monkeypatch)


class Spy:
    """What the engine really trained on: each network's weights at its first training pass, and every row it saw."""

    def __init__(self, monkeypatch, X):
        self.nets, self.start, self.rows = [], [], []
        self.index = {row.tobytes(): i for i, row in enumerate(X)}
        real = Network.forward_trace

        def spy(net, Xb, ws=None, dropout=None):
            if ws is not None:                       # training passes use a workspace; evaluations do not
                if not any(n is net for n in self.nets):
                    self.nets.append(net)
                    self.start.append(net.params.copy())
                    self.rows.append([])
                i = next(k for k, n in enumerate(self.nets) if n is net)
                self.rows[i].extend(self.index[r.tobytes()] for r in np.asarray(Xb))
            return real(net, Xb, ws, dropout)
        monkeypatch.setattr(Network, "forward_trace", spy)


def compare(qtbot, w, setting, values, epochs=2):
    """Click Compare…, choose, click Run comparison, wait until every run has ended; the finished events."""
    qtbot.mouseClick(w.panel.compare_button, Qt.LeftButton)
    dialog = w.course_tools.compare_dialog
    assert dialog.isVisible()
    dialog.configure(setting, values, epochs)
    finished = []
    w.session.finished.connect(finished.append)
    with qtbot.waitSignal(w.session.compared, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    return finished


def table_rows(w):
    t = w.course_tools.results.table
    return [{t.horizontalHeaderItem(c).text().replace("\n", " "): t.item(r, c) for c in range(t.columnCount())}
            for r in range(t.rowCount())]


def test_compared_runs_start_from_identical_weights_and_see_the_same_rows(window, qtbot, monkeypatch):
    spy = Spy(monkeypatch, window.state.dataset.x_train)
    compare(qtbot, window, "optimizer", ["sgd", "bgd", "minibatch"])
    assert len(spy.nets) == 3
    for start in spy.start[1:]:
        assert start.tobytes() == spy.start[0].tobytes()
    n_fit = len(spy.rows[0]) // 2                                     # 2 epochs of the 80 % training split
    assert n_fit == 72 and spy.rows[0][:n_fit] != spy.rows[0][n_fit:]  # each epoch reshuffles ...
    assert spy.rows[1] == spy.rows[0] and spy.rows[2] == spy.rows[0]    # ... the same way in every variant
    assert [r["kind"] for r in window.state.runs] == ["compare"] * 3
    assert [r["settings"]["optimizer"] for r in window.state.runs] == ["sgd", "bgd", "minibatch"]
    assert window.state.network is None                               # the model's network is not a variant's


def test_the_results_table_is_each_runs_record_and_keeps_every_run(window, qtbot):
    finished = compare(qtbot, window, "lr", [0.01, 0.1, 1.0])
    with qtbot.waitSignal(window.state.resultsChanged, timeout=60000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)     # a plain run is listed too
    qtbot.waitUntil(lambda: window.state.runs[-1]["record"] is not None, timeout=10000)
    window.curves.clear()                                             # its curves leave the plots; the rows stay
    QApplication.processEvents()
    rows = table_rows(window)
    assert len(rows) == 4
    runs = window.state.runs
    for run, fin, row in zip(runs, finished, rows):
        cfg = window.state.config(**{k: v for k, v in run["settings"].items() if k in SETTINGS})
        want = run_record(fin.history, cfg, 72, finished=fin)
        for key, header in (("train_loss", "Train loss"), ("val_loss", "Val. loss"),
                            ("train_accuracy", "Train acc."), ("val_accuracy", "Val. acc."), ("epochs", "Epochs"),
                            ("steps", "Steps"), ("seconds", "Seconds"), ("outcome", "Outcome")):
            assert row[header].key == want[key], key
        assert row["Train loss"].text() == f"{want['train_loss']:.4f}"
        assert row["Val. acc."].text() == f"{100 * want['val_accuracy']:.2f} %"
    assert [row["Varied"].text() for row in rows[:3]] == ["learning rate (0.01, 0.1, 1)"] * 3
    assert rows[3]["Test acc."].key == window.state.results["test_accuracy"]


def test_test_scores_are_the_trained_networks(window, qtbot):
    nets = []
    window.session.recorded.connect(lambda rec: nets.append(rec))
    with qtbot.waitSignal(window.state.resultsChanged, timeout=60000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    ds = window.state.dataset
    loss, acc = scores(window.state.network, ds.x_test, ds.y_test)
    assert nets[0]["test_loss"] == loss and nets[0]["test_accuracy"] == acc == window.state.results["test_accuracy"]


def test_table_sorts_numbers_and_exports_csv(window, qtbot, tmp_path):
    compare(qtbot, window, "batch_size", [8, 32])
    table = window.course_tools.results.table
    col = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("Steps")
    qtbot.mouseClick(table.horizontalHeader().viewport(), Qt.LeftButton, pos=_header_point(table, col))
    steps = [table.item(r, col).key for r in range(table.rowCount())]
    assert steps in (sorted(steps), sorted(steps)[::-1]) and steps[0] != steps[1]
    qtbot.mouseClick(table.horizontalHeader().viewport(), Qt.LeftButton, pos=_header_point(table, col))
    assert [table.item(r, col).key for r in range(table.rowCount())] == steps[::-1]    # and back
    table.sortByColumn(0, Qt.AscendingOrder)
    path = tmp_path / "runs.csv"
    window.prompts.ask_save_path = lambda *a: str(path)
    qtbot.mouseClick(window.course_tools.results.export_button, Qt.LeftButton)
    got = list(csv.DictReader(path.open()))
    assert len(got) == 2
    for row, run, title in zip(got, window.state.runs, run_titles(window.state.runs)):
        rec = run["record"]
        assert row["label"] == title and int(row["steps"]) == rec["steps"]           # each run's whole line
        assert float(row["train_loss"]) == rec["train_loss"] and float(row["test_accuracy"]) == rec["test_accuracy"]
    assert [int(r["steps"]) for r in got] == [2 * 9, 2 * 3]          # ceil(72 / 8) and ceil(72 / 32) per epoch


def _header_point(table, col):
    from PySide6.QtCore import QPoint
    header = table.horizontalHeader()
    return QPoint(header.sectionViewportPosition(col) + header.sectionSize(col) // 2, header.height() // 2)


def test_a_picked_row_draws_its_curves_thicker_and_fades_the_others(window, qtbot):
    compare(qtbot, window, "activation", ["tanh", "relu"])
    table = window.course_tools.results.table
    rect = table.visualItemRect(table.item(1, 1))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    picked_id = table.item(1, 1).data(Qt.UserRole)
    for run in window.curves.runs:
        if run.key == picked_id:
            assert run.train_acc.opts["pen"].widthF() == 3 and run.train_acc.opacity() == 1.0
        else:
            assert run.train_acc.opacity() == pytest.approx(0.15)
    table.clearSelection()
    assert all(run.train_acc.opts["pen"].widthF() == 2 for run in window.curves.runs)


def test_curves_against_optimizer_steps_and_seconds(window, qtbot):
    finished = compare(qtbot, window, "optimizer", ["sgd", "bgd", "minibatch"])
    combo = window.curves.x_axis
    combo.setCurrentIndex(combo.findData("steps"))
    assert window.curves.loss_plot.getPlotItem().getAxis("bottom").labelText == "optimizer step"
    for run, fin, entry in zip(window.curves.runs, finished, window.state.runs):
        cfg = window.state.config(**{k: v for k, v in entry["settings"].items() if k in SETTINGS})
        axes = curve_axes(fin.history, cfg, 72)
        x, _ = run.train_loss.getOriginalDataset()
        assert list(x) == axes["steps"]
    assert [list(r.train_loss.getOriginalDataset()[0]) for r in window.curves.runs] == [[72, 144], [1, 2], [5, 10]]
    combo.setCurrentIndex(combo.findData("seconds"))
    for run, fin in zip(window.curves.runs, finished):
        assert list(run.train_loss.getOriginalDataset()[0]) == [h["elapsed"] for h in fin.history]
    combo.setCurrentIndex(combo.findData("epochs"))
    assert list(window.curves.runs[0].train_loss.getOriginalDataset()[0]) == [1, 2]


def test_the_dialog_says_why_it_refuses_a_choice(window, qtbot):
    qtbot.mouseClick(window.panel.compare_button, Qt.LeftButton)
    dialog = window.course_tools.compare_dialog
    dialog.configure("lr", [0.1])
    qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    assert dialog.isVisible() and "2 to 4 variants" in dialog.error.text()
    dialog.typed.setText("0.1, fast")
    qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    assert dialog.isVisible() and "'fast' is not a number" in dialog.error.text()
    assert not window.session.is_running() and window.state.runs == []


def test_stop_ends_the_comparison(window, qtbot):
    window.state.set_setting("epochs", 50_000)
    compare_started = []
    window.session.started.connect(lambda: compare_started.append(window.session.run.label))
    epochs = []
    window.session.epochStats.connect(epochs.append)
    qtbot.mouseClick(window.panel.compare_button, Qt.LeftButton)
    window.course_tools.compare_dialog.configure("lr", [0.01, 0.1, 0.05], epochs=50_000)    # far longer than the test
    qtbot.mouseClick(window.course_tools.compare_dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(epochs) > 0, timeout=20000)        # the first compared run is under way
    with qtbot.waitSignal(window.session.compared, timeout=20000) as got:
        qtbot.mouseClick(window.panel.stop_button, Qt.LeftButton)
    # a run that ends on its own (early) may let the next one begin; after Stop none does
    rows = [(r["label"], r["outcome"], r.get("epochs_run")) for r in got.args[0]]
    assert len(compare_started) < 3 and got.args[0][-1]["outcome"] == "stopped", (compare_started, rows)
    assert window.state.activity.idle


def test_a_pause_reaches_each_compared_runs_trainer_and_settings_stay_fixed():
    from app.session_jobs import Steer
    from engine.errors import SpecError

    class Trainer:
        paused = False

        def pause(self):
            self.paused = True

        def resume(self):
            self.paused = False

        def stop(self):
            pass

    class Job:
        trainer = None

        def stop(self):
            pass

    job = Job()
    steer = Steer(job, lambda: job.trainer)
    steer.pause()                                  # before the first run's trainer exists
    job.trainer = Trainer()
    steer.follow()
    assert job.trainer.paused
    steer.resume()
    assert not job.trainer.paused
    job.trainer = Trainer()
    steer.follow()
    assert not job.trainer.paused
    with pytest.raises(SpecError, match="keeps every setting fixed"):
        steer.set_lr(0.1)


def test_changing_the_rate_during_a_comparison_is_refused_with_a_sentence(window, qtbot):
    window.state.set_setting("epochs", 1000)
    qtbot.mouseClick(window.panel.compare_button, Qt.LeftButton)
    window.course_tools.compare_dialog.configure("lr", [0.01, 0.1], epochs=1000)
    qtbot.mouseClick(window.course_tools.compare_dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(window.session.is_running, timeout=20000)
    with qtbot.waitSignal(window.session.warning, timeout=5000) as said:
        window.session.set_lr(0.5)
    assert "keeps every setting fixed" in said.args[0]
    assert window.session.shutdown(10000) and not window.session.is_running()    # closing the window ends it
