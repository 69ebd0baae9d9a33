"""PlaygroundControls: the Digits | Playground switch (`playgroundTab`) at the top of Build & train's left column,
and in Playground mode the generated data set (`playgroundDataset`), its points, noise, test share and seed, the
preset it brought, and the lessons.

Everything goes through the model: the switch shows the model's other workspace (AppState.switch_mode: each mode
keeps its network, settings, curves, results and step position); a data set is loaded by AppState.load_dataset
with its parameters; choosing a set (or a lesson) applies its preset (network, output and loss, training settings)
once the data is in, so the builder and the training panel show it and the student can change any of it, after
asking (`confirm_replace`) when that would throw away the playground's trained work. Moving a slider only
regenerates the data. The one training panel (Start, Stop, ...) trains on whatever the model holds.
"""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QFormLayout, QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton,
                               QSlider, QTabBar, QVBoxLayout, QWidget)

from app import choices
from app.widgets.playground.lessons import AFTER_THE_COURSE, BY_KEY, LESSONS, Step
from app.widgets.wheel_guard import ComboBox, Slider, SpinBox
from app.workspace import DIGITS, PLAYGROUND as PLAYGROUND_MODE
from engine.data.toy import LABELS, TOY_NAMES
from engine.presets import PLAYGROUND

RELOAD_MS = 200          # a slider settles this long before the data set is regenerated


class PlaygroundControls(QWidget):
    modeChanged = Signal(bool)             # True: Playground, False: Digits
    compareAsked = Signal(str, object)     # a lesson's step: open Compare… set up with (setting, values)

    def __init__(self, state, controls, parent=None):
        super().__init__(parent)
        self.state, self.controls = state, controls
        self._pending = None               # what to apply when the data set asked for arrives
        self.confirm_replace = lambda: True    # asks before a preset replaces the playground's trained work
        self.lesson = None
        self.follow = 0                    # how many of the lesson's follow-ups were taken
        self._reload = QTimer(self, singleShot=True, interval=RELOAD_MS, timeout=self.regenerate)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.mode = QTabBar()
        self.mode.setObjectName("playgroundTab")
        self.mode.setAccessibleName("playgroundTab")
        self.mode.addTab("Digits")
        self.mode.addTab("Playground")
        self.mode.setToolTip("Digits: images of handwritten digits. Playground: points in a plane (or a curve), "
                             "to see what a perceptron and an MLP can learn.")
        layout.addWidget(self.mode)
        self.box = QFrame()
        self.box.setFrameShape(QFrame.StyledPanel)
        inner = QVBoxLayout(self.box)
        inner.addLayout(self._build_data())
        inner.addWidget(self._build_lessons())
        self.box.setVisible(False)
        layout.addWidget(self.box)
        self.mode.currentChanged.connect(self._mode_changed)
        state.modeChanged.connect(self._follow_mode)
        state.datasetChanged.connect(self._dataset_arrived)
        state.specChanged.connect(lambda _: self._show_preset())
        state.configChanged.connect(lambda _: self._show_preset())
        state.resultsChanged.connect(self._show_result)
        controls.bind("switch_mode", self.mode)
        controls.bind("choose_data", self.dataset, self.points, self.noise, self.split, self.seed)
        controls.bind("lesson", *self.findChildren(QPushButton))

    # ---- widgets --------------------------------------------------------------------------------------
    def _build_data(self) -> QFormLayout:
        form = QFormLayout()
        self.dataset = ComboBox()
        self.dataset.setObjectName("playgroundDataset")
        self.dataset.setAccessibleName("playgroundDataset")
        for name in TOY_NAMES:
            self.dataset.addItem(LABELS[name], name)
        self.dataset.setToolTip("A generated data set; choosing one also sets a network and settings that suit it.")
        self.dataset.activated.connect(lambda _: self.choose(self.dataset.currentData()))
        self.points = self._slider("playgroundPoints", 20, 2000, 10, "How many points are generated (training "
                                   "and test together).")
        self.noise = self._slider("playgroundNoise", 0, 100, 1, "Noise: the standard deviation of the jitter "
                                  "added to every point (x 0.01; the XOR clusters sit at ±1).")
        self.split = self._slider("playgroundSplit", 10, 50, 5, "Share of the points kept for testing (%).")
        self.seed = SpinBox()
        self.seed.setRange(0, 99999)
        self.seed.setObjectName("playgroundSeed")
        self.seed.setToolTip("The same seed gives the same points.")
        self.seed.valueChanged.connect(lambda _: self._reload.start())
        for slider, value in ((self.points, 200), (self.noise, 10), (self.split, 30)):
            slider.setValue(value)                  # the generators' defaults
        self._reload.stop()
        form.addRow("Data set", self.dataset)
        form.addRow("Points", self._with_value(self.points, lambda v: f"{v}"))
        form.addRow("Noise", self._with_value(self.noise, lambda v: f"{v / 100:.2f}"))
        form.addRow("Test share", self._with_value(self.split, lambda v: f"{v} %"))
        form.addRow("Seed", self.seed)
        self.preset = QLabel()
        self.preset.setObjectName("playgroundPreset")
        self.preset.setWordWrap(True)
        form.addRow(self.preset)
        self.result = QLabel()
        self.result.setObjectName("playgroundResult")
        self.result.setWordWrap(True)
        form.addRow(self.result)
        return form

    def _slider(self, name, lo, hi, step, tip) -> QSlider:
        s = Slider(Qt.Horizontal)
        s.setObjectName(name)
        s.setAccessibleName(name)
        s.setRange(lo, hi)
        s.setSingleStep(step)
        s.setPageStep(step * 5)
        s.setToolTip(tip)
        s.valueChanged.connect(lambda _: self._reload.start())
        return s

    @staticmethod
    def _with_value(slider: QSlider, text) -> QWidget:
        row = QWidget()
        box = QHBoxLayout(row)
        box.setContentsMargins(0, 0, 0, 0)
        value = QLabel(text(slider.value()))
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance("0000 %"))
        slider.valueChanged.connect(lambda v: value.setText(text(v)))
        box.addWidget(slider, 1)
        box.addWidget(value)
        return row

    def _build_lessons(self) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 4, 0, 0)
        grid.addWidget(QLabel("<b>Lessons</b> (one click sets everything up; then press Start)"), 0, 0, 1, 2)
        lessons = LESSONS + AFTER_THE_COURSE
        for i, lesson in enumerate(lessons):
            b = QPushButton(lesson.title)
            b.setObjectName(f"lesson_{lesson.key}")
            b.setToolTip(lesson.text)
            b.clicked.connect(lambda _=False, k=lesson.key: self.start_lesson(k))
            grid.addWidget(b, 1 + i, 0, 1, 2)
        self.lesson_text = QLabel()
        self.lesson_text.setObjectName("lessonText")
        self.lesson_text.setWordWrap(True)
        self.lesson_text.setVisible(False)
        grid.addWidget(self.lesson_text, 1 + len(lessons), 0, 1, 2)
        self.then = QPushButton()
        self.then.setObjectName("lessonThen")
        self.then.setVisible(False)
        self.then.clicked.connect(self.lesson_then)
        grid.addWidget(self.then, 2 + len(lessons), 0, 1, 2)
        return box

    # ---- mode -----------------------------------------------------------------------------------------
    def playground(self) -> bool:
        return self.mode.currentIndex() == 1

    def _mode_changed(self, index: int) -> None:
        """The switch: the other workspace, as it was left (the playground's first visit loads its first set)."""
        mode = PLAYGROUND_MODE if index == 1 else DIGITS
        if mode == self.state.mode:
            return
        if not self.controls.attempt("switch_mode"):
            self._follow_mode(self.state.mode)
            return
        self.state.switch_mode(mode)
        ws = self.state.ws
        if mode == PLAYGROUND_MODE and not ws.visited:
            ws.visited = True
            self.choose(self.dataset.currentData())

    def _follow_mode(self, mode: str) -> None:
        """The model's mode (the switch, a lesson, an opened project, New): the switch and the box show it."""
        on = mode == PLAYGROUND_MODE
        if self.mode.currentIndex() != int(on):
            self.mode.blockSignals(True)
            self.mode.setCurrentIndex(int(on))
            self.mode.blockSignals(False)
        self.box.setVisible(on)
        self.modeChanged.emit(on)

    # ---- data sets and presets ------------------------------------------------------------------------
    def params(self) -> dict:
        return {"n": self.points.value(), "noise": self.noise.value() / 100, "seed": self.seed.value(),
                "test_fraction": self.split.value() / 100}

    def _set_sliders(self, points: int, noise: float, seed: int | None = None) -> None:
        pairs = [(self.points, points), (self.noise, round(noise * 100))] + ([(self.seed, seed)] if seed is not None
                                                                            else [])
        for w, v in pairs:
            w.blockSignals(True)
            w.setValue(v)
            w.blockSignals(False)
            w.valueChanged.emit(w.value())        # the value labels follow
        self._reload.stop()

    def choose(self, name: str, step: Step | None = None, points=None, noise=None) -> bool:
        """Load generated set `name`; when it is in, apply its preset (or a lesson's step). Asks first when that
        would throw away the playground's trained work; False if the user kept it."""
        if self.state.ws.has_work() and not self.confirm_replace():
            self._follow(self.state.dataset)
            return False
        self._choose_now(name, step, points, noise)
        return True

    def _choose_now(self, name: str, step: Step | None = None, points=None, noise=None, seed=None) -> None:
        preset = PLAYGROUND[name]
        self.dataset.setCurrentIndex(self.dataset.findData(name))
        self._set_sliders(points or preset.points, preset.noise if noise is None else noise, seed)
        if step is None:
            self.lesson = None
            self.lesson_text.setVisible(False)
            self.then.setVisible(False)
        self._pending = (name, step)
        self.state.load_dataset(name, **self.params())

    def regenerate(self) -> None:
        """The sliders moved: the same set with the new parameters; the network and settings stay."""
        if self.playground():
            self.state.load_dataset(self.dataset.currentData(), **self.params())

    def _dataset_arrived(self, ds) -> None:
        pending, self._pending = self._pending, None
        if ds is None:
            return
        self._follow(ds)
        if pending is not None and getattr(ds, "key", None) == pending[0]:
            self.apply(pending[1])
        self._show_preset()

    def _follow(self, ds) -> None:
        """The playground's data set (a choice, a slider, a lesson, an opened project): the combo and the sliders
        show its parameters."""
        if getattr(ds, "key", "") not in PLAYGROUND:
            return
        p = ds.params
        self.dataset.setCurrentIndex(self.dataset.findData(ds.key))
        for w, v in ((self.points, p.get("n")), (self.noise, round(100 * p.get("noise", 0))),
                     (self.split, round(100 * p.get("test_fraction", 0.3))), (self.seed, p.get("seed"))):
            w.blockSignals(True)
            w.setValue(int(v))
            w.blockSignals(False)
            w.valueChanged.emit(w.value())
        self._reload.stop()

    def apply(self, step: Step | None = None) -> None:
        """The current set's preset, or a lesson's step on top of it: the spec, then the settings."""
        ds = self.state.dataset
        preset = PLAYGROUND[ds.key]
        config = dataclasses.replace(preset.config, seed=self.state.settings.get("seed", 0))
        if step is not None:
            preset = dataclasses.replace(preset, hidden=step.hidden, output=step.output, loss=step.loss)
            config = dataclasses.replace(config, **step.settings)
        outputs = 1 if ds.task == "regression" else ds.n_classes
        self.state.set_config(config)
        spec = preset.spec(ds.n_features, outputs, self.state.settings["seed"])
        self.state.set_spec(step.shape(spec) if step is not None else spec)

    # ---- lessons --------------------------------------------------------------------------------------
    def start_lesson(self, key: str) -> bool:
        """The lesson's scene in the playground workspace (after asking, if it replaces trained work there)."""
        if not self.controls.attempt("lesson"):
            return False
        lesson = BY_KEY[key]
        ws = self.state.workspaces[PLAYGROUND_MODE]
        if ws.has_work() and not self.confirm_replace():
            return False
        if self.state.mode != PLAYGROUND_MODE:
            self.state.switch_mode(PLAYGROUND_MODE)
            ws.visited = True
        self.lesson, self.follow = lesson, 0
        self.lesson_text.setText(f"<b>{lesson.title}.</b> {lesson.text}")
        self.lesson_text.setVisible(True)
        self._show_next()
        self._choose_now(lesson.dataset, lesson.first, lesson.points, lesson.noise, lesson.seed)
        return True

    def _show_next(self) -> None:
        """The follow-up button names the lesson's next step (hidden after the last)."""
        ups = self.lesson.follow_ups if self.lesson is not None else ()
        self.then.setVisible(self.follow < len(ups))
        if self.follow < len(ups):
            self.then.setText(ups[self.follow].label)

    def lesson_then(self) -> None:
        """The lesson's next step on the same points: its network and settings (after asking, if trained)."""
        lesson = self.lesson
        ups = lesson.follow_ups if lesson is not None else ()
        if self.follow >= len(ups) or self.state.dataset is None:
            return
        if not self.controls.attempt("lesson") or (self.state.trained and not self.confirm_replace()):
            return
        up = ups[self.follow]
        if up.step.points:                         # new points of the same kind first; the step once they are in
            self._choose_now(lesson.dataset, up.step, up.step.points, lesson.noise, lesson.seed)
        else:
            self.apply(up.step)
        self.follow += 1
        self._show_next()
        self.lesson_text.setText(f"<b>{lesson.title}.</b> {lesson.text}<br><i>{up.text}</i> "
                                 + ("" if up.step.compare else "Press Start."))
        if up.step.compare:
            self.compareAsked.emit(up.step.compare[0], list(up.step.compare[1]))

    # ---- what the panel shows -------------------------------------------------------------------------
    def _show_preset(self) -> None:
        ds, spec, s = self.state.dataset, self.state.spec, self.state.settings
        if ds is None or getattr(ds, "key", "") not in PLAYGROUND:
            self.preset.setText("")
            return
        sizes = "-".join(str(n) for n in [spec["input_size"]] + [l["units"] for l in spec["layers"]])
        hidden = ", ".join(sorted({choices.activation_label(l["activation"]) for l in spec["layers"][:-1]}))
        out = choices.activation_label(spec["layers"][-1]["activation"])
        self.preset.setText(
            f"<small>Network {sizes}{' (' + hidden + ')' if hidden else ' (a perceptron)'} · output {out} · "
            f"{choices.loss_label(spec['loss'])} · {choices.optimizer_label(s['optimizer'])} lr {s['lr']:g} · "
            f"batch {s['batch_size']} · {s['epochs']} epochs. Change any of them below.</small>")

    def _show_result(self, results) -> None:
        mse = (results or {}).get("test_mse")
        n = (results or {}).get("n_test") or 0
        self.result.setText("" if mse is None else
                            f"<b>Test MSE: {mse:.4f}</b> (mean squared error) on {n:,} test points it never saw.")
