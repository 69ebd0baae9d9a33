"""InsideTab: the "Look inside" tab. Composes the views and feeds them from the app's model (AppState).

Nothing here polls the engine or keeps its own network: weights, the data set and the drawn digit come from the
model (while training, its network is the session's latest weight snapshot), gradient probes from the session's
batches. Views that cost real work redraw only while visible; a hidden tab catches up when shown.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from engine.errors import EngineError

from ..network_view import NetworkView
from .activation_functions import ActivationView
from .backprop_inspector import BackpropInspector
from .confusion import ErrorsView
from .first_layer_weights import FirstLayerWeightsView
from .forward_pass import ForwardPassPanel
from .gradient_health import GradientHealthPlot
from .layer_map import LayerMapView
from .reliability import ReliabilityView
from .weight_histograms import WeightHistogramsView


class InsideTab(QWidget):
    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.setObjectName("insideTab")
        self.state, self.session = state, session
        self.net = None                    # the model's network as last shown here
        self.dataset = None
        self._deferred = None              # (network, live) that arrived while the tab was hidden

        self.activations = ActivationView()
        self.diagram = NetworkView()
        self.diagram.setObjectName("insideNetworkDiagram")          # the Build tab owns "networkDiagram"
        self.diagram.setAccessibleName("insideNetworkDiagram")
        self.forward = ForwardPassPanel(self.diagram, drawn_digit=lambda: state.drawn_digit)
        self.backprop = BackpropInspector()
        self.gradients = GradientHealthPlot()
        self.first_layer = FirstLayerWeightsView()
        self.errors = ErrorsView()
        self.histograms = WeightHistogramsView()
        self.layer_map = LayerMapView()
        self.confidence = ReliabilityView()
        self.forward.sampleChanged.connect(self.backprop.set_sample)
        self.diagram.connectionClicked.connect(self.backprop.show_connection)

        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.forward)
        split.addWidget(self.diagram)
        split.addWidget(self.backprop)
        split.setStretchFactor(1, 1)
        split.setSizes([240, 620, 380])
        hint = QLabel("Pick a digit on the left: its activations light up the network. Hover a neuron for its "
                      "numbers; click a connection to follow backpropagation through that weight.")
        hint.setWordWrap(True)
        network_page = QWidget()
        v = QVBoxLayout(network_page)
        v.addWidget(hint)
        v.addWidget(split, 1)

        self.pages = QTabWidget()
        self.pages.setObjectName("insidePages")
        self.pages.setDocumentMode(True)
        for widget, title in ((network_page, "Forward && backward"), (self.activations, "Activation functions"),
                              (self.gradients, "Gradient health"), (self.first_layer, "First layer"),
                              (self.errors, "Errors"), (self.confidence, "Confidence"),
                              (self.histograms, "Weight distributions"),
                              (self.layer_map, "Hidden layers")):
            self.pages.addTab(widget, title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.pages)
        self._follow(state, session)

    def _follow(self, state, session) -> None:
        state.specChanged.connect(self._on_spec)
        # while training, the model's network is each weight snapshot: drawn, but not fully re-measured
        state.networkChanged.connect(lambda net: self.set_network(net, live=session.is_running()))
        state.datasetChanged.connect(self.set_dataset)
        state.datasetFailed.connect(self._dataset_failed)
        state.configChanged.connect(self.backprop.set_config)
        session.started.connect(self._on_started)
        session.batchChunk.connect(self.gradients.add_batches)       # every batch: no probe lost to throttling
        self.pages.currentChanged.connect(lambda _: session.hold())  # a page's first paint gets the machine
        for page in (self.layer_map, self.confidence):      # the run's last network, at once
            session.over.connect(page.catch_up)

        self._on_spec(state.spec)
        self.backprop.set_config(self._config())
        if state.dataset is not None:
            self.set_dataset(state.dataset)
        if state.network is not None:
            self.set_network(state.network)

    # ---- feeding the views ---------------------------------------------------------------------------
    def _config(self):
        try:
            return self.state.config()
        except EngineError:          # settings the engine rejects: the inspector then shows plain GD
            return None

    def _on_spec(self, spec: dict) -> None:
        self.activations.set_spec(spec)
        self.diagram.setSpec(spec)
        # the model never holds a network that disagrees with its spec; a hidden tab's older one is not shown
        self.diagram.setNetwork(self.net if self.net is self.state.network else None)
        if not self.gradients.x:
            self.gradients.set_spec(spec)

    def _on_started(self) -> None:
        self.gradients.set_spec(self.state.spec)
        self.backprop.set_config(self._config())

    def set_network(self, net, live: bool = False) -> None:
        if not self.isVisible():
            # a hidden tab does no work (each update costs its views ~10-20 ms of GUI time); showEvent catches up
            self._deferred = (net, live)
            return
        self._deferred = None
        self._apply(net, live)

    def _apply(self, net, live: bool = False) -> None:
        if net is not None and self.net is not None and net.to_spec() != self.net.to_spec():
            self.gradients.set_spec(net.to_spec())
        self.net = net
        if net is not None:
            spec = net.to_spec()
            if [l.units for l in net.layers] != self.diagram.sizes[1:] or net.input_size != self.diagram.sizes[0]:
                self.diagram.setSpec(spec)
            self.activations.set_spec(spec)
        self.diagram.setNetwork(net)
        self.forward.set_network(net)
        self.backprop.set_network(net)
        self.first_layer.set_network(net)
        self.histograms.set_network(net)
        self.errors.set_network(net, live=live)
        self.layer_map.set_network(net, live=live)
        self.confidence.set_network(net, live=live)
        if not live and self.dataset is not None and net is not None:
            self.gradients.probe(net, self.dataset.x_train, self.dataset.y_train)
        if self.dataset is None and net is not None:
            self._load_dataset()

    def set_dataset(self, dataset) -> None:
        if self.net is not None and dataset is not None and self.net.input_size != dataset.x_train.shape[1]:
            self._apply(None)            # an older network, kept while the tab was hidden, cannot read this data
        self.dataset = dataset
        shape = getattr(dataset, "image_shape", None)
        self.diagram.setImageShape(shape)
        if shape:
            self.first_layer.set_image_shape(shape)
        self.backprop.set_images(len(shape or ()) == 2 if dataset is not None else True)
        self.forward.set_dataset(dataset)
        self.errors.set_dataset(dataset)
        self.layer_map.set_dataset(dataset)
        self.confidence.set_dataset(dataset)
        if dataset is not None and self.net is not None:
            self.gradients.probe(self.net, dataset.x_train, dataset.y_train)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._deferred is not None:
            self.set_network(*self._deferred)
        if self.dataset is None and self.net is not None:
            self._load_dataset()

    def _load_dataset(self) -> None:
        """The views need test digits: the model loads its data set on a worker (the sample takes ~0.5 s)."""
        if self.state.dataset is not None:
            self.set_dataset(self.state.dataset)
        elif self.state.loading_dataset() is None:
            self.state.load_dataset(self.state.dataset_name or "sample")

    def _dataset_failed(self, message: str) -> None:
        if self.dataset is None:
            self.forward.result.setText(f"Could not load the digits: {message}")
