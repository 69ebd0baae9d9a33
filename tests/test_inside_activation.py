"""activationView: the curves are the engine's activations and derivatives; the network's ones are highlighted."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from app.state import AppState
from app.widgets.inside.activation_functions import SHOWN, Z, ActivationView
from engine.activations import ACTIVATIONS, LeakyReLU
from helpers_app import show_widget


@pytest.fixture
def view(qtbot):
    return show_widget(qtbot, ActivationView(), (900, 640))


def test_curves_are_the_engines_functions_and_derivatives(view):
    assert view.objectName() == view.accessibleName() == "activationView"
    for name in ("sigmoid", "tanh", "relu"):
        act = ACTIVATIONS[name]()
        x, f = view.f_curves[name].getOriginalDataset()
        _, d = view.d_curves[name].getOriginalDataset()
        np.testing.assert_array_equal(x, Z)
        np.testing.assert_allclose(f, act.forward(Z.copy()), rtol=1e-12)
        np.testing.assert_allclose(d, act.derivative(Z), rtol=1e-12)
    _, f = view.f_curves["sigmoid"].getOriginalDataset()
    assert f.min() > 0 and f.max() < 1                                  # inside its marked range (0, 1)
    _, d = view.d_curves["sigmoid"].getOriginalDataset()
    assert d.max() == pytest.approx(0.25)                                # sigma' peaks at 1/4: gradients shrink


def test_highlight_follows_the_networks_spec_and_its_leaky_alpha(qtbot, view):
    state = AppState()
    state.specChanged.connect(view.set_spec)
    state.set_spec({"input_size": 784, "layers": [{"units": 32, "activation": "tanh"},
                    {"units": 16, "activation": "leaky_relu", "alpha": 0.2}, {"units": 10, "activation": "softmax"}],
                    "loss": "cross_entropy", "seed": 0})
    assert view.highlighted() == ["tanh", "leaky_relu"]
    assert "used in hidden 1" in view.notes["tanh"].text()
    assert "used in hidden 2" in view.notes["leaky_relu"].text()
    assert "used" not in view.notes["relu"].text()
    assert view.boxes["tanh"].used and not view.boxes["relu"].used
    _, f = view.f_curves["leaky_relu"].getOriginalDataset()
    np.testing.assert_allclose(f, LeakyReLU(alpha=0.2).forward(Z.copy()))
    assert f[0] == pytest.approx(-5 * 0.2)


def test_the_user_can_change_alpha_with_the_keyboard(qtbot, view):
    box = view.alpha_box
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.3")
    qtbot.keyClick(box, Qt.Key_Enter)
    assert view.alpha == pytest.approx(0.3)
    _, d = view.d_curves["leaky_relu"].getOriginalDataset()
    np.testing.assert_allclose(d, LeakyReLU(alpha=0.3).derivative(Z))
    assert "α = 0.3" in view.notes["leaky_relu"].text()
    assert set(SHOWN) == {"sigmoid", "tanh", "relu", "leaky_relu"}
