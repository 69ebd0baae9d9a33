"""Honest answers on the pad: the top three guesses with their probabilities, and one sentence on how sure the
network is ("not sure" below the student's threshold, never beside "95% sure"), on the real Draw tab with a
network whose probabilities are known."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSpinBox, QWidget

from app.guesses import confidence, percent, top_guesses
from app.handwriting import PersonalDigits
from app.runs import Runs
from app.session import TrainingSession
from app.settings import Settings
from app.controls import Controls
from app.state import AppState
from app.widgets.draw_tab import DrawTab
from engine.network import Network
from test_draw_tab import draw_one, one_blas_thread, prediction, tab  # noqa: F401  (fixtures)

# whatever is drawn, this network answers 4 at 55 %, 9 at 31 %, 7 at 6 %, the rest 8 % shared
KNOWN = np.full(10, 0.08 / 7)
KNOWN[[4, 9, 7]] = 0.55, 0.31, 0.06


def fixed_net(p):
    """A softmax layer with zero weights and biases log(p): the output is p for every input."""
    net = Network.from_spec({"input_size": 784, "layers": [{"units": 10, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    net.layers[0].W = np.zeros((784, 10))
    net.layers[0].b = np.log(p)
    return net


def set_threshold(qtbot, tab, value: int):
    spin = tab.findChild(QSpinBox, "doubtThreshold")
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, str(value))
    qtbot.keyClick(spin, Qt.Key_Enter)
    assert spin.value() == value


def shown(tab):
    guesses = tab.findChild(QWidget, "topGuesses")
    return guesses.rows(), tab.findChild(QLabel, "confidenceLabel").text(), prediction_text(tab)


def prediction_text(tab):
    return tab.findChild(QLabel, "predictionLabel").text()


def test_top_three_with_their_probabilities_and_doubt_below_the_threshold(qtbot, tab):
    tab.state.set_network(fixed_net(KNOWN))
    set_threshold(qtbot, tab, 60)
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "4"                       # the top digit alone, as before
    rows, doubt, _ = shown(tab)
    assert rows == [("4", "55%"), ("9", "31%"), ("7", "6%")]
    assert doubt == "Not sure: 4 or 9?"
    set_threshold(qtbot, tab, 50)                              # 55 % is enough now
    rows, doubt, top = shown(tab)
    assert doubt == "55% sure" and top == "4" and rows[0] == ("4", "55%")
    set_threshold(qtbot, tab, 56)
    assert shown(tab)[1] == "Not sure: 4 or 9?"


def test_a_confident_network_is_not_in_doubt_and_an_empty_pad_shows_no_guesses(qtbot, tab):
    p = np.full(10, 0.001)
    p[1] = 1 - 0.009
    tab.state.set_network(fixed_net(p))
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "1"
    rows, doubt, _ = shown(tab)
    assert rows[0] == ("1", "99%") and rows[1][1] == "<1%" and doubt == "99% sure"
    qtbot.mouseClick(tab.clear_button, Qt.LeftButton)
    assert prediction(qtbot, tab) == ""
    assert shown(tab)[:2] == ([("", ""), ("", ""), ("", "")], "")


def test_the_threshold_is_remembered(qtbot, tab, tmp_path):
    set_threshold(qtbot, tab, 75)
    assert Settings().doubt_threshold() == 75
    state = AppState()
    session = TrainingSession()
    other = DrawTab(state, Runs(state, session), Controls(state), digits=PersonalDigits(tmp_path / "other"))
    qtbot.addWidget(other, before_close_func=lambda _: session.shutdown(10000))
    assert other.findChild(QSpinBox, "doubtThreshold").value() == 75
    set_threshold(qtbot, tab, 60)


def test_nothing_moves_when_the_guesses_change(qtbot, tab):
    sure = np.full(10, 0.001)
    sure[1] = 1 - 0.009
    tab.state.set_network(fixed_net(sure))
    draw_one(qtbot, tab)
    prediction(qtbot, tab)
    names = ("predictionLabel", "topGuesses", "confidenceLabel", "doubtThreshold", "networkInputView",
             "probabilityChart", "drawCanvas")
    before = {n: tab.findChild(QWidget, n).geometry() for n in names}
    tab.state.set_network(fixed_net(KNOWN))
    set_threshold(qtbot, tab, 60)
    assert prediction(qtbot, tab) == "4" and shown(tab)[1].startswith("Not sure")
    qtbot.wait(20)
    assert {n: tab.findChild(QWidget, n).geometry() for n in names} == before


def test_a_network_not_sure_enough_for_the_student_does_not_also_say_how_sure_it_is(qtbot, tab):
    p = np.full(10, 0.01 / 8)
    p[[4, 7]] = 0.95, 0.04
    tab.state.set_network(fixed_net(p))
    set_threshold(qtbot, tab, 96)                              # the student wants more than 95 %
    draw_one(qtbot, tab)
    assert prediction(qtbot, tab) == "4"
    assert sentences(tab) == ["Not sure: 4 or 7?"]            # not "95% sure" beside it
    set_threshold(qtbot, tab, 95)
    assert sentences(tab) == ["95% sure"]


def sentences(tab) -> list[str]:
    """Every text on the pad that says how sure the network is (the threshold's caption aside)."""
    return [label.text() for label in tab.findChildren(QLabel)
            if label.isVisible() and "sure" in label.text() and label.text() != "Not sure below"]


@pytest.mark.parametrize("p_top, threshold, expected", [(0.55, 60, "Not sure: 4 or 9?"), (0.55, 55, "55% sure"),
                                                        (0.597, 60, "60% sure"), (0.594, 60, "Not sure: 4 or 9?")])
def test_doubt_compares_the_percentage_the_student_sees(p_top, threshold, expected):
    p = np.full(10, 0.0)
    p[4], p[9] = p_top, 1 - p_top - 0.01
    p[0] = 0.01
    assert confidence(p, threshold).sentence == expected
    assert confidence(p, threshold).doubtful == expected.startswith("Not sure")
    assert top_guesses(p)[0] == (4, p_top) and percent(0.004) == "<1%" and percent(0.5) == "50%"


def test_a_network_whose_outputs_are_not_numbers_says_so_instead_of_failing(qtbot, tab):
    """The random clicker (seed 8675309): a Step with an absurd learning rate left weights that overflow, and the
    pad's sentence raised 'cannot convert float NaN to integer' in a slot. The pad says what happened instead."""
    from app.guesses import NOT_NUMBERS
    net = fixed_net(KNOWN)
    net.layers[0].b = np.full(10, np.nan)
    tab.state.set_network(net)
    draw_one(qtbot, tab)
    qtbot.waitUntil(lambda: shown(tab)[1] == NOT_NUMBERS, timeout=5000)
    rows, _, top = shown(tab)
    assert all(row == ("", "") for row in rows) and top == "?"        # no digit named, no percentages
    tab.state.set_network(fixed_net(KNOWN))                  # a working network again: the guesses come back
    qtbot.waitUntil(lambda: prediction_text(tab) == "4", timeout=5000)
