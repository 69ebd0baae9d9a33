"""Pen-drawn digits replayed as mouse strokes on the real drawing pad read like the engine's NumPy rendering."""
import numpy as np
import pytest

from app.widgets.draw_canvas import DrawCanvas
from app.widgets.stroke_replay import replay_strokes as replay
from engine.data.pendigits import load_pendigits
from engine.drawn import bundled_pendigits, render_digit, split_writers

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
