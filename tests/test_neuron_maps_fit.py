"""Every neuron's thumbnail fits the maps pane at its default size: with 2-16-16-2 at 1280x800 (the pane is
334x120) each layer's second row was cut off (thumbnails stopped shrinking at 18 px)."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage

from app.widgets.playground.neuron_maps import NeuronMaps


@pytest.mark.parametrize("size, layers", [((334, 120), [16, 16]), ((334, 120), [16, 16, 16]), ((260, 120), [16, 16]),
                                          ((500, 300), [8])])
def test_every_thumbnail_fits_the_pane(qtbot, size, layers):
    maps = NeuronMaps()
    qtbot.addWidget(maps)
    maps.resize(*size)
    maps.images = [[QImage(4, 4, QImage.Format_RGB888)] * n for n in layers]
    maps._layout()
    assert len(maps.rects) == sum(layers)
    pane = QRectF(maps.rect())
    for layer, unit, rect in maps.rects:
        assert pane.contains(rect), (layer, unit, rect)
    assert min(r.width() for _, _, r in maps.rects) >= 12          # still big enough to see a line
