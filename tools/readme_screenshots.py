"""Retake every screenshot README.md shows, from the real window driven the way a student drives it.

    xvfb-run -a -s '-screen 0 1280x800x24' .venv/bin/python tools/readme_screenshots.py [NAME ...]

Builds app.main_window.MainWindow at 1280x800 with throwaway settings and data folders, presses its buttons (or
calls the model, as its widgets do), waits on a local event loop for what the app signals, and saves each picture
into docs/screenshots/ under the name README.md uses, saying what it saved, and at the end the numbers the README
quotes. With NAMEs (keys of PICTURES, e.g. `draw step`) only those are taken; each sets up what it needs (e.g. the
default digits network, trained).
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

TMP = tempfile.mkdtemp(prefix="mlp-screenshots-")
os.environ["MLP_STUDIO_SETTINGS"] = TMP + "/s.ini"          # before the app reads any setting
os.environ["MLP_STUDIO_DATA_DIR"] = TMP + "/data"
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"

import numpy as np                                               # noqa: E402
from PySide6.QtCore import QEventLoop, Qt, QTimer                # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter               # noqa: E402
from PySide6.QtTest import QTest                                 # noqa: E402
from PySide6.QtWidgets import QApplication, QScrollArea          # noqa: E402

app = QApplication(sys.argv[:1])

from app.main_window import MainWindow                            # noqa: E402
from app.widgets.guide import show_me                             # noqa: E402
from app.widgets.stroke_replay import draw_strokes               # noqa: E402
from engine.data.pendigits import load_pendigits                # noqa: E402
from engine.drawn import EVAL_WRITERS, bundled_pendigits, render_digit   # noqa: E402
from engine.presets import DIGIT_DATASET                         # noqa: E402

SIZE = (1280, 800)
COMPARE_LR = 0.05                                                 # a rate plain gradient descent works with
STEPS_TAKEN = 30                                                  # steps on a new network before the one pictured
DEEP_SIGMOID = [{"units": 64, "activation": "sigmoid"}] * 4          # 784-64-64-64-64-10: vanishing gradients
trained: dict = {}                                                # the default digits network once trained


# ---- waiting and saving ---------------------------------------------------------------------------------
def wait(ms: int) -> None:
    """Let the window paint and the workers report for `ms` (a local event loop, never sleep on the GUI thread)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def until(done, what: str, timeout_s: float = 900) -> None:
    start = time.monotonic()
    while not done():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError(f"gave up waiting for {what}")
        wait(50)


def after(signal, action, what: str, timeout_s: float = 900, settle_ms: int = 600):
    """Do `action` and wait until `signal` fires (then `settle_ms` for the views to repaint); return what it
    carried."""
    got = []
    slot = lambda *args: got.append(args)                          # noqa: E731
    signal.connect(slot)
    try:
        action()
        until(lambda: got, what, timeout_s)
    finally:
        signal.disconnect(slot)
    wait(settle_ms)
    return got[0]


def save(image, name: str, what: str) -> None:
    path = OUT / name
    if not image.save(str(path)):
        raise OSError(f"could not write {path}")
    print(f"saved {path.relative_to(ROOT)} ({image.width()}x{image.height()}, "
          f"{path.stat().st_size // 1024} KB): {what}", flush=True)


def save_screen(name: str, what: str) -> None:
    wait(400)
    save(app.primaryScreen().grabWindow(0).toImage(), name, what)


def side_by_side(images, background: QColor, gap: int = 10) -> QImage:
    out = QImage(sum(i.width() for i in images) + gap * (len(images) + 1),
                 max(i.height() for i in images) + 2 * gap, QImage.Format_RGB32)
    out.fill(background)
    p, x = QPainter(out), gap
    for image in images:
        p.drawImage(x, gap, image)
        x += image.width() + gap
    p.end()
    return out


# ---- what a student does --------------------------------------------------------------------------------
def press_start(w) -> None:
    after(w.session.finished, w.panel.start_button.click, "training to finish")


def digits_defaults(w) -> None:
    """Build & train, Digits, the app's default network and settings (File > Restore defaults)."""
    w.tabs.setCurrentIndex(0)
    if w.playground.playground():
        after(w.state.datasetChanged, lambda: w.playground.mode.setCurrentIndex(0), "the digits to load")
    w.document.restore_defaults()
    if w.state.dataset is None or w.state.dataset_name != DIGIT_DATASET:
        after(w.state.datasetChanged, lambda: w.choose_dataset(DIGIT_DATASET), "the digits to load")


def digits_trained(w) -> None:
    """The default digits network, trained with the default settings (trained once, kept while it is current)."""
    if trained.get("default") is not None and w.state.network is trained["default"]:
        return
    digits_defaults(w)
    w.curves.clear()                                   # Clear runs: the default run alone on the curves
    press_start(w)
    trained["default"] = w.state.network


def accuracy(w) -> str:
    return f"{w.state.results['test_accuracy']:.2%} test accuracy"


def click(widget, point) -> None:
    QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, point.toPoint())
    wait(300)


def scroll_to(widget) -> None:
    """Scroll the left column until `widget` is in sight, as a student would."""
    area = widget.parentWidget()
    while not isinstance(area, QScrollArea):
        area = area.parentWidget()
    area.ensureWidgetVisible(widget, 0, 14)
    wait(300)


def show_page(w, page) -> None:
    show_me.show_inside_page(w, page)
    wait(800)


def inside(w):
    return show_me.inside_tab(w)


def draw_tab(w):
    return w.tabs.widget(2)


def playground_lesson(w, key: str) -> None:
    w.tabs.setCurrentIndex(0)
    from app.widgets.playground.lessons import BY_KEY
    w.playground.start_lesson(key)                     # a switch to the playground announces its old set first
    until(lambda: getattr(w.state.dataset, "key", None) == BY_KEY[key].dataset and w.state.activity.idle
          and w.playground._pending is None, f"the {key} lesson's points")
    wait(600)


# ---- the pictures -----------------------------------------------------------------------------------------
def main_window(w) -> None:
    digits_trained(w)
    scroll_to(w.panel.result)                          # the test accuracy under Start
    save_screen("main-window.png", f"the default network after its 40 epochs, {accuracy(w)} (light theme)")


def main_window_dark(w) -> None:
    digits_trained(w)
    scroll_to(w.panel.result)
    w.menus.theme.set_mode("dark")
    wait(800)
    save_screen("main-window-dark.png", "the same window, View > Theme > Dark")
    w.menus.theme.set_mode("light")
    wait(800)


def step_phases(w) -> None:
    """File > New; Step pressed STEPS_TAKEN times at 0 ms (the loss curve falls), then once more, shown phase
    by phase."""
    digits_defaults(w)
    w.document.new()
    w.steps.speed.setValue(0)                          # each phase shown at once
    for _ in range(STEPS_TAKEN):
        after(w.runs.stepped, w.steps.step_button.click, "a step", settle_ms=50)
    after(w.runs.stepped, w.steps.step_button.click, "the step pictured")
    rec = w.steps.result.record
    save_screen("step-1-forward.png", "Step, phase 1: the forward pass")
    w.steps.next_button.click()
    save_screen("step-2-error.png", "Step, phase 2: error estimation (q, p, δ at the outputs)")
    w.steps.next_button.click()
    save_screen("step-3-backward.png", f"Step, phase 3: backward pass and the optimizer's change; step "
                                       f"{STEPS_TAKEN + 1} (batch {rec.batch} of {rec.n_batches}), loss "
                                       f"{rec.loss_before:.4g} before, {rec.loss_after:.4g} after")


def inside_forward_backward(w) -> None:
    """Test digit #0; the connection into its own digit's output that carried the most, clicked."""
    digits_trained(w)
    page = inside(w)
    show_page(w, page.pages.widget(0))
    net, x, y = w.state.network, page.backprop.x, int(page.backprop.y)
    hidden = net.backprop(x.reshape(1, -1), np.array([y])).activations[-2][0]
    last = len(net.layers) - 1
    i = int(np.argmax(hidden * np.abs(net.layers[last].W[:, y])))
    page.diagram.connectionClicked.emit(last, i, y)    # what a click on that connection sends
    save_screen("inside-forward-backward.png", f"Look inside > Forward & backward, hidden unit {i} -> output {y}")


def inside_activations(w) -> None:
    digits_trained(w)
    show_page(w, inside(w).activations)
    save_screen("inside-activations.png", "Look inside > Activation functions (ReLU highlighted)")


def inside_first_layer(w) -> None:
    digits_trained(w)
    show_page(w, inside(w).first_layer)
    save_screen("inside-first-layer.png", "Look inside > First layer")


def inside_errors(w) -> None:
    """The confusion matrix; its largest mistake cell clicked, then that cell's first digit."""
    digits_trained(w)
    page = inside(w).errors
    show_page(w, page)
    cm = page.analysis.confusion.copy()
    np.fill_diagonal(cm, 0)
    true, pred = np.unravel_index(int(np.argmax(cm)), cm.shape)
    click(page.grid, page.grid.cell_rect(int(true), int(pred)).center())
    click(page.cell_digits, page.cell_digits.tile_rect(0).center())
    save_screen("inside-errors.png", f"Look inside > Errors: cell true {true} / predicted {pred} ({cm.max()} "
                                     f"digits) and its first digit clicked")


def inside_weights(w) -> None:
    digits_trained(w)
    show_page(w, inside(w).histograms)
    save_screen("inside-weights.png", "Look inside > Weight distributions")


def inside_gradient_health(w) -> None:
    """784-64-64-64-64-10 sigmoid, mini-batch GD (lr 0.1, batch 32) for 5 epochs on the bundled MNIST sample:
    the first layer's gradient far below the output layer's."""
    digits_defaults(w)
    after(w.state.datasetChanged, lambda: w.choose_dataset("sample"), "the MNIST sample to load")
    w.state.set_hidden(DEEP_SIGMOID)
    w.state.set_config({**w.state.settings, "optimizer": "minibatch", "lr": 0.1, "batch_size": 32, "epochs": 5,
                        "schedule": "constant", "augment": False})
    press_start(w)
    page = inside(w).gradients
    show_page(w, page)
    save_screen("inside-gradient-health.png", f"Look inside > Gradient health after {accuracy(w)}: "
                                              f"{page.summary.text()}")


def _draw(w, strokes, fill=0.6) -> None:
    tab = draw_tab(w)
    w.tabs.setCurrentWidget(tab)
    wait(500)
    tab.canvas.clear()
    side = min(tab.canvas.width(), tab.canvas.height())
    x0, y0 = (tab.canvas.width() - side) / 2, (tab.canvas.height() - side) / 2
    draw_strokes(tab.canvas, [np.asarray(s, float) for s in strokes], fill, (x0, y0, float(side)))
    wait(800)


def draw(w) -> None:
    digits_trained(w)
    four = [[(0.52, 0.15), (0.25, 0.6), (0.75, 0.6)], [(0.6, 0.35), (0.6, 0.9)]]
    tab = draw_tab(w)
    tab.guess.threshold.setValue(60)
    _draw(w, four, fill=0.8)
    save_screen("draw.png", f"a drawn 4, read as {int(np.argmax(tab.probabilities))} "
                            f"({tab.probabilities.max():.0%})")


def draw_not_sure(w) -> None:
    """A pen-drawn digit by a writer the network never saw, whose best guess is between 60 % and 90 %."""
    digits_trained(w)
    tab = draw_tab(w)
    tab.guess.threshold.setValue(90)
    for digit in _doubtful_pen_digits(w.state.network):
        _draw(w, digit.strokes)
        p = tab.probabilities
        if p is not None and 0.6 <= p.max() < 0.9:
            order = np.argsort(p)[::-1]
            save_screen("draw-not-sure.png", f"a pen-drawn {digit.label} (writer {digit.writer}) read as 'Not sure: "
                                             f"{order[0]} or {order[1]}?' ({p[order[0]]:.0%}, {p[order[1]]:.0%}) "
                                             f"below a 90 % threshold")
            return
    raise RuntimeError("no pen-drawn digit left the network unsure")


def _doubtful_pen_digits(net):
    """Unseen writers' digits whose best guess (by the engine's own rendering) is between 60 % and 90 %."""
    digits = [d for d in load_pendigits(bundled_pendigits()) if d.writer in EVAL_WRITERS]
    for d in digits:
        p = net.predict_proba(render_digit(d.strokes).reshape(1, -1))[0]
        if 0.62 <= p.max() < 0.88:
            yield d


def inside_hidden_layers(w) -> None:
    """What the hidden layers learn after the default training; a lonely dot of the last map clicked."""
    digits_trained(w)
    page = inside(w).layer_map
    show_page(w, page)
    until(lambda: page.shown_net is w.state.network and page.settled(), "the layer maps")
    last = page.maps[-1].projection.coords
    far = int(np.argmax(np.abs(last - last.mean(axis=0)).sum(axis=1)))
    page.pick(far)
    wait(300)
    seps = ", ".join(f"{m.name} {m.separation:.1%}" for m in page.maps)
    save_screen("inside-hidden-layers.png", f"Look inside > Hidden layers after {accuracy(w)}: separation {seps}")


def inside_confidence(w) -> None:
    digits_trained(w)
    page = inside(w).confidence
    show_page(w, page)
    until(lambda: page.result is not None, "the reliability diagram")
    save_screen("inside-confidence.png", f"Look inside > Confidence: ECE {page.result.ece:.2%}, "
                                         f"{page.result.mean_confidence:.1%} sure on average")


def draw_unfamiliar(w) -> None:
    """A scribble (a seeded zigzag) that the network reads with confidence, flagged as unlike any training digit."""
    digits_trained(w)
    tab = draw_tab(w)
    tab.guess.threshold.setValue(60)
    until(lambda: tab.familiarity.current is not None, "the familiarity threshold")
    rng = np.random.default_rng(0)
    for _ in range(40):
        scribble = [0.15 + rng.random((int(rng.integers(6, 12)), 2)) * 0.7]
        _draw(w, scribble)
        if tab.unfamiliar and tab.probabilities.max() >= 0.8:
            save_screen("draw-unfamiliar.png", f"a scribble read as {int(np.argmax(tab.probabilities))} "
                                               f"({tab.probabilities.max():.0%}), flagged: {tab.guess.caution.text()}")
            return
    raise RuntimeError("no scribble was both confidently read and flagged")


def compare_results(w) -> None:
    """Learning rate 0.05 and no augmentation; Compare… stochastic / mini-batch / batch GD for 2
    epochs; the curves against seconds, the results table floating over the diagram."""
    digits_defaults(w)
    w.state.set_config({**w.state.settings, "lr": COMPARE_LR, "augment": False})
    dialog = w.course_tools.show_compare("optimizer", ["sgd", "minibatch", "bgd"], 2)
    wait(300)
    rows = after(w.session.compared, dialog.run_button.click, "the comparison")[0]
    w.curves.set_x_axis("seconds")
    runs = "; ".join(f"{r['label']} {r['test_accuracy']:.1%} in {r['seconds']:.1f} s" for r in rows)
    save_screen("compare-results.png", f"three optimizers compared, 2 epochs each, against seconds: {runs}")
    w.curves.set_x_axis("epochs")
    w.course_tools.dock.hide()


def coach_lr_finder(w) -> None:
    """The range test on the default digits network; beside it the coach after an lr-5 momentum run."""
    digits_defaults(w)
    ct = w.course_tools
    found = after(w.session.lrFound, w.panel.lr_button.click, "the range test")[0]
    dialog = ct.lr_dialog
    wait(500)
    finder = dialog.grab().toImage()
    dialog.close()
    w.state.set_config({**w.state.settings, "optimizer": "momentum", "lr": 5.0, "epochs": 3,
                        "schedule": "constant"})
    press_start(w)
    wait(800)
    coach = ct.coach.grab().toImage()
    save(side_by_side([coach, finder], w.palette().window().color()), "coach-lr-finder.png",
         f"the coach after momentum lr 5; the range test on the default network suggests {found.suggestion:.3g} "
         f"(lowest loss at {found.lr_at_min:.3g}; {found.reason})")
    digits_defaults(w)


def playground_xor_perceptron(w) -> None:
    playground_lesson(w, "perceptron_xor")
    press_start(w)
    save_screen("playground-xor-perceptron.png", f"XOR perceptron lesson after 300 epochs, {accuracy(w)}")


def playground_xor_mlp(w) -> None:
    if w.playground.lesson is None or w.playground.lesson.key != "perceptron_xor":
        playground_lesson(w, "perceptron_xor")
    w.playground.then.click()                          # Add a hidden layer (8 tanh)
    press_start(w)
    save_screen("playground-xor-mlp.png", f"XOR with 8 tanh hidden neurons, {accuracy(w)}")


def playground_spiral(w) -> None:
    playground_lesson(w, "sigmoid_relu")
    press_start(w)
    sigmoid = accuracy(w)
    w.playground.then.click()                          # Now with ReLU
    press_start(w)
    give_maps_room(w)
    save_screen("playground-spiral.png", f"spiral 2-16-16-2: sigmoid {sigmoid}, then ReLU {accuracy(w)}, overlaid")


def playground_overfitting(w) -> None:
    playground_lesson(w, "overfitting")
    press_start(w)
    plain = accuracy(w)
    w.playground.then.click()                          # Add L2 weight decay (0.01)
    press_start(w)
    save_screen("playground-overfitting.png", f"overfitting: {plain} without, then {accuracy(w)} with weight decay")


def playground_augmentation(w) -> None:
    playground_lesson(w, "overfitting")
    press_start(w)
    plain = accuracy(w)
    for _ in range(3):                                 # weight decay, dropout, then Augmentation instead (jitter)
        w.playground.then.click()
        wait(300)
    press_start(w)
    save_screen("playground-augmentation.png", f"overfitting: {plain} without, then {accuracy(w)} with jittered "
                "points")


def playground_initialisation(w) -> None:
    playground_lesson(w, "initialisation")
    press_start(w)
    zeros = accuracy(w)
    w.playground.then.click()                          # Too large: sigma = 30
    press_start(w)
    large = accuracy(w)
    w.playground.then.click()                          # Xavier (the default)
    press_start(w)
    save_screen("playground-initialisation.png", f"initialisation: zeros {zeros}, σ = 30 {large}, Xavier "
                f"{accuracy(w)}, overlaid")


def give_maps_room(w) -> None:
    """Drag the splitter under the plane up until the neuron maps of every hidden layer show whole."""
    right, pg = w.curves.parentWidget(), w.playground
    top, middle = right.indexOf(pg.top), right.indexOf(pg.middle)

    def cut() -> bool:
        return bool(pg.maps.rects) and max(r.bottom() for _, _, r in pg.maps.rects) > pg.maps.height() - 2
    while cut() and right.sizes()[top] > 200:
        sizes = right.sizes()
        sizes[top], sizes[middle] = sizes[top] - 10, sizes[middle] + 10
        right.setSizes(sizes)
        wait(100)
    wait(400)


def crash_course(w) -> None:
    """Help > Crash course at the perceptron; its Show me sets up the XOR lesson; Start."""
    w.guide.open_at("perceptron")
    wait(500)
    button = dict(w.guide.show_buttons)["xor_perceptron"]
    after(w.state.datasetChanged, button.click, "the XOR lesson's points")
    press_start(w)
    save_screen("crash-course.png", "the crash course docked beside the XOR lesson")
    w.guide.hide()


PICTURES = {
    "compare-results": compare_results,
    "main-window": main_window, "main-window-dark": main_window_dark,
    "inside-forward-backward": inside_forward_backward, "inside-activations": inside_activations,
    "inside-first-layer": inside_first_layer, "inside-errors": inside_errors, "inside-weights": inside_weights,
    "draw": draw, "draw-not-sure": draw_not_sure, "step": step_phases,
    "inside-gradient-health": inside_gradient_health,
    "coach-lr-finder": coach_lr_finder,
    "playground-xor-perceptron": playground_xor_perceptron, "playground-xor-mlp": playground_xor_mlp,
    "playground-spiral": playground_spiral, "crash-course": crash_course,
    "playground-overfitting": playground_overfitting, "playground-initialisation": playground_initialisation,
    "playground-augmentation": playground_augmentation,
    "inside-hidden-layers": inside_hidden_layers, "inside-confidence": inside_confidence,
    "draw-unfamiliar": draw_unfamiliar,
}


def main(names) -> None:
    unknown = [n for n in names if n not in PICTURES]
    if unknown:
        sys.exit(f"unknown picture(s) {unknown}; choose from {sorted(PICTURES)}")
    OUT.mkdir(parents=True, exist_ok=True)
    w = MainWindow()
    w.prompts.ask_unsaved = lambda *_: "discard"       # the student's answers to the questions that would block
    w.prompts.ask_discard_trained = lambda why: True
    w.menus.theme.set_mode("light")
    w.resize(*SIZE)
    w.move(0, 0)
    w.show()
    wait(1500)
    left = w.panel.parentWidget()
    while not isinstance(left, QScrollArea):
        left = left.parentWidget()
    for name, take in PICTURES.items():
        if not names or name in names:
            left.verticalScrollBar().setValue(0)      # each picture starts with the left column at its top
            take(w)
    w.session.shutdown()
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
