"""install(window): the playground inside Build & train, reusing the window's one builder, training panel, session,
curves and network diagram.

The Digits | Playground switch and the playground's controls go on top of the left column. On the right, the
decision boundary and the perceptron view sit above the diagram, and the neuron maps beside it; in Digits mode
they are hidden (hidden views do no work). The views follow the model's network and data set.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QSplitter

from app.widgets.draw_tab import DrawTab
from app.widgets.inside.inside_tab import InsideTab
from app.widgets.playground.boundary import DecisionBoundary
from app.widgets.playground.controls import PlaygroundControls
from app.widgets.playground.image_only import ImageOnly
from app.widgets.playground.neuron_maps import NeuronMaps
from app.widgets.playground.perceptron_view import PerceptronView

DIAGRAM_MIN = (260, 110)      # in Playground mode the diagram of a small network gives room to the plane


def install(window) -> None:
    st = window.state
    pg = window.playground = PlaygroundControls(st, window.controls)
    pg.confirm_replace = lambda: window.document.confirm_replace()      # the document asks (made after this)
    window.editor.parentWidget().layout().insertWidget(0, pg)
    pg.boundary, pg.perceptron, pg.maps = DecisionBoundary(), PerceptronView(), NeuronMaps()
    right = window.diagram.parentWidget()
    pg.top = QSplitter(Qt.Horizontal)
    pg.top.addWidget(pg.boundary)
    pg.top.addWidget(pg.perceptron)
    pg.top.setSizes([520, 300])
    pg.middle = QSplitter(Qt.Horizontal)
    right.replaceWidget(right.indexOf(window.diagram), pg.middle)
    pg.middle.addWidget(window.diagram)
    pg.middle.addWidget(pg.maps)
    window.diagram.show()
    pg.diagram_min = window.diagram.minimumSize()
    right.insertWidget(0, pg.top)
    pg.top.setVisible(False)
    pg.maps.setVisible(False)
    _wire(window, pg)
    _image_pages(window, pg)


def _image_pages(window, pg) -> None:
    """The pages made for images say so while the data is points (the others work with two inputs)."""
    tabs = [window.tabs.widget(i) for i in range(window.tabs.count())]
    inside = next(t for t in tabs if isinstance(t, InsideTab))
    draw = next(t for t in tabs if isinstance(t, DrawTab))
    st = window.state
    pg.image_only = [
        ImageOnly(inside.first_layer, st, "This page", "each first-layer neuron's weights as a picture"),
        ImageOnly(inside.errors, st, "This page", "the test images the network gets wrong, and its confusions"),
        ImageOnly(draw, st, "The Draw tab", "what a digits network makes of a digit you draw"),
    ]


def _wire(window, pg) -> None:
    st = window.state
    views = (pg.boundary, pg.perceptron, pg.maps)
    for view in views:
        st.networkChanged.connect(view.set_network)
        st.datasetChanged.connect(view.set_dataset)
    pg.maps.neuronPicked.connect(pg.perceptron.pick)
    pg.boundary.pointHovered.connect(pg.perceptron.set_point)
    pg.perceptron.lineChanged.connect(pg.boundary.set_line)
    pg.modeChanged.connect(lambda on: _show(window, pg, on))
    # their frames are made with each weight snapshot on the training thread (nothing while they are hidden)
    window.session.snapshot_hooks["decisionBoundary"] = pg.boundary.on_snapshot
    window.session.snapshot_hooks["neuronMaps"] = pg.maps.on_snapshot
    # a regression has no accuracy: its curves are the loss (MSE) alone
    st.datasetChanged.connect(lambda ds: window.curves.accuracy_plot.setVisible(
        getattr(ds, "task", "classification") != "regression"))


def _show(window, pg, on: bool) -> None:
    """Playground mode: the plane above the diagram, the neuron maps beside it, the digit-set row hidden."""
    pg.top.setVisible(on)
    pg.maps.setVisible(on)
    if on:
        window.diagram.setMinimumSize(*DIAGRAM_MIN)
    else:
        window.diagram.setMinimumSize(pg.diagram_min)
    panel = window.panel
    for form in panel.findChildren(QFormLayout):
        if form.indexOf(panel.dataset) >= 0:
            form.setRowVisible(panel.dataset, not on)
    right = pg.top.parentWidget()
    if on:
        h = right.height()
        share = {pg.top: 0.42, pg.middle: 0.2, window.curves_box: 0.25}   # any other pane (Step's) gets the rest
        right.setSizes([int(h * share.get(right.widget(k), 0.13)) for k in range(right.count())])
        pg.middle.setSizes([int(pg.middle.width() * 0.6), int(pg.middle.width() * 0.4)])
