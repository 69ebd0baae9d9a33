"""A diagram given a spec and a network that disagree (the editor changed, the old network is still around) draws
the spec without weights and never raises; hovering and tooltips stay safe too."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from app.widgets.inside.forward_pass import ForwardPassPanel
from app.widgets.network_view import NetworkView
from engine.network import Network
from helpers_app import show_widget


def spec(*hidden, out=10, act="relu"):
    layers = [{"units": u, "activation": act} for u in hidden] + [{"units": out, "activation": "softmax"}]
    return {"input_size": 784, "layers": layers, "loss": "cross_entropy", "seed": 0}


@pytest.fixture
def view(qtbot):
    return show_widget(qtbot, NetworkView(), (900, 420))


def _every_item_is_safe(view):
    cols, _ = view._layout()
    for c, (units, pos) in enumerate(cols):
        for u in units:
            assert view.tooltipFor(("n", c, int(u)))
        if c + 1 < len(cols):
            assert view.tooltipFor(("w", c, int(units[-1]), int(cols[c + 1][0][-1])))


@pytest.mark.parametrize("spec_first", [True, False])
@pytest.mark.parametrize("shown, net_spec", [(spec(128), spec()), (spec(), spec(128)),
                                              (spec(999999), spec(128)), (spec(128, 64), spec(128))])
def test_a_network_of_another_architecture_is_not_drawn(qtbot, view, spec_first, shown, net_spec):
    net = Network.from_spec(net_spec)
    if spec_first:
        view.setSpec(shown)
        view.setNetwork(net)
    else:
        view.setNetwork(net)
        view.setSpec(shown)
    view.renderNow()
    view.grab()
    assert view.sizes == [784] + [l["units"] for l in shown["layers"]]
    assert view.drawnNetwork() is None                  # drawn without weights: grey connections
    _every_item_is_safe(view)
    assert "Bias" not in view.tooltipFor(("n", 1, 0))
    assert "=" not in view.tooltipFor(("w", 0, 300, 0)).split("</sub>")[1].split("(")[0]


def test_the_network_is_drawn_again_once_the_spec_matches(qtbot, view):
    net = Network.from_spec(spec(128))
    view.setSpec(spec())
    view.setNetwork(net)
    assert view.drawnNetwork() is None
    view.setSpec(spec(128))
    assert view.drawnNetwork() is net
    assert f"{float(net.layers[0].W[300, 0]):+.4f}" in view.tooltipFor(("w", 0, 300, 0))


def test_hovering_a_neuron_the_network_does_not_have_says_nothing_wrong(qtbot, view):
    panel = ForwardPassPanel(view)
    qtbot.addWidget(panel)
    panel.set_network(Network.from_spec(spec()))
    panel.set_sample(np.zeros(784, dtype=np.float32), 3)
    view.setSpec(spec(128))
    unit = int(view._layout()[0][1][0][-1])              # a hidden unit the 784-10 network does not have
    before = panel.details.text()
    qtbot.mouseMove(view, view.neuronPoint(1, unit).toPoint())
    panel.show_neuron(1, unit)
    panel.show_neuron(2, 9)
    assert panel.details.text() == before


def test_the_look_inside_diagram_survives_a_new_spec_before_the_old_network(qtbot):
    from app.session import TrainingSession
    from app.state import AppState
    from app.widgets.inside.inside_tab import InsideTab
    state, session = AppState(), TrainingSession()
    state.set_spec(spec())
    tab = InsideTab(state, session)
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    qtbot.waitExposed(tab)
    old = Network.from_spec(spec())
    tab.set_network(old)
    tab.diagram.setSpec(spec(128))                 # the editor's new spec reaches the diagram first
    tab.diagram.setNetwork(old)                    # then the old network arrives
    tab.diagram.renderNow()
    tab.diagram.grab()
    _every_item_is_safe(tab.diagram)
    session.shutdown(5000)


def deep_net(n_hidden=24):
    return Network.from_spec(spec(*[64] * n_hidden, act="sigmoid"))


def start_rendering(view, net):
    """The diagram has a picture; `net` arrives and its picture is being rendered in slices, not yet done. The
    test plays the event loop's part: one slice (a few ms of drawing) at a time."""
    view.setSpec(net.spec)
    view.renderNow()
    view._last_render = 0.0                            # the last picture was long ago: the next starts at once
    view.setNetwork(net)                               # a new picture starts, to be rendered between events
    view._slice_timer.stop()
    view._render_slice()                               # its first slice
    assert view._job is not None, "the picture must still be in the making for this test"


def finish_rendering(view):
    while view._job is not None:
        view._render_slice()


@pytest.mark.parametrize("then", ["shallower spec", "no network then a shallower spec", "shallower activations"])
def test_a_picture_in_the_making_when_the_network_changes_draws_the_network_it_began_with(qtbot, view, then):
    """The crash of issue 22 (IndexError in NetworkView._title): a rendering sliced over several events went on
    with its old columns while the view was given a network of another depth, and looked titles up in the new."""
    net = deep_net()
    start_rendering(view, net)
    if then == "shallower spec":
        view.setSpec(spec(128))
    elif then == "no network then a shallower spec":     # the order the app uses: the network goes first
        view.setNetwork(None)
        view.setSpec(spec(128))
    else:
        view.setActivations([np.zeros(784), np.zeros(128), np.zeros(10)])
        view.setSpec(spec(128))
    finish_rendering(view)                              # the old picture is finished: no IndexError ...
    view.renderNow()                                    # ... and the new one follows
    assert view.picture().sizes == (784, 128, 10) and view.picture().title(1) == "Hidden 1 · 128"
    _every_item_is_safe(view)


def test_activations_or_a_step_of_another_network_are_not_drawn(qtbot, view):
    view.setSpec(spec(128))
    view.setActivations([np.zeros(784), np.ones(64), np.ones(32), np.zeros(10)])      # a 784-64-32-10 trace
    assert view.picture().acts is None
    view.setActivations([np.zeros(784), np.ones(128), np.zeros(10)])
    assert view.picture().acts is not None

    class Step:
        """An overlay as NetworkView asks it (StepOverlay's protocol), drawing nothing."""
        def __init__(self, net):
            self.network = net

        def neuron_values(self, c, units):
            return None

        def connection_values(self, layer, ui, uo):
            return None

        def tooltip(self, item):
            return ""

        def paint(self, *args):
            pass
    view.setOverlay(Step(deep_net(2)))                  # a step taken on a deeper network
    assert view.picture().overlay is None
    view.renderNow()
    _every_item_is_safe(view)
    mine = Step(Network.from_spec(spec(128)))
    view.setOverlay(mine)
    assert view.picture().overlay is mine


def test_the_title_and_subtitle_are_the_drawn_networks(qtbot, view):
    net = Network.from_spec(spec(128, act="tanh"))
    view.setSpec(spec(128, act="relu"))                  # the same sizes, other activations
    view.setNetwork(net)
    pic = view.picture()
    assert pic.net is net and pic.subtitle(1) == "tanh"  # one object: the network drawn, not the spec beside it


def test_a_hovered_neuron_whose_column_is_gone_is_not_ringed(qtbot, view):
    view.setSpec(spec(64, 32))
    view.renderNow()
    with qtbot.waitSignal(view.neuronHovered, timeout=2000):
        qtbot.mouseMove(view, view.neuronPoint(3, 9).toPoint())     # output 9 of the four columns
    view.setSpec(spec())                                            # two columns now, the pointer not moved
    view.renderNow()
    view.grab()                                                     # paints without looking up column 3
