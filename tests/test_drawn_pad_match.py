"""Pen-drawn digits replayed with the mouse on the Draw tab's own pad: the 28x28 image the tab hands the
network (and the app's model) is the canvas's rasterisation + preprocessing, and reads like the engine's
NumPy rendering of the same strokes, digit for digit."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.widgets.draw_canvas import rasterize
from app.widgets.stroke_replay import draw_strokes
from engine.drawn import render_digit
from engine.preprocess import preprocess_digit
from test_draw_tab import one_blas_thread, tab  # noqa: F401  (fixtures)
from test_drawn_canvas_match import eval_digits  # noqa: F401  (120 digits by unseen writers)


def replay_on_pad(qtbot, tab, strokes, fill=0.6):
    """Clear with the button, then draw the strokes with the mouse inside the pad's square, whole pixels."""
    qtbot.mouseClick(tab.clear_button, Qt.LeftButton)
    sq = tab.canvas._square()
    draw_strokes(tab.canvas, strokes, fill, (sq.x(), sq.y(), sq.width()))
    qtbot.waitUntil(lambda: tab.image is not None and not tab._timer.isActive(), timeout=2000)
    return tab.image


def test_the_pad_gives_the_canvas_rasterisation_and_the_engine_image(qtbot, tab, eval_digits, digit_net):
    tab.state.set_network(digit_net)
    diffs, same_guess = [], 0
    for d in eval_digits[:30]:
        image = replay_on_pad(qtbot, tab, d.strokes)
        assert len(tab.canvas.strokes()) == len(d.strokes)
        np.testing.assert_array_equal(image, preprocess_digit(rasterize(tab.canvas.strokes())))
        np.testing.assert_array_equal(tab.state.drawn_digit, image)              # the model's drawn digit
        np.testing.assert_array_equal(tab.input_view.array, image)               # "what it sees"
        engine = render_digit(d.strokes)
        diffs.append(np.abs(image - engine).max())
        shown = tab.findChild(QLabel, "predictionLabel").text()
        assert shown == str(digit_net.predict(image.reshape(1, -1))[0])
        same_guess += shown == str(digit_net.predict(engine.reshape(1, -1))[0])
    diffs = np.array(diffs)
    # QPainter's anti-aliasing and whole-pixel mouse positions against exact coverage: a few grey levels
    assert diffs.max() < 0.15 and diffs.mean() < 0.08
    assert same_guess >= 29
