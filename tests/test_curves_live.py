"""Live curves: every epoch's points are drawn while batches keep arriving (batch 1 included), one kind per tick."""
import numpy as np
import pytest
from PySide6.QtCore import Qt, QTimer

from app.widgets.curves import Curves
from engine import BatchStats, EpochStats
from helpers_app import show_widget

N_BATCHES = 50


def batch(epoch: int, b: int, loss: float = 1.0) -> BatchStats:
    return BatchStats(epoch=epoch, batch=b, n_batches=N_BATCHES, loss=loss, accuracy=0.5, lr=0.01, elapsed=0.0,
                      samples=b)


def epoch_stats(epoch: int, acc: float = 0.8) -> EpochStats:
    return EpochStats(epoch=epoch, epochs=100, train_loss=0.5, train_accuracy=acc, val_loss=0.6,
                      val_accuracy=acc + 0.02, lr=0.01, seconds=0.1, elapsed=0.1 * epoch, is_best=False)


class Feeder:
    """Sends batch chunks from a QTimer like the session (33 ms apart), an EpochStats after each epoch's last batch."""

    def __init__(self, curves: Curves, per_chunk: int):
        self.curves, self.per_chunk, self.n = curves, per_chunk, 0
        self.timer = QTimer()
        self.timer.setInterval(33)
        self.timer.timeout.connect(self.tick)

    def tick(self):
        chunk, epochs = [], []
        for _ in range(self.per_chunk):
            e, b = divmod(self.n, N_BATCHES)
            chunk.append(batch(e + 1, b + 1, 2.0 / (1 + 0.01 * self.n)))
            self.n += 1
            if b + 1 == N_BATCHES:
                epochs.append(epoch_stats(e + 1))
        self.curves.add_batches(chunk)
        for s in epochs:
            self.curves.add_epoch(s)


@pytest.fixture
def curves(qtbot):
    return show_widget(qtbot, Curves(), (800, 400))


def drawn_epochs(curve) -> list:
    x, _ = curve.getOriginalDataset()
    return [] if x is None else list(x)


@pytest.mark.parametrize("per_chunk", [1, 7, 60])
def test_epoch_points_appear_within_a_second_while_batches_keep_arriving(qtbot, curves, per_chunk):
    curves.begin_run("live")
    curves.set_epochs(100)
    feeder = Feeder(curves, per_chunk)
    feeder.timer.start()
    try:
        run = curves.current
        qtbot.waitUntil(lambda: run.ex.n >= 1, timeout=10000)                # the first epoch has ended
        qtbot.waitUntil(lambda: 1.0 in drawn_epochs(run.train_acc), timeout=1000)
        assert feeder.timer.isActive()                                         # batches were still arriving
        first = run.ex.n
        qtbot.waitUntil(lambda: run.ex.n > first, timeout=10000)              # the next epoch too
        qtbot.waitUntil(lambda: len(drawn_epochs(run.val_loss)) >= first + 1, timeout=1000)
        _, acc = run.train_acc.getOriginalDataset()
        np.testing.assert_allclose(acc[:2], [80.0, 80.0])                      # percent
    finally:
        feeder.timer.stop()


def test_batch_lines_are_still_drawn_while_epochs_arrive_every_pass(qtbot, curves):
    curves.begin_run("tiny data set")
    curves.set_epochs(1000)
    n = [0]

    def tick():                                   # a tiny data set: an epoch ends with every chunk
        n[0] += 1
        curves.add_batches([batch(n[0], N_BATCHES)])
        curves.add_epoch(epoch_stats(n[0]))
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    try:
        run = curves.current
        qtbot.waitUntil(lambda: run.smoothed.getOriginalDataset()[0] is not None and len(run.smoothed.getOriginalDataset()[0]) >= 3,
                        timeout=2000)
        qtbot.waitUntil(lambda: len(drawn_epochs(run.train_loss)) >= 3, timeout=2000)
    finally:
        timer.stop()
