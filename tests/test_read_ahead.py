"""The window reads its data set while the student looks at it (issue 24): the first Start trains at once instead
of reading the digits first; the read is in memory only, and its failure is said by the load that takes it."""
import app.dataset_loader as loader_module
from helpers_app import make_window


def counting_loads(monkeypatch):
    calls = []
    real = loader_module.load_dataset

    def load(name, **params):
        calls.append(name)
        return real(name, **params)
    monkeypatch.setattr(loader_module, "load_dataset", load)
    return calls


def test_the_shown_window_reads_its_digits_before_start_and_start_reads_nothing(qtbot, tmp_path, monkeypatch):
    calls = counting_loads(monkeypatch)
    w = make_window(qtbot, tmp_path, monkeypatch)
    assert w.state.dataset is None and w.state.activity.idle       # nothing the student sees: no loading state
    qtbot.waitUntil(lambda: w.state._loader._ahead is not None and w.state._loader._ahead[1].done(), timeout=20000)
    assert calls == [w.state.dataset_name]
    assert w.state.dataset is None and w.state.activity.idle
    w.state.load_dataset(w.state.dataset_name)                      # what Start asks for first
    qtbot.waitUntil(lambda: w.state.dataset is not None, timeout=20000)
    assert calls == [w.state.dataset_name]                          # taken from memory, not read again
    assert len(w.state.dataset.x_train) > 0


def test_a_read_ahead_that_fails_is_said_by_the_load_that_takes_it(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch, show=False)
    missing = str(tmp_path / "no-such-folder")
    w.state._loader.read_ahead(missing)
    said = []
    w.state.datasetFailed.connect(said.append)
    w.state.load_dataset(missing)
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    assert "no-such-folder" in said[0] and "Traceback" not in said[0]
