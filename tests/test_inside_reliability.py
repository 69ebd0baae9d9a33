"""Look inside > Confidence (reliabilityDiagram) on the real window: the engine's reliability numbers for the
current network on the whole test set, drawn as bars with their counts, and the softmax sentence."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from engine.calibration import reliability
from helpers_app import inside_window


def test_the_diagram_shows_the_test_sets_reliability(qtbot, tmp_path, monkeypatch, mnist_sample, digit_net):
    w, inside = inside_window(qtbot, tmp_path, monkeypatch, mnist_sample, digit_net)
    view = w.findChild(QWidget, "reliabilityView")
    inside.pages.setCurrentWidget(view)
    assert view.plot is w.findChild(QWidget, "reliabilityDiagram")
    qtbot.waitUntil(lambda: view.result is not None, timeout=20000)
    expected = reliability(digit_net.predict_proba(mnist_sample.x_test), mnist_sample.y_test, 10)
    r = view.result
    assert r.counts.tolist() == expected.counts.tolist() and r.counts.sum() == len(mnist_sample.y_test)
    assert r.ece == pytest.approx(expected.ece, abs=1e-6)
    full = expected.counts > 0
    heights = view.bars.opts["height"]
    assert np.allclose(heights, expected.accuracy[full])
    shown = [item.textItem.toPlainText() for item in view.counts if item.isVisible()]
    assert shown == [f"{int(n):,}" for n in expected.counts[full]]
    assert f"Expected calibration error: {expected.ece:.1%}" in view.summary.text()
    assert "add up to 1" in view.findChildren(type(view.summary))[0].text()


def test_without_a_network_it_says_what_to_do(qtbot, tmp_path, monkeypatch, mnist_sample):
    w, inside = inside_window(qtbot, tmp_path, monkeypatch, mnist_sample, None)
    view = w.findChild(QWidget, "reliabilityView")
    inside.pages.setCurrentWidget(view)
    qtbot.wait(50)
    assert view.result is None and "Train or load a network" in view.summary.text()
