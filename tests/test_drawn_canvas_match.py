"""Pen-drawn digits replayed as mouse strokes on the real drawing pad read like the engine's NumPy rendering."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.widgets.draw_canvas import DrawCanvas, rasterize
from engine.data.pendigits import load_pendigits
from engine.drawn import bundled_pendigits, render_digit, split_writers
from engine.preprocess import preprocess_digit

SIDE = 300


@pytest.fixture(scope="module")
def eval_digits():
    _, chosen = split_writers(load_pendigits(bundled_pendigits()))
    rng = np.random.default_rng(0)
    return [chosen[i] for i in rng.choice(len(chosen), 120, replace=False)]


@pytest.fixture
def canvas(qtbot):
    c = DrawCanvas()
    qtbot.addWidget(c)
    c.resize(SIDE, SIDE)
    c.show()
    qtbot.waitExposed(c)
    return c


def _mouse(canvas, kind, x, y, button, buttons):
    p = QPointF(float(x), float(y))
    QApplication.sendEvent(canvas, QMouseEvent(kind, p, canvas.mapToGlobal(p), button, buttons, Qt.NoModifier))


def replay(canvas, strokes, fill=0.6):
    """Draw the strokes with the mouse: scaled to `fill` of the pad, centred, at whole-pixel positions."""
    pts = np.concatenate(strokes)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    s = fill * SIDE / max(hi - lo)
    canvas.clear()
    for stroke in strokes:
        q = np.round((stroke - (lo + hi) / 2) * s + SIDE / 2)
        _mouse(canvas, QEvent.MouseButtonPress, *q[0], Qt.LeftButton, Qt.LeftButton)
        for x, y in q[1:]:
            _mouse(canvas, QEvent.MouseMove, x, y, Qt.NoButton, Qt.LeftButton)
        _mouse(canvas, QEvent.MouseButtonRelease, *q[-1], Qt.LeftButton, Qt.NoButton)
    return preprocess_digit(rasterize(canvas.strokes()))


def test_mouse_replay_records_every_stroke(canvas, eval_digits):
    d = eval_digits[0]
    replay(canvas, d.strokes)
    assert len(canvas.strokes()) == len(d.strokes)


def test_pad_and_engine_give_the_same_28x28_images(canvas, eval_digits):
    diffs = np.array([np.abs(replay(canvas, d.strokes) - render_digit(d.strokes)).max()
                      for d in eval_digits[:40]])
    # QPainter's anti-aliasing and whole-pixel mouse positions against exact coverage: a few grey levels
    assert diffs.max() < 0.15
    assert diffs.mean() < 0.08


def test_a_network_reads_pad_and_engine_images_alike(canvas, eval_digits, digit_net):
    pad = np.array([replay(canvas, d.strokes).ravel() for d in eval_digits])
    eng = np.array([render_digit(d.strokes).ravel() for d in eval_digits])
    labels = np.array([d.label for d in eval_digits])
    pad_pred, eng_pred = digit_net.predict(pad), digit_net.predict(eng)
    assert (pad_pred == eng_pred).mean() >= 0.97
    assert abs((pad_pred == labels).mean() - (eng_pred == labels).mean()) <= 0.02
