"""Forward pass panel beside the Look inside diagram: hovering neurons explains them without moving the digit,
and the explanation goes when the mouse leaves the neurons."""
import pytest
from PySide6.QtCore import QPoint, QRect

from helpers_app import inside_window


@pytest.fixture
def inside(qtbot, tmp_path, monkeypatch, mnist_sample, digit_net):
    _, tab = inside_window(qtbot, tmp_path, monkeypatch, mnist_sample, digit_net)
    qtbot.waitUntil(lambda: tab.forward.trace is not None)
    return tab


def _where(widget, root) -> QRect:
    return QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())


def test_hovering_neurons_never_moves_the_digit_and_leaving_clears_the_details(qtbot, inside):
    forward, diagram = inside.forward, inside.diagram
    hint = forward.details.text()
    image_at = _where(forward.image, inside)
    cols, _ = diagram._layout()
    pixel = int(cols[0][0][3])
    qtbot.mouseMove(diagram, diagram.neuronPoint(0, pixel).toPoint())
    qtbot.waitUntil(lambda: f"Input {pixel}" in forward.details.text())
    assert _where(forward.image, inside) == image_at
    hidden = int(cols[1][0][5])
    qtbot.mouseMove(diagram, diagram.neuronPoint(1, hidden).toPoint())
    qtbot.waitUntil(lambda: f"neuron {hidden}" in forward.details.text())
    assert "weighted sum z" in forward.details.text() and "output a = f(z)" in forward.details.text()
    assert _where(forward.image, inside) == image_at
    qtbot.mouseMove(diagram, QPoint(diagram.width() // 2, 8))         # off the neurons, still on the diagram
    qtbot.waitUntil(lambda: forward.details.text() == hint)
    assert _where(forward.image, inside) == image_at
    qtbot.mouseMove(diagram, diagram.neuronPoint(0, pixel).toPoint())
    qtbot.waitUntil(lambda: f"Input {pixel}" in forward.details.text())
    diagram.leaveEvent(None)                                          # the mouse leaves the diagram
    assert forward.details.text() == hint and "Input" not in forward.details.text()
    assert _where(forward.image, inside) == image_at
