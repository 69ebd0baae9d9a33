"""Opening a big project keeps the window painting: the file is read on a worker (an 80 MB project reads for about
a second), user input waits, and a damaged big file is still refused with a sentence and changes nothing."""
from __future__ import annotations

import time

import numpy as np
import pytest

from app.document import BIG_FILE
from app.project import Project, from_state, save_project
from engine.network import Network
from helpers_app import make_window
from helpers_stall import StallMeter

BIG_SPEC = {"input_size": 784, "loss": "cross_entropy",
            "layers": [{"units": 2048, "activation": "relu"}, {"units": 2048, "activation": "relu"},
                       {"units": 10, "activation": "softmax"}]}


@pytest.fixture(scope="module")
def big_project(tmp_path_factory):
    net = Network.from_spec(BIG_SPEC)
    path = tmp_path_factory.mktemp("big") / "big.mlpstudio"
    save_project(path, Project(spec=net.spec, settings={}, network=net, dataset="sample"))
    assert path.stat().st_size > BIG_FILE
    return path, net


def test_a_big_project_opens_while_the_window_keeps_painting(qtbot, tmp_path, monkeypatch, big_project, capsys):
    path, net = big_project
    w = make_window(qtbot, tmp_path, monkeypatch)
    qtbot.wait(200)
    meter = StallMeter()
    meter.start()
    t = time.perf_counter()
    assert w.document.open_path(path, ask=False)
    took = time.perf_counter() - t
    ticks_while_opening = len(meter.gaps)
    qtbot.wait(300)
    meter.stop()
    with capsys.disabled():
        print(f"\n[open] {path.stat().st_size / 1e6:.0f} MB project opened in {took:.2f} s; longest GUI stall "
              f"{meter.worst_ours:.0f} ms ({meter.at_worst()}) over {len(meter.gaps)} ticks")
    assert w.state.network is not None
    assert [l.W.shape for l in w.state.network.layers] == [l.W.shape for l in net.layers]
    assert np.array_equal(w.state.network.layers[1].W, net.layers[1].W)
    assert ticks_while_opening >= 5, "the window did not paint while the file was read"


def test_a_damaged_big_project_is_refused_and_changes_nothing(qtbot, tmp_path, monkeypatch, big_project):
    path, _ = big_project
    broken = tmp_path / "broken.mlpstudio"
    data = bytearray(path.read_bytes())
    data[len(data) // 2: len(data) // 2 + 4096] = bytes(4096)        # zeros in the middle of the weights
    broken.write_bytes(bytes(data))
    w = make_window(qtbot, tmp_path, monkeypatch)
    before = from_state(w.state)
    assert not w.document.open_path(broken, ask=False)
    assert w.errors and "damaged" in w.errors[-1].lower(), w.errors
    assert w.state.spec == before.spec and w.document.path is None
