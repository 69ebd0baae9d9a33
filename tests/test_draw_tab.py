"""The Draw tab driven like a user: draw with the mouse, read the prediction, teach, fine-tune, load a model."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from app.handwriting import PersonalDigits
from app.runs import Runs
from app.session import TrainingSession
from app.controls import Controls
from app.state import AppState
from app.widgets.draw_tab import DrawTab
from test_draw_canvas import drag

@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: with the other core busy, 2-thread OpenBLAS spin-waits and runs 10x slower."""
    with threadpool_limits(1):
        yield


@pytest.fixture
def trained_net(digit_net):
    return digit_net


@pytest.fixture
def tab(qtbot, tmp_path, mnist_sample):
    state = AppState()
    state.set_dataset("sample", mnist_sample)
    session = TrainingSession()
    t = DrawTab(state, Runs(state, session), Controls(state), digits=PersonalDigits(tmp_path / "hw"))
    qtbot.addWidget(t, before_close_func=lambda _: session.shutdown(10000))
    t.resize(1000, 640)
    t.show()
    qtbot.waitExposed(t)
    return t


def canvas_points(tab, unit_points):
    """Unit-square points -> canvas widget pixels (the pad is the centred square)."""
    sq = tab.canvas._square()
    return [(sq.x() + x * sq.width(), sq.y() + y * sq.height()) for x, y in unit_points]


def draw_one(qtbot, tab):
    drag(qtbot, tab.canvas, canvas_points(tab, [(0.52, 0.15 + 0.035 * i) for i in range(21)]))


def draw_zero(qtbot, tab):
    t = np.linspace(0, 2 * np.pi, 48)
    drag(qtbot, tab.canvas, canvas_points(tab, np.c_[0.5 + 0.22 * np.sin(t), 0.5 - 0.32 * np.cos(t)]))


def prediction(qtbot, tab):
    qtbot.wait(60)                                     # the live prediction fires <= 40 ms after a change
    return tab.findChild(type(tab.guess.prediction_label), "predictionLabel").text()


def test_without_a_model_it_says_so_and_shows_the_input_but_no_guess(qtbot, tab):
    assert tab.banner.isVisible() and "No trained network" in tab.banner_text.text()
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == ""
    assert tab.input_view.array is not None and tab.input_view.array.shape == (28, 28)
    assert tab.chart.probabilities is None


def test_drawn_one_and_zero_are_recognised(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    assert not tab.banner.isVisible()
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "1"
    p = tab.chart.probabilities
    assert p.shape == (10,) and abs(p.sum() - 1) < 1e-4 and p.argmax() == 1
    qtbot.mouseClick(tab.findChild(type(tab.clear_button), "clearCanvasButton"), Qt.LeftButton)
    assert prediction(qtbot, tab) == "" and tab.chart.probabilities is None and tab.input_view.array is None
    draw_zero(qtbot, tab)
    assert prediction(qtbot, tab) == "0"


def test_live_prediction_follows_the_pen_while_drawing(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    sq = tab.canvas._square()
    x = int(sq.x() + 0.52 * sq.width())
    qtbot.mousePress(tab.canvas, Qt.LeftButton, pos=QPoint(x, int(sq.y() + 0.15 * sq.height())))
    from test_draw_canvas import QApplication, QEvent, QMouseEvent, QPointF
    for i in range(1, 21):
        p = QPointF(x, sq.y() + (0.15 + 0.035 * i) * sq.height())
        QApplication.sendEvent(tab.canvas, QMouseEvent(QEvent.MouseMove, p, tab.canvas.mapToGlobal(p),
                                                       Qt.NoButton, Qt.LeftButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: tab.guess.prediction_label.text() == "1", timeout=500)   # before the button is released
    qtbot.mouseRelease(tab.canvas, Qt.LeftButton, pos=QPoint(x, int(sq.y() + 0.85 * sq.height())))


def test_undo_and_delete_keys_in_the_tab(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    draw_zero(qtbot, tab)
    draw_one(qtbot, tab)
    qtbot.keyClick(tab.canvas, Qt.Key_Z, Qt.ControlModifier)
    assert len(tab.canvas.strokes()) == 1
    assert prediction(qtbot, tab) == "0"
    qtbot.keyClick(tab.canvas, Qt.Key_Delete)
    assert tab.canvas.is_empty() and prediction(qtbot, tab) == ""


def test_show_steps_displays_crop_scale_and_centre(qtbot, tab):
    assert not tab.steps_panel.isVisible()
    draw_zero(qtbot, tab)
    qtbot.mouseClick(tab.steps_box, Qt.LeftButton, pos=QPoint(5, tab.steps_box.height() // 2))
    assert tab.steps_panel.isVisible()
    prediction(qtbot, tab)
    crop, scaled, centred = (tab.step_views[k].array for k in ("crop", "scaled", "centred"))
    assert max(scaled.shape) == 20 and centred.shape == (28, 28) and crop.shape[0] > 28
    np.testing.assert_array_equal(centred, tab.input_view.array)


def test_teach_and_fine_tune_round_trip_in_the_gui(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    draw_zero(qtbot, tab)
    prediction(qtbot, tab)
    drawn = tab.image.copy()
    label = 6 if trained_net.predict(drawn.reshape(1, -1))[0] != 6 else 8     # "it is really a 6" (say)
    qtbot.mouseClick(tab.findChild(type(tab.clear_button), f"teachDigit{label}"), Qt.LeftButton)
    assert len(tab.teacher.digits) == 1 and tab.canvas.is_empty()
    assert PersonalDigits(tab.teacher.digits.folder).labels.tolist() == [label]
    for shift in (-0.04, 0.04):                        # a few more of the same "handwriting"
        t = np.linspace(0, 2 * np.pi, 48)
        drag(qtbot, tab.canvas, canvas_points(tab, np.c_[0.5 + shift + 0.22 * np.sin(t),
                                                         0.5 - 0.32 * np.cos(t)]))
        prediction(qtbot, tab)
        qtbot.mouseClick(tab.teacher.digit_buttons[label], Qt.LeftButton)
    assert len(tab.teacher.digits) == 3 and tab.teacher.finetune_button.isEnabled()
    session = tab.runs.session
    with qtbot.waitSignal(tab.teacher.checked, timeout=60_000):
        qtbot.mouseClick(tab.teacher.finetune_button, Qt.LeftButton)
        assert session.is_running() and not tab.teacher.finetune_button.isEnabled()    # a run of the one session
    assert tab.teacher._fine_tune is None and tab.teacher.finetune_button.isEnabled()
    assert tab.network is not trained_net and tab.state.network is tab.network and tab.state.trained
    x_mine, y_mine = tab.teacher.digits.as_training()
    assert (tab.network.predict(x_mine) == y_mine).all()
    assert "3 of your 3" in tab.status.text()


def test_load_model_from_file_and_damaged_file_message(qtbot, tab, trained_net, tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    trained_net.save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    qtbot.mouseClick(tab.load_button, Qt.LeftButton)
    assert tab.state.network is tab.network and tab.network is not None and not tab.banner.isVisible()
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "1"

    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"this is not a model")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    before = tab.state.network
    qtbot.mouseClick(tab.load_button, Qt.LeftButton)
    assert shown and "bad.npz" in shown[0]
    assert tab.state.network is before


def test_browse_export_and_clear_the_personal_set(qtbot, tab, tmp_path, monkeypatch):
    from app.widgets.handwriting_browser import HandwritingBrowser
    for d in (4, 2, 4):
        draw_zero(qtbot, tab)
        prediction(qtbot, tab)
        qtbot.mouseClick(tab.teacher.digit_buttons[d], Qt.LeftButton)
    browser = HandwritingBrowser(tab.teacher.digits, tab)
    qtbot.addWidget(browser)
    assert browser.grid.count() == 3 and [browser.grid.item(i).text() for i in range(3)] == ["4", "2", "4"]
    assert "2: 1  4: 2" in browser.summary.text()
    browser.grid.item(1).setSelected(True)
    qtbot.mouseClick(browser.delete_button, Qt.LeftButton)
    assert browser.grid.count() == 2 and PersonalDigits(tab.teacher.digits.folder).labels.tolist() == [4, 4]

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "export"))
    qtbot.mouseClick(tab.teacher.export_button, Qt.LeftButton)
    assert PersonalDigits(tmp_path / "export").labels.tolist() == [4, 4]

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)
    qtbot.mouseClick(tab.teacher.clear_digits_button, Qt.LeftButton)
    assert len(tab.teacher.digits) == 0 and not tab.teacher.digits.image_path.exists()
    assert "0 digits" in tab.teacher.digits_label.text() and not tab.teacher.export_button.isEnabled()


def test_in_the_main_window_train_button_opens_build_and_train(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path))
    from app.main_window import MainWindow
    w = MainWindow()
    qtbot.addWidget(w)
    names = [w.tabs.tabText(i) for i in range(w.tabs.count())]
    w.tabs.setCurrentIndex(names.index("Draw"))
    draw = w.tabs.currentWidget()
    assert isinstance(draw, DrawTab) and draw.state is w.state
    qtbot.mouseClick(draw.train_button, Qt.LeftButton)
    assert "train" in w.tabs.tabText(w.tabs.currentIndex()).lower()


def test_a_network_arriving_while_hidden_is_used_when_the_tab_shows_again(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    draw_zero(qtbot, tab)
    prediction(qtbot, tab)
    before = tab.chart.probabilities.copy()
    tab.hide()
    other = trained_net.copy()
    other.layers[-1].b = other.layers[-1].b + np.where(np.arange(10) == 7, 50.0, 0.0)   # now it always says 7
    tab.state.set_network(other)
    qtbot.wait(60)
    np.testing.assert_array_equal(tab.chart.probabilities, before)    # hidden: no work while weights stream in
    tab.show()
    qtbot.waitExposed(tab)
    assert tab.guess.prediction_label.text() == "7"
    np.testing.assert_allclose(tab.chart.probabilities, other.predict_proba(tab.image.reshape(1, -1))[0])


def test_while_shown_a_new_network_repredicts_without_redoing_the_drawing(qtbot, tab, trained_net, monkeypatch):
    tab.state.set_network(trained_net)
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "1"
    import app.widgets.draw_tab as draw_tab_module
    calls = []
    monkeypatch.setattr(draw_tab_module, "preprocess_digit", lambda *a, **k: calls.append(1))
    other = trained_net.copy()
    other.layers[-1].b = other.layers[-1].b + np.where(np.arange(10) == 4, 50.0, 0.0)
    tab.state.set_network(other)
    assert prediction(qtbot, tab) == "4" and calls == []              # same drawing: only the network ran


def test_fine_tuning_is_a_run_of_the_one_session_so_hold_and_stop_apply(qtbot, tab, trained_net):
    tab.state.set_network(trained_net)
    for d in (3, 5):
        draw_zero(qtbot, tab)
        prediction(qtbot, tab)
        qtbot.mouseClick(tab.teacher.digit_buttons[d], Qt.LeftButton)
    session, chunks = tab.runs.session, []
    session.batchChunk.connect(chunks.append)
    assert tab.teacher.start_fine_tune(epochs=500)
    assert session.is_running() and session.run.kind == "fine-tune" and tab.state.results is None
    assert not tab.teacher.start_fine_tune()                                    # one run at a time
    qtbot.waitUntil(lambda: session._control.trainer is not None and len(chunks) > 0, timeout=20000)
    session.hold(400)
    assert session._control.trainer.paused                              # a tab switch holds it like any run
    ends = []
    session.finished.connect(ends.append)
    with qtbot.waitSignal(tab.teacher.checked, timeout=10000):        # measured even when stopped early
        session.stop()
    assert ends[0].reason == "stopped" and tab.teacher._fine_tune is None
    assert "of your 2 digits" in tab.status.text() and "stopped" in tab.status.text().lower()
    assert tab.state.network is tab.network and tab.teacher.finetune_button.isEnabled()
