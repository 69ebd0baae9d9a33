"""Shared fixtures: tiny data sets and a finite-difference gradient helper."""
import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes the user's real settings or data folder (tests may still point these elsewhere).
_SANDBOX = tempfile.mkdtemp(prefix="mlp-studio-tests-")
os.environ.setdefault("MLP_STUDIO_SETTINGS", os.path.join(_SANDBOX, "settings.ini"))
os.environ.setdefault("MLP_STUDIO_DATA_DIR", os.path.join(_SANDBOX, "data"))

# Hypothesis: under CI the examples are derived from each test's name, so a CI failure reruns identically;
# elsewhere they are random and a failure prints the @reproduce_failure line that replays it.
from hypothesis import settings as _hypothesis_settings  # noqa: E402
_hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
_hypothesis_settings.register_profile("dev", derandomize=False, database=None, print_blob=True)
_hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of scalar f() with respect to array x (modified in place, then restored)."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


@pytest.fixture
def tiny_data():
    """40 samples of 6 features in 3 linearly separable-ish classes (float64)."""
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 6)) * 2
    y = np.repeat(np.arange(3), 14)[:40]
    X = centers[y] + rng.normal(size=(40, 6)) * 0.5
    return X, y


@pytest.fixture(scope="session")
def mnist_sample():
    """The bundled 5,000 training / 10,000 test digits, loaded once."""
    from engine.data import load_dataset
    return load_dataset("sample")


@pytest.fixture(scope="session")
def _digit_net(mnist_sample):
    from engine import Network, TrainConfig, fit
    net = Network.from_spec({"input_size": 784, "layers": [{"units": 128, "activation": "relu"},
                                                          {"units": 10, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    fit(net, TrainConfig(optimizer="adam", lr=2e-3, batch_size=64, epochs=5, val_fraction=0.0, seed=0),
        mnist_sample.x_train, mnist_sample.y_train)
    return net


@pytest.fixture
def digit_net(_digit_net):
    """784-128-10 trained 5 epochs on the bundled digits (~93% test accuracy); a fresh copy per test."""
    return _digit_net.copy()


def pytest_configure(config):
    config.addinivalue_line("markers", "bug_expected: the test provokes a bug report on purpose")


@pytest.fixture(autouse=True)
def no_bug_reports(request):
    """Fail the test when an exception that is not an EngineError reaches the training session's error path,
    the data-set loader or the app's excepthook: each is a bug the user would only see as a sentence."""
    from app import excepthook
    bugs = []

    def listener(exc, where):
        bugs.append(f"{where}: {type(exc).__name__}: {exc}")
    excepthook.listeners.append(listener)
    yield bugs
    excepthook.listeners.remove(listener)
    if bugs and request.node.get_closest_marker("bug_expected") is None:
        pytest.fail("bug reported to the user: " + "; ".join(bugs))


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """A modal question or file chooser nobody answers would hang the suite: it fails the test instead, saying
    which (a test that means to answer one replaces it itself, after this)."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    def refuse(kind):
        def blocked(*args, **kwargs):
            text = " | ".join(str(a) for a in args[1:3])
            raise AssertionError(f"a blocking {kind} would wait for an answer: {text}")
        return blocked
    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, refuse(f"QMessageBox.{name}"))
    for name in ("getOpenFileName", "getSaveFileName", "getExistingDirectory"):
        monkeypatch.setattr(QFileDialog, name, refuse(f"QFileDialog.{name}"))
