"""`mlp-studio --self-test`: the real window, offscreen, through one short lesson; exit 0 with one line of figures,
or 1 with the sentence that failed.

In order: the window opens; the bundled sample loads through the app's model; one epoch trains through the
session; one drawn digit is read the way the Draw tab reads it (the pad's rasterizer, preprocess_digit,
predict_proba); the project is saved to a temporary folder and reopened with the same weights. Settings and user
data go to that folder too, so a user's own are never touched. In a frozen bundle it also checks that the digits
came from inside the bundle (found through the same resource API as in a pip install), not from a source tree.
"""
from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

WATCHDOG_S = 300          # a hang (a blocking dialog, a stuck thread) still ends with a sentence
STEP_S = 120              # the longest one step may take on a loaded machine
MIN_ACCURACY = 0.5        # one epoch on the sample reaches ~0.9; below this the arithmetic itself is broken
SEVEN = [np.array([[0.25, 0.2], [0.75, 0.2]], np.float32),      # a "7" in pad units: the bar, then the stroke
         np.array([[0.75, 0.2], [0.6, 0.5], [0.45, 0.85]], np.float32)]


class Failed(Exception):
    """A self-test step that did not do what it should; str() is the sentence printed."""


def run() -> int:
    """The self-test's exit code; prints its one line (stdout when it passes, stderr when it fails)."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mlp-studio-self-test-") as tmp:
        _isolate(Path(tmp))
        watchdog = threading.Timer(WATCHDOG_S, _give_up)
        watchdog.daemon = True
        watchdog.start()
        try:
            figures = _run(Path(tmp))
        except Failed as exc:
            return _say(f"MLP Studio self-test failed: {exc}", sys.stderr, 1)
        except Exception as exc:  # a bug anywhere on the way is a failed test, said in one line
            return _say(f"MLP Studio self-test failed: unexpected {type(exc).__name__}: {exc}", sys.stderr, 1)
        finally:
            watchdog.cancel()
    from engine.version import __version__   # from the package metadata, which a bundle carries too

    seconds = time.perf_counter() - started
    return _say(f"MLP Studio {__version__} self-test passed in {seconds:.1f} s: {figures}", sys.stdout, 0)


def _say(line: str, stream, code: int) -> int:
    if stream is not None:        # a windowed Windows build has no console streams
        print(line, file=stream, flush=True)
    return code


def _give_up() -> None:
    _say(f"MLP Studio self-test failed: it did not finish within {WATCHDOG_S} s.", sys.stderr, 1)
    os._exit(1)


def _isolate(tmp: Path) -> None:
    """Offscreen, with settings and user data in the temporary folder."""
    from app.settings import ENV_VAR
    from engine.data.paths import ENV_DATA_DIR

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ[ENV_VAR] = str(tmp / "settings.ini")
    os.environ[ENV_DATA_DIR] = str(tmp / "data")


def _quiet_offscreen_notes() -> None:
    """The offscreen platform notes each window call it cannot do; every other Qt message still reaches stderr."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(kind, context, message):
        if not message.startswith("This plugin does not support"):
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)


def _run(tmp: Path) -> str:
    from app import excepthook
    from app.__main__ import application, open_window

    bugs: list[str] = []
    excepthook.listeners.append(lambda exc, where: bugs.append(f"{type(exc).__name__}: {exc} ({where})"))
    _quiet_offscreen_notes()
    qt_app = application([])
    t0 = time.perf_counter()
    window = open_window()
    qt_app.processEvents()
    if not window.isVisible():
        raise Failed("the main window did not open.")
    figures = [f"window {time.perf_counter() - t0:.2f} s"]
    try:
        data_dir = _check_bundle_paths()
        figures.append(_train(window, bugs))
        probabilities, drawn = _read_drawn_digit(window.state.network)
        figures.append(drawn)
        figures.append(_save_and_reopen(window, tmp / "self-test.mlpstudio", probabilities, bugs))
        figures.append(f"digits from {data_dir}")
    finally:
        window.close()
        qt_app.processEvents()
    _no_bugs(bugs)
    return "; ".join(figures)


def _check_bundle_paths() -> str:
    from engine.data.paths import resources_dir

    data = resources_dir().resolve()
    inside = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and inside and Path(inside).resolve() not in data.parents:
        raise Failed(f"the bundle read its digits from {data}, outside the bundle ({inside}).")
    return str(data)


def _no_bugs(bugs: list[str]) -> None:
    if bugs:
        raise Failed(f"a bug was reported: {bugs[0]}.")


def _message_box_text() -> str:
    """The sentence a visible message box shows (how the window reports a failure), or ''."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    return boxes[-1].text() if boxes else ""


def _wait(signal, what: str, start, failures=()) -> tuple:
    """Connect, call start(), then run the event loop until `signal` (its arguments) or a failure (Failed)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, got, failed = QEventLoop(), [], []

    def done(*args):
        got.append(args)
        loop.quit()

    def bad(*args):
        failed.append(str(args[-1]) if args else "")
        loop.quit()

    signal.connect(done)
    for failure in failures:
        failure.connect(bad)
    try:
        start()
        if not (got or failed):
            QTimer.singleShot(STEP_S * 1000, loop.quit)
            loop.exec()
    finally:
        signal.disconnect(done)
        for failure in failures:
            failure.disconnect(bad)
    if failed:
        raise Failed(f"{what} failed: {failed[0]}")
    if not got:
        raise Failed(f"{what} did not finish within {STEP_S} s.")
    return got[0]


def _train(window, bugs: list[str]) -> str:
    """The bundled sample, then one epoch of the default network; its accuracy on the 10,000 test digits."""
    state, session = window.state, window.session
    t0 = time.perf_counter()
    _wait(state.datasetChanged, "Loading the bundled digits", lambda: state.load_dataset("sample"),
          [state.datasetFailed])
    ds = state.dataset
    _no_bugs(bugs)
    t1 = time.perf_counter()
    (fin,) = _wait(session.finished, "Training one epoch", window.train_one_epoch, [session.failed])
    _no_bugs(bugs)
    if fin.reason != "completed" or state.network is None:
        raise Failed(f"training one epoch ended with: {fin.message}")
    net = state.network
    accuracy = float(np.mean(net.predict(ds.x_test) == ds.y_test))
    if not np.isfinite(net.params).all() or accuracy < MIN_ACCURACY:
        raise Failed(f"one epoch on the bundled digits reached {accuracy:.1%} test accuracy "
                     f"(at least {MIN_ACCURACY:.0%} expected).")
    return (f"data {t1 - t0:.2f} s; 1 epoch on {len(ds.x_train):,} digits {time.perf_counter() - t1:.2f} s, "
            f"{accuracy:.1%} on {len(ds.x_test):,} test digits")


def _read_drawn_digit(net) -> tuple[np.ndarray, str]:
    """A "7" drawn as strokes, read through the Draw tab's own functions."""
    from app.widgets.draw_canvas import rasterize
    from engine.preprocess import FIELD, preprocess_digit

    gray = rasterize(SEVEN)
    image = preprocess_digit(gray) if gray is not None else None
    if image is None or image.shape != (FIELD, FIELD) or not 0 < float(image.sum()) < image.size:
        raise Failed("the drawn digit did not become a 28x28 image with ink on it.")
    probabilities = net.predict_proba(image.reshape(1, -1))[0]
    if not (np.isfinite(probabilities).all() and abs(float(probabilities.sum()) - 1) < 1e-4):
        raise Failed("the network's answer for the drawn digit is not a probability distribution.")
    guess = int(np.argmax(probabilities))
    return probabilities, f"a drawn 7 read as {guess} ({probabilities[guess]:.0%})"


def _save_and_reopen(window, path: Path, probabilities: np.ndarray, bugs: list[str]) -> str:
    """Save the project, open it again, and compare the weights and the drawn digit's reading."""
    before = window.state.network
    weights = before.params.copy()
    t0 = time.perf_counter()
    if not window.document.save_to(path):
        raise Failed(f"saving the project failed: {_message_box_text() or 'no reason given'}")
    if not window.document.open_path(path, ask=False):
        raise Failed(f"reopening the project failed: {_message_box_text() or 'no reason given'}")
    seconds = time.perf_counter() - t0
    _no_bugs(bugs)
    after = window.state.network
    if after is None or after is before:
        raise Failed("reopening the project did not load its network.")
    if after.params.shape != weights.shape or not np.array_equal(after.params, weights):
        raise Failed("the reopened project's weights differ from the saved ones.")
    again = after.predict_proba(_drawn_image().reshape(1, -1))[0]
    if not np.array_equal(again, probabilities):
        raise Failed("the reopened network reads the drawn digit differently.")
    return f"project {path.stat().st_size / 1e6:.2f} MB saved and reopened in {seconds:.2f} s, same weights"


def _drawn_image() -> np.ndarray:
    from app.widgets.draw_canvas import rasterize
    from engine.preprocess import preprocess_digit

    return preprocess_digit(rasterize(SEVEN))
