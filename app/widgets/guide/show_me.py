"""What each "Show me" button does: put the window in the state that shows one idea of the course.

Every action takes the MainWindow and goes through its model, its playground controls and its step controls (the
same calls their own buttons make), then shows the right tab and page and moves the keyboard focus there.
Actions that change the model ask the actions table first (`show_me`: refused, with a sentence, while a job runs);
those about digits show the Digits workspace (as it was left: a playground lesson never touches it).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QScrollArea, QWidget

from app.workspace import DIGITS
from engine.errors import EngineError
from engine.network import Network



# ---- places -----------------------------------------------------------------------------------------------
def inside_tab(window) -> QWidget:
    return window.findChild(QWidget, "insideTab")


def show_train_tab(window) -> None:
    window.tabs.setCurrentIndex(0)


def show_inside_page(window, page: QWidget) -> None:
    inside = inside_tab(window)
    window.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(page)


def _reveal(widget: QWidget, focus: bool = True) -> None:
    """Scroll the left column to the widget and give it the keyboard focus."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if parent is not None:
        parent.ensureWidgetVisible(widget)
    if focus:
        widget.setFocus()


def _busy(window) -> bool:
    """True (and says why) when the actions table does not allow a Show me now."""
    return not window.controls.attempt("show_me")


def _digits(window) -> None:
    """Show the Digits workspace, exactly as it was left."""
    if window.state.mode != DIGITS:
        window.state.switch_mode(DIGITS)


def _ensure_network(window) -> None:
    """The inside views need weights: without a network, a fresh (untrained) one from the current architecture."""
    st = window.state
    if st.network is not None:
        return
    try:
        st.set_network(Network.from_spec(st.spec), trained=False)
    except EngineError as e:
        window.statusBar().showMessage(str(e), 8000)
        return
    window.statusBar().showMessage("No network yet: a fresh one with its initial weights was made from your "
                                   "architecture. Train it and look again.", 10000)


def _after_dataset(state, then) -> None:
    """Call then() once the data set being loaded is in (not at all if it fails)."""
    def arrived(ds):
        if ds is None:                         # a workspace shown before its data set is in: wait for it
            return
        done()
        then()

    def done(*_):
        state.datasetChanged.disconnect(arrived)
        state.datasetFailed.disconnect(done)
    state.datasetChanged.connect(arrived)
    state.datasetFailed.connect(done)


# ---- the actions ------------------------------------------------------------------------------------------
def build_tab(window) -> None:
    show_train_tab(window)
    _reveal(window.diagram, focus=False)


def _lesson(window, name: str, then=None) -> None:
    """Start the playground lesson `name` and point at its text; then(playground), if given, once its points
    are in."""
    if _busy(window):
        return
    show_train_tab(window)
    pg = window.playground
    if then is not None:
        _after_dataset(window.state, lambda: then(pg))
    pg.start_lesson(name)
    _reveal(pg.lesson_text, focus=False)


def xor_perceptron(window) -> None:
    _lesson(window, "perceptron_xor")


def xor_hidden(window) -> None:
    """The XOR lesson's second step (one hidden layer), applied as soon as its points are in."""
    _lesson(window, "perceptron_xor", then=lambda pg: pg.lesson is not None and pg.lesson_then())


def output_range(window) -> None:
    _lesson(window, "output_range")


def overfitting_lesson(window) -> None:
    _lesson(window, "overfitting")


def initialisation_lesson(window) -> None:
    _lesson(window, "initialisation")


def training_panel(window) -> None:
    show_train_tab(window)
    _reveal(window.panel)
    _reveal(window.panel.dataset)


def loss_choice(window) -> None:
    show_train_tab(window)
    _reveal(window.panel.loss)


def optimizer_choice(window) -> None:
    show_train_tab(window)
    _reveal(window.panel.optimizer)


def backprop_connection(window) -> None:
    """Look inside, Forward & backward, with the connection into the right answer's output that carries the most
    for the shown digit clicked: the largest |w_ij z_i| (the largest |w| alone was often a silent ReLU, z_i = 0,
    and every number then read 0)."""
    inside = _forward_backward_page(window)
    if inside is None or window.state.network is None:
        return
    if inside.backprop.x is None:              # the digit comes with the data set, loading: click once it is in
        def once(*_):
            inside.forward.sampleChanged.disconnect(once)
            _click_carrying_connection(window, inside)
        inside.forward.sampleChanged.connect(once)
    else:
        _click_carrying_connection(window, inside)
    inside.backprop.setFocus()


def _click_carrying_connection(window, inside) -> None:
    net = window.state.network
    x = inside.backprop.x
    if net is None or x is None or np.size(x) != net.input_size:
        return                                 # not this network's sample (yet): nothing to click
    layer = len(net.layers) - 1
    y = inside.backprop.y
    j = int(y) if y is not None and 0 <= int(y) < net.layers[layer].units else 0
    z_in = net.forward_trace(np.asarray(inside.backprop.x).reshape(1, -1))[1][layer][0]   # into the last layer
    carried = np.abs(np.asarray(net.layers[layer].W)[:, j], dtype=np.float64) * np.abs(z_in.astype(np.float64))
    inside.diagram.connectionClicked.emit(layer, int(np.argmax(carried)), j)


def forward_page(window) -> None:
    inside = _forward_backward_page(window)
    if inside is not None:
        inside.forward.setFocus()


def _forward_backward_page(window):
    """Look inside's Forward & backward page, with a network to show; None (nothing done) while a run is on."""
    if _busy(window):
        return None
    _digits(window)
    inside = inside_tab(window)
    show_inside_page(window, inside.pages.widget(0))
    _ensure_network(window)
    return inside


def activations_page(window) -> None:
    """The activation functions page; it highlights the ones the student's network uses."""
    inside = inside_tab(window)
    show_inside_page(window, inside.activations)
    inside.activations.setFocus()


def _inside_page(window, page_of):
    """A Look inside page about digits (page_of(inside_tab) -> the page), with a network to show; None while a run
    is on."""
    if _busy(window):
        return None
    _digits(window)
    inside = inside_tab(window)
    page = page_of(inside)
    show_inside_page(window, page)
    _ensure_network(window)
    page.setFocus()
    return page


def hidden_layers_page(window) -> None:
    """What the hidden layers learn: the layer maps of the digits network (layerMapView)."""
    _inside_page(window, lambda inside: inside.layer_map)


def confidence_page(window) -> None:
    """Confidence is not certainty: the reliability diagram of the digits network (reliabilityDiagram)."""
    _inside_page(window, lambda inside: inside.confidence)


def step(window) -> None:
    """Build & train with one optimizer step taken and its first phase on the diagram."""
    if _busy(window):
        return
    _digits(window)
    show_train_tab(window)
    _reveal(window.steps.step_button)
    window.steps.take_step()


def digits_start(window) -> None:
    """The digits network with the app's default settings (from the Playground: back to Digits)."""
    if _busy(window):
        return
    _digits(window)
    show_train_tab(window)
    window.document.restore_defaults()                      # asks before throwing trained weights away
    _reveal(window.panel.start_button)


def _compare(window, setting: str, values: list) -> None:
    """Compare… set up with the one setting and its values; the student presses Run comparison."""
    show_train_tab(window)
    dialog = window.course_tools.show_compare(setting, values)
    dialog.run_button.setFocus()


def compare_optimizers(window) -> None:
    _compare(window, "optimizer", ["sgd", "minibatch", "bgd"])


def compare_activations(window) -> None:
    _compare(window, "activation", ["sigmoid", "tanh", "relu", "leaky_relu"])


def compare_losses(window) -> None:
    _compare(window, "loss", ["cross_entropy", "l1"])


ACTIONS = {f.__name__: f for f in (build_tab, xor_perceptron, xor_hidden, output_range, training_panel,
                                   loss_choice, optimizer_choice, backprop_connection, forward_page,
                                   activations_page, step, digits_start, compare_optimizers,
                                   compare_activations, compare_losses,
                                   # After the course: one entry per lesson or page, the section grows by adding more
                                   overfitting_lesson, initialisation_lesson, hidden_layers_page, confidence_page)}


# Show me buttons that only lead somewhere (a tab, a page, a field, the Compare dialog): on whatever runs
PLACES = {"build_tab", "training_panel", "loss_choice", "optimizer_choice", "activations_page", "compare_optimizers",
          "compare_activations", "compare_losses"}


def action_of(action: str) -> str:
    """The actions table's name for a Show me button: `show_place` leads somewhere, `show_me` changes the model."""
    return "show_place" if action in PLACES else "show_me"


def run(window, action: str) -> None:
    if window.controls.attempt(action_of(action)):
        ACTIONS[action](window)
