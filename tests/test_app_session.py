"""TrainingSession on a real engine Trainer: throttled delivery, every batch and epoch delivered, control."""
import time

import numpy as np
import pytest

from app.session import GUI_RATE, TrainingSession
from engine.data import load_dataset
from engine.network import Network
from engine.training import TrainConfig

SPEC = {"input_size": 784, "layers": [{"units": 16, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}


@pytest.fixture(scope="module")
def sample():
    return load_dataset("sample")


@pytest.fixture
def session(qtbot):
    s = TrainingSession()
    yield s
    s.shutdown(5000)


class Recorder:
    def __init__(self, s: TrainingSession):
        self.chunks, self.epochs, self.weights, self.finished, self.failed, self.test = [], [], [], [], [], []
        self.chunk_times = []
        s.batchChunk.connect(lambda c: (self.chunks.append(c), self.chunk_times.append(time.perf_counter())))
        s.epochStats.connect(self.epochs.append)
        s.weightsUpdated.connect(self.weights.append)
        s.finished.connect(self.finished.append)
        s.failed.connect(self.failed.append)
        s.testEvaluated.connect(self.test.append)

    @property
    def batches(self):
        return [b for c in self.chunks for b in c]


def test_batch_size_one_reaches_gui_at_most_30_times_a_second_and_loses_nothing(qtbot, session, sample):
    rec = Recorder(session)
    net = Network.from_spec(SPEC)
    cfg = TrainConfig(optimizer="sgd", lr=0.01, epochs=1, val_fraction=0.1, augment=False)
    t0 = time.perf_counter()
    with qtbot.waitSignal(session.finished, timeout=60000):
        session.start(net, cfg, sample)
    seconds = time.perf_counter() - t0
    n_train = len(sample.x_train) - round(0.1 * len(sample.x_train))
    assert len(rec.batches) == pytest.approx(n_train, abs=2)             # every batch's loss reached the curves
    assert [b.batch for b in rec.batches] == list(range(1, len(rec.batches) + 1))
    assert seconds > 0.3
    assert len(rec.chunks) <= GUI_RATE * seconds + 2                       # thousands of batches, <= 30 updates/s
    assert len(rec.epochs) == 1 and rec.finished[0].reason == "completed"
    assert rec.weights and isinstance(rec.weights[-1], Network) and rec.weights[-1] is not net
    assert np.array_equal(rec.weights[-1].params, net.params)              # the last snapshot is the final weights
    assert 0.5 < rec.test[0] <= 1.0


def test_stop_takes_effect_within_a_batch(qtbot, session, sample):
    rec = Recorder(session)
    cfg = TrainConfig(optimizer="adam", lr=1e-3, batch_size=32, epochs=200, augment=False)
    session.start(Network.from_spec(SPEC), cfg, sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 5, timeout=20000)
    t0 = time.perf_counter()
    with qtbot.waitSignal(session.finished, timeout=5000):
        session.stop()
    assert time.perf_counter() - t0 < 1.0
    assert rec.finished[0].reason == "stopped"
    assert not session.is_running()
    assert rec.epochs == [] or rec.epochs[-1].epoch < 200


def test_pause_holds_training_and_resume_continues(qtbot, session, sample):
    rec = Recorder(session)
    states = []
    session.pausedChanged.connect(lambda paused: states.append("paused" if paused else "running"))
    session.over.connect(lambda: states.append("idle"))
    cfg = TrainConfig(optimizer="adam", lr=1e-3, batch_size=16, epochs=100, augment=False)
    session.start(Network.from_spec(SPEC), cfg, sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 5, timeout=20000)
    session.pause()
    assert session.is_paused() and states[-1] == "paused"
    qtbot.wait(150)                                     # let batches already in flight arrive
    n = len(rec.batches)
    qtbot.wait(400)
    assert len(rec.batches) == n                        # nothing trains while paused
    session.resume()
    qtbot.waitUntil(lambda: len(rec.batches) > n + 5, timeout=10000)
    assert states[-1] == "running"
    with qtbot.waitSignal(session.over, timeout=5000):
        session.stop()
    assert states[-1] == "idle"


def test_hold_lets_a_repaint_have_the_machine_then_training_goes_on(qtbot, session, sample):
    rec = Recorder(session)
    states = []
    session.pausedChanged.connect(states.append)
    session.hold(400)                                   # not running: nothing to hold
    cfg = TrainConfig(optimizer="adam", lr=1e-3, batch_size=16, epochs=100, augment=False)
    session.start(Network.from_spec(SPEC), cfg, sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 5, timeout=20000)
    t0 = time.perf_counter()
    session.hold(600)
    trainer = session._control.trainer
    qtbot.waitUntil(lambda: trainer.paused, timeout=1000)
    qtbot.wait(200)                                     # batches already in flight arrive
    n = len(rec.batches)
    qtbot.wait(200)
    assert len(rec.batches) == n and time.perf_counter() - t0 < 0.6   # nothing trained during the hold
    assert states == [] and not session.is_paused()                  # not a pause the user sees
    qtbot.waitUntil(lambda: len(rec.batches) > n + 5, timeout=5000)   # goes on by itself
    assert time.perf_counter() - t0 >= 0.55 and not trainer.paused   # (a coarse timer: +-5%)
    with qtbot.waitSignal(session.finished, timeout=5000):
        session.stop()


def test_a_pause_during_a_hold_outlasts_it(qtbot, session, sample):
    rec = Recorder(session)
    cfg = TrainConfig(optimizer="adam", lr=1e-3, batch_size=16, epochs=100, augment=False)
    session.start(Network.from_spec(SPEC), cfg, sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 5, timeout=20000)
    session.hold(100)
    session.pause()
    qtbot.wait(300)                                     # the hold has ended
    n = len(rec.batches)
    qtbot.wait(300)
    assert len(rec.batches) == n and session.is_paused() and session._control.trainer.paused
    session.hold(50)                                    # paused: a hold changes nothing
    session.resume()
    qtbot.waitUntil(lambda: len(rec.batches) > n + 5, timeout=5000)
    with qtbot.waitSignal(session.finished, timeout=5000):
        session.stop()


def test_stop_while_paused_ends_the_run(qtbot, session, sample):
    rec = Recorder(session)
    session.start(Network.from_spec(SPEC), TrainConfig(optimizer="adam", lr=1e-3, epochs=100), sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 0, timeout=20000)
    session.pause()
    with qtbot.waitSignal(session.finished, timeout=5000):
        session.stop()
    assert rec.finished[0].reason == "stopped"


def test_divergence_is_reported_with_the_advice(qtbot, session, sample):
    rec = Recorder(session)
    cfg = TrainConfig(optimizer="minibatch", lr=1000.0, batch_size=64, epochs=3, augment=False)
    with qtbot.waitSignal(session.finished, timeout=20000):
        session.start(Network.from_spec(SPEC), cfg, sample)
    fin = rec.finished[0]
    assert fin.reason == "diverged" and "learning rate" in fin.message
    assert all(np.isfinite(w.params).all() for w in rec.weights)


def test_lr_change_while_running_reaches_the_trainer(qtbot, session, sample):
    rec = Recorder(session)
    marks = []
    session.controlChanged.connect(lambda name, v: marks.append((name, v)))
    cfg = TrainConfig(optimizer="momentum", lr=0.05, batch_size=32, epochs=100, augment=False)
    session.start(Network.from_spec(SPEC), cfg, sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 3, timeout=20000)
    session.set_lr(0.0123)
    session.set_batch_size(8)
    n = len(rec.batches)
    qtbot.waitUntil(lambda: len(rec.batches) > n + 300, timeout=10000)
    assert rec.batches[-1].lr == pytest.approx(0.0123)
    later = rec.batches[-20:]                          # batches trained in flight before the change came first
    diffs = np.diff([b.samples for b in later])
    assert (diffs == 8).mean() > 0.9                                       # the new batch size is in use
    assert ("lr", pytest.approx(0.0123)) in [(k, pytest.approx(v)) for k, v in marks]
    with qtbot.waitSignal(session.finished, timeout=5000):
        session.stop()


def start_failing_run(qtbot, session, sample, monkeypatch, error) -> Recorder:
    """Start a run whose training raises `error` at once and wait until the session reports the failure."""
    from engine.training import Trainer

    def raising_run(self):
        raise error
        yield
    monkeypatch.setattr(Trainer, "run", raising_run)
    rec = Recorder(session)
    with qtbot.waitSignal(session.failed, timeout=20000):
        session.start(Network.from_spec(SPEC), TrainConfig(optimizer="adam", lr=1e-3, epochs=1), sample)
    return rec


@pytest.mark.bug_expected
def test_a_bug_inside_training_is_logged_and_told_as_a_sentence(qtbot, session, sample, monkeypatch,
                                                                  no_bug_reports):
    from app import excepthook
    bug = IndexError("index 10 is out of bounds for axis 1 with size 10")
    rec = start_failing_run(qtbot, session, sample, monkeypatch, bug)
    log = excepthook.log_path()
    assert rec.failed == [f"Something went wrong inside MLP Studio (details saved to {log})."]
    assert "IndexError: index 10 is out of bounds" in log.read_text()            # the traceback is in the log
    assert no_bug_reports and "IndexError" in no_bug_reports[0]                  # and the suite hears of it


def test_an_engine_error_reaches_the_user_as_its_own_sentence(qtbot, session, sample, monkeypatch):
    from engine.errors import DataError
    rec = start_failing_run(qtbot, session, sample, monkeypatch, DataError("These digits cannot be trained on."))
    assert rec.failed == ["These digits cannot be trained on."] and not session.is_running()


def test_shutdown_stops_quietly(qtbot, session, sample):
    rec = Recorder(session)
    session.start(Network.from_spec(SPEC), TrainConfig(optimizer="adam", lr=1e-3, epochs=100), sample)
    qtbot.waitUntil(lambda: len(rec.batches) > 0, timeout=20000)
    assert session.shutdown(5000)
    assert not session.is_running()
