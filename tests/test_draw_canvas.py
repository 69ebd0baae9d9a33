"""The drawing pad widget driven with real mouse and key events; its QPainter rendering vs the engine's."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.widgets.draw_canvas import DrawCanvas, rasterize
from engine.preprocess import preprocess_digit, render_strokes, stroke_layout
from helpers_app import show_widget


def drag(qtbot, widget, points):
    """Press at the first point, move with the left button held through the rest, release at the last."""
    pts = [QPoint(int(x), int(y)) for x, y in points]
    qtbot.mousePress(widget, Qt.LeftButton, pos=pts[0])
    for p in pts[1:]:
        # QTest's mouseMove carries no buttons: send a real MouseMove with the left button held
        ev = QMouseEvent(QEvent.MouseMove, QPointF(p), widget.mapToGlobal(QPointF(p)), Qt.NoButton,
                         Qt.LeftButton, Qt.NoModifier)
        QApplication.sendEvent(widget, ev)
    qtbot.mouseRelease(widget, Qt.LeftButton, pos=pts[-1])


@pytest.fixture
def canvas(qtbot):
    return show_widget(qtbot, DrawCanvas(), (300, 300))


def test_canvas_is_square_and_at_least_280px_with_stable_name(canvas):
    assert canvas.objectName() == "drawCanvas" and canvas.accessibleName() == "drawCanvas"
    assert canvas.minimumWidth() >= 280 and canvas.minimumHeight() >= 280
    assert canvas.heightForWidth(400) == 400


def test_mouse_strokes_are_recorded_in_unit_coordinates(qtbot, canvas):
    with qtbot.waitSignal(canvas.strokesChanged):
        drag(qtbot, canvas, [(150, 30 + 12 * i) for i in range(21)])
    drag(qtbot, canvas, [(60, 60), (240, 60)])
    strokes = canvas.strokes()
    assert len(strokes) == 2
    np.testing.assert_allclose(strokes[0][0], [0.5, 0.1], atol=0.01)
    np.testing.assert_allclose(strokes[0][-1], [0.5, 0.9], atol=0.01)
    assert len(strokes[0]) == 21
    # moving without the button held draws nothing
    qtbot.mouseMove(canvas, QPoint(10, 10))
    assert sum(len(s) for s in canvas.strokes()) == 23


def test_undo_with_ctrl_z_and_clear_with_delete_key(qtbot, canvas):
    drag(qtbot, canvas, [(50, 50), (100, 100)])
    drag(qtbot, canvas, [(200, 50), (200, 250)])
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Z, Qt.ControlModifier)
    assert len(canvas.strokes()) == 1
    np.testing.assert_allclose(canvas.strokes()[0][0], [50 / 300, 50 / 300], atol=0.01)
    drag(qtbot, canvas, [(200, 50), (200, 250)])
    qtbot.keyClick(canvas, Qt.Key_Delete)
    assert canvas.is_empty()


def test_drawing_survives_resize(qtbot, canvas):
    drag(qtbot, canvas, [(150, 50), (150, 250)])
    before = canvas.strokes()
    canvas.resize(600, 600)
    np.testing.assert_allclose(canvas.strokes()[0], before[0])
    canvas.grab()                                    # paints at the new size without error


def test_tap_draws_a_dot(qtbot, canvas):
    qtbot.mouseClick(canvas, Qt.LeftButton, pos=QPoint(100, 100))
    assert len(canvas.strokes()) == 1
    img = rasterize(canvas.strokes())
    assert img is not None and img.max() > 0.9


def test_qpainter_rendering_matches_the_engine_reference(qapp):
    seven = [np.array([[0.2, 0.2], [0.8, 0.2], [0.45, 0.9]]), np.array([[0.35, 0.55], [0.7, 0.55]])]
    a = rasterize(seven)
    b = render_strokes(seven, stroke_layout(seven))
    assert a.shape == b.shape
    assert np.abs(a - b).mean() < 0.01
    np.testing.assert_allclose(a.sum(), b.sum(), rtol=0.02)
    pa, pb = preprocess_digit(a), preprocess_digit(b)
    assert np.abs(pa - pb).max() < 0.05
    assert rasterize([]) is None


def test_pen_tablet_strokes(qtbot, canvas):
    from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
    pen = QPointingDevice("pen", 1, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                          QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 3)

    def tablet(kind, x, y, buttons):
        p = QPointF(x, y)
        return QTabletEvent(kind, pen, p, canvas.mapToGlobal(p), 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, Qt.NoModifier,
                            Qt.LeftButton, buttons)

    for ev in (tablet(QEvent.TabletPress, 150, 30, Qt.LeftButton), tablet(QEvent.TabletMove, 150, 150, Qt.LeftButton),
               tablet(QEvent.TabletMove, 150, 270, Qt.LeftButton), tablet(QEvent.TabletRelease, 150, 270, Qt.NoButton)):
        QApplication.sendEvent(canvas, ev)
    np.testing.assert_allclose(canvas.strokes()[0], [[0.5, 0.1], [0.5, 0.5], [0.5, 0.9]], atol=0.01)
