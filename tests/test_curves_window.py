"""The curves inside the real window: live epoch points at batch 1, plot sizes at 1280x800."""
import dataclasses

import pytest
from PySide6.QtCore import Qt

from helpers_app import make_window


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return make_window(qtbot, tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def small_digits():
    """300 training digits: an epoch at batch 1 lasts a fraction of a second."""
    from engine.data import load_dataset
    ds = load_dataset("sample")
    return dataclasses.replace(ds, x_train=ds.x_train[:300], y_train=ds.y_train[:300], x_test=ds.x_test[:200],
                               y_test=ds.y_test[:200])


def drawn(curve) -> int:
    x, _ = curve.getOriginalDataset()
    return 0 if x is None else len(x)


def test_epoch_points_reach_the_accuracy_plot_while_training_at_batch_1(qtbot, window, small_digits):
    st = window.state
    st.set_dataset("sample", small_digits)
    for k, v in dict(optimizer="minibatch", lr=0.01, batch_size=1, epochs=500, augment=False,
                     schedule="constant").items():
        st.set_setting(k, v)
    with qtbot.waitSignal(window.session.epochStats, timeout=30000):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    run = window.curves.current
    qtbot.waitUntil(lambda: run.train_acc.getOriginalDataset()[0] is not None, timeout=1000)
    assert window.session.is_running()                                   # drawn while training goes on
    x, acc = run.train_acc.getOriginalDataset()
    assert x[0] == 1 and 0 <= acc[0] <= 100
    seen = run.ex.n
    qtbot.waitUntil(lambda: run.ex.n > seen, timeout=30000)
    qtbot.waitUntil(lambda: drawn(run.val_acc) > seen, timeout=1000)
    assert window.session.is_running()
    window.session.stop()


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_both_plots_get_a_usable_size_with_every_run_listed(qtbot, window, size):
    from app.widgets.curves import MAX_SHOWN
    from app.run_label import run_label
    window.resize(*size)
    for k in range(MAX_SHOWN):
        window.curves.begin_run(run_label(window.state.spec, window.state.settings), augment=True)
        window.curves.set_epochs(40)
    qtbot.waitUntil(lambda: window.curves.legend.height() >= window.curves.legend.heightForWidth(
        window.curves.legend.width()) - 1, timeout=1000)
    assert len(window.curves.legend.entries) == MAX_SHOWN
    for plot in (window.curves.loss_plot, window.curves.accuracy_plot):
        assert plot.isVisible() and plot.height() >= 200 and plot.width() >= 250, (plot.objectName(), plot.size())
    legend, box = window.curves.legend, window.curves.legend_box
    assert legend.height() >= legend.heightForWidth(legend.width()) - 1          # the whole text laid out
    assert box.height() <= 3 * legend.fontMetrics().lineSpacing() + 1             # three lines in sight,
    assert box.verticalScrollBar().maximum() >= legend.height() - box.viewport().height() - 1   # the rest a scroll


def test_an_augmented_run_says_why_training_accuracy_sits_below_validation(qtbot, window, small_digits):
    st = window.state
    st.set_dataset("sample", small_digits)
    for augment in (False, True):
        for k, v in dict(optimizer="adam", lr=0.003, batch_size=64, epochs=1, augment=augment).items():
            st.set_setting(k, v)
        with qtbot.waitSignal(window.session.finished, timeout=30000):
            qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: not window.session.is_running(), timeout=5000)
        text = window.curves.legend.text()
        assert ("distorted by augmentation" in text) == augment
        assert ("Run 2: augmented</span>" in text) == augment          # named by it, and said once
        assert "augmented · augmented" not in text


def test_a_perceptron_run_is_labelled_a_perceptron(qtbot, window, small_digits):
    st = window.state
    st.set_dataset("sample", small_digits)
    qtbot.mouseClick(window.editor.rows[0].remove, Qt.LeftButton)          # no hidden layer left
    assert [layer["units"] for layer in st.spec["layers"]] == [10]
    st.set_setting("epochs", 1)
    with qtbot.waitSignal(window.session.finished, timeout=30000):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert window.curves.current.label.startswith("Run 1: perceptron 784-10, ")
    assert "perceptron 784-10" in window.curves.legend.text()
