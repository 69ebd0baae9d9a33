"""The pad's caution on the real Draw tab: a threshold computed off the GUI thread for the trained network (on its
validation digits), a scribble drawn with the mouse gets "looks unlike the digits it was trained on", a plain 1
does not, and a new network never borrows the old one's threshold; the wording lives in app.guesses."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from app.controls import Controls
from app.guesses import SUM_TO_ONE, confidence
from app.handwriting import PersonalDigits
from app.runs import Runs
from app.session import TrainingSession
from app.state import AppState
from app.widgets.draw_tab import DrawTab
from engine.data import load_dataset
from engine.drawn import render_digit
from engine.network import Network
from engine.presets import DIGIT_DATASET, digit_spec, preset
from engine.training import fit
from helpers_scribbles import tangle, zigzag
from test_draw_canvas import drag
from test_draw_tab import canvas_points, draw_one

WAIT = 30000


@pytest.fixture(scope="module")
def trained():
    ds = load_dataset(DIGIT_DATASET)
    net = Network.from_spec(digit_spec())
    with threadpool_limits(1):
        fit(net, dataclasses.replace(preset("app_digits"), epochs=2, augment=False), ds.x_train, ds.y_train)
    return net, ds


@pytest.fixture
def tab(qtbot, tmp_path, trained):
    net, ds = trained
    state = AppState()
    state.set_dataset(DIGIT_DATASET, ds)
    session = TrainingSession()
    t = DrawTab(state, Runs(state, session), Controls(state), digits=PersonalDigits(tmp_path / "hw"))
    qtbot.addWidget(t, before_close_func=lambda _: session.shutdown(10000))
    t.resize(1000, 640)
    t.show()
    qtbot.waitExposed(t)
    return t


def strangest_scribble(net, fam, n=6):
    """Of n seeded scribbles in unit coordinates, the one farthest from the training digits (rendered like the pad)."""
    rng = np.random.default_rng(1)
    candidates = []
    for i in range(n):
        strokes = (zigzag if i % 2 == 0 else tangle)(rng)
        pts = np.concatenate(strokes)
        lo, span = pts.min(axis=0), (pts.max(axis=0) - pts.min(axis=0)).max()
        candidates.append([0.15 + 0.7 * (s - lo) / span for s in strokes])
    distance = [fam.distance(net, render_digit(c).reshape(1, -1))[0] for c in candidates]
    return candidates[int(np.argmax(distance))]


def caution(tab):
    return tab.guess.caution.text()


def test_the_wording_is_said_once_in_guesses():
    p = np.array([0.95] + [0.05 / 9] * 9)
    assert confidence(p, 60).caution == ""
    said = confidence(p, 60, unfamiliar=True)
    assert said.sentence == "95% sure" and "don't trust the 95%" in said.caution and SUM_TO_ONE in said.caution
    low = confidence(np.full(10, 0.1), 60, unfamiliar=True)
    assert low.doubtful and "don't trust its guesses" in low.caution


def test_a_scribble_is_flagged_a_one_is_not_and_a_new_network_waits_for_its_own_threshold(qtbot, tab, trained):
    net, _ = trained
    mine = net.copy()
    tab.state.set_network(mine, trained=True)
    qtbot.waitUntil(lambda: tab.familiarity.current is not None, timeout=WAIT)
    fam = tab.familiarity.current[2]
    assert tab.familiarity.current[0] is mine and fam.n_validation > 0

    draw_one(qtbot, tab)
    qtbot.waitUntil(lambda: tab.probabilities is not None, timeout=WAIT)
    assert tab.unfamiliar is False and caution(tab) == ""

    tab.canvas.clear()
    for stroke in strangest_scribble(mine, fam):
        drag(qtbot, tab.canvas, canvas_points(tab, stroke))
    qtbot.waitUntil(lambda: tab.unfamiliar is True, timeout=WAIT)
    assert fam.unfamiliar(mine, tab.image.reshape(1, -1))[0]       # the pad's image, judged by the engine
    assert "looks unlike the digits it was trained on" in caution(tab) and SUM_TO_ONE in caution(tab)

    other = net.copy()
    tab.state.set_network(other, trained=True)                   # a new generation: the old threshold is not its
    assert tab.familiarity.judge(other, tab.image.reshape(1, -1)) is None
    tab.update_prediction()
    assert caution(tab) == ""
    qtbot.waitUntil(lambda: tab.unfamiliar is True, timeout=WAIT)  # its own threshold, computed off the GUI thread
    assert tab.familiarity.current[0] is other


def test_a_runs_snapshots_are_not_judged(qtbot, tab, trained):
    net, _ = trained
    token = tab.state.activity.begin("training")
    tab.state.set_network(net.copy(), trained=True, snapshot=True)
    qtbot.wait(100)
    assert tab.familiarity.current is None and tab.familiarity._busy is None
    tab.state.activity.end(token)                                # the run is over: its last weights are judged
    qtbot.waitUntil(lambda: tab.familiarity.current is not None, timeout=WAIT)
    assert tab.familiarity.current[0] is tab.state.network
