"""TrainingPanel: loss, optimizer and its settings, data set, Start / Pause / Stop / One epoch, progress, the current
network's result and the notices of the run.

Settings are written to AppState as typed; the engine judges them (TrainConfig.validate, validate_spec) and a
refused value is shown refused beside its field with the engine's sentence, while Start stays off and says why
(the precondition `settings_valid` of the actions table). Which buttons and fields are on is the actions table's
answer for the model's activity (app/controls.py): learning rate, momentum and batch size stay live while training
and reach the running session at once (before the trainer's next batch); the other settings are locked. The
progress (value, maximum, text) is emitted as progressChanged so the status bar shows the same batch at the same
moment; a finished run's "Done" belongs to the generation it finished in and goes with it.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from app import choices
from app.training_checks import CHECKED, field_problems, training_problem
from app.widgets import tips
from app.widgets.field_messages import NoticeArea, RefusalLabel, error_color
from app.widgets.named import compact, named, pair
from app.widgets.number_field import NumberField
from app.widgets.run_progress import RunProgress
from app.widgets.wheel_guard import ComboBox, DoubleSpinBox, SpinBox
from app.workspace import DIGITS, PLAYGROUND
from engine.data import mnist_available
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS

DATASETS = {"sample+drawn": "Bundled digits (scanned + pen-drawn)",
            "sample": "Bundled MNIST sample (5,000 digits)", "mnist": "Full MNIST (60,000 digits)"}
OPEN_ITEM = "__open__"
FIELD_WIDTH = 90
MAX_TYPED = 2**31 - 1                          # a spin box's own ceiling: what is typed is kept, the engine judges
BLOCKED_TEXT = "Fix the value in red to start"
AUGMENT_LABELS = {DIGITS: ("Augment (shift, rotate, scale, thicken)", tips.AUGMENT),
                  PLAYGROUND: ("Augment (jitter the points)", tips.AUGMENT_POINTS)}


class TrainingPanel(QWidget):
    startRequested = Signal()
    oneEpochRequested = Signal()
    pauseToggled = Signal()
    stopRequested = Signal()
    compareRequested = Signal()
    lrFinderRequested = Signal()
    datasetRequested = Signal(str)      # "sample" | "mnist" | a path the user opened

    def __init__(self, state, session, controls, parent=None):
        super().__init__(parent)
        self.state, self.session, self.controls = state, session, controls
        self._blocker = ""
        self.refusals: dict[str, RefusalLabel] = {}
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<b>Training</b>"))
        outer.addLayout(self._build_form())
        outer.addLayout(self._build_buttons())
        self.progress = RunProgress(state)
        self.progressChanged = self.progress.changed      # the status bar's indicator follows the same signal
        outer.addWidget(self.progress)
        self.result = QLabel("")
        named(self.result, "trainingResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        outer.addWidget(self.result)
        outer.addLayout(self._build_tools())
        self.notice = NoticeArea()                  # last in the panel: showing it moves nothing above
        outer.addWidget(self.notice)
        outer.addStretch(1)

        self._fill_datasets()
        self.sync()
        self._wire()
        self._bind(controls)

    def _bind(self, controls) -> None:
        bind = controls.bind
        bind("start", self.start_button)
        bind("one_epoch", self.epoch_button)
        bind("pause", self.pause_button)
        bind("stop", self.stop_button)
        bind("compare", self.compare_button)
        bind("find_lr", self.lr_button)
        bind("choose_data", self.dataset)
        bind("edit_settings", self.loss, self.optimizer, self.epochs, self.schedule, self.patience,
             self.val_fraction, self.weight_decay, self.train_subset, self.seed, self.augment)
        bind("edit_live", self.lr)
        bind("edit_momentum", self.momentum)
        bind("edit_batch_size", self.batch_size)
        controls.define("settings_valid", lambda: not self._blocker, why=lambda: self._blocker)
        controls.define("uses_momentum", lambda: self.state.settings.get("optimizer") in ("momentum", "nesterov"))
        controls.define("uses_batches", lambda: self.state.settings.get("optimizer") not in ("sgd", "bgd"))
        self.state.activity.changed.connect(self._activity)

    # ---- building -----------------------------------------------------------------------------------
    def _build_form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.dataset = compact(named(ComboBox(), "datasetCombo", tips.DATASET), 16)
        self.loss = self._combo(choices.losses(), tips.LOSS, "lossCombo", LOSSES)
        self.optimizer = self._combo(choices.optimizers(), tips.OPTIMIZER, "optimizerCombo", OPTIMIZERS)
        self.lr = named(NumberField(tips.LEARNING_RATE), "learningRateInput")
        self.momentum = self._double(0.0, 0.999, 3, tips.MOMENTUM, "momentum")
        self.batch_size = self._int(0, MAX_TYPED, tips.BATCH_SIZE, "batchSize")
        self.epochs = self._int(0, MAX_TYPED, tips.EPOCHS, "epochs")
        self.schedule = self._combo(choices.schedules(), tips.SCHEDULE, "scheduleCombo")
        self.patience = self._int(0, 1000, tips.PATIENCE, "patience")
        self.patience.setSpecialValueText("off")
        self.val_fraction = self._double(0.0, 0.5, 2, tips.VALIDATION, "validationFraction")
        self.val_fraction.setSingleStep(0.05)
        self.weight_decay = self._double(0.0, 1.0, 5, tips.WEIGHT_DECAY, "weightDecay")
        self.weight_decay.setSingleStep(0.001)
        self.train_subset = self._int(0, MAX_TYPED, tips.TRAIN_SUBSET, "trainSubset")
        self.train_subset.setSpecialValueText("all")
        self.train_subset.setSingleStep(100)
        self.seed = self._int(0, MAX_TYPED, tips.SEED, "seed")
        self.augment = named(QCheckBox(AUGMENT_LABELS[DIGITS][0]), "augmentCheck", tips.AUGMENT)
        for label, widget in (("Data set", self.dataset), ("Loss", self.loss), ("Optimizer", self.optimizer),
                              ("Learning rate", self._checked("lr", self.lr)),
                              ("Momentum", pair(self.momentum, "Weight decay", self.weight_decay)),
                              ("Batch size", self._checked("batch_size", self.batch_size)),
                              ("Epochs", self._checked("epochs", self.epochs)), ("LR schedule", self.schedule),
                              ("Early stopping", pair(self.patience, "Validation", self.val_fraction)),
                              ("Seed", pair(self.seed, "Train on", self.train_subset)), ("", self.augment)):
            form.addRow(label, widget)
        return form


    def _build_buttons(self) -> QGridLayout:
        buttons = QGridLayout()
        self.start_button = self._button("Start", "startButton", "Build a fresh network from the architecture and "
                                         "train it (Ctrl+Return).")
        self.pause_button = self._button("Pause", "pauseButton", "Pause or resume training; the weights stay as they are.")
        self.stop_button = self._button("Stop", "stopButton", "Stop after the current batch and keep the weights (Esc).")
        self.epoch_button = self._button("One epoch", "oneEpochButton", "Train the current network for one more "
                                         "epoch (one pass through the training set).")
        self.start_button.setDefault(True)
        bold = self.start_button.font()
        bold.setBold(True)                       # a font, not a style sheet: the theme's palette keeps applying
        self.start_button.setFont(bold)
        # six columns: Start | One epoch | Step (a whole run, one pass, one step) above two pairs
        buttons.addWidget(self.start_button, 0, 0, 1, 2)
        buttons.addWidget(self.epoch_button, 0, 2, 1, 2)
        buttons.addWidget(self.pause_button, 1, 0, 1, 3)
        buttons.addWidget(self.stop_button, 1, 3, 1, 3)
        for column in range(6):
            buttons.setColumnStretch(column, 1)
        self.buttons = buttons
        return buttons

    def _build_tools(self) -> QHBoxLayout:
        """The course's tools, under the run's progress and result (which a student looks for first)."""
        self.compare_button = self._button("Compare…", "compareButton", "Train 2-4 variants that differ in one "
                                           "setting, from the same start, and compare their curves and results.")
        self.lr_button = self._button("Find learning rate…", "lrFinderButton", "Run the learning-rate range test "
                                      "from the weights Start begins with and suggest a rate to start with.")
        row = QHBoxLayout()
        row.addWidget(self.compare_button, 1)
        row.addWidget(self.lr_button, 1)
        return row

    def add_beside_start(self, button) -> None:
        """The third button of Start's row (the step-through's Step)."""
        self.buttons.addWidget(button, 0, 4, 1, 2)

    def _combo(self, items: dict, tip: str, name: str, registry: dict | None = None) -> QComboBox:
        c = compact(named(ComboBox(), name, tip))
        for key, label in items.items():
            c.addItem(label, key)
            if registry is not None and key in registry:
                c.setItemData(c.count() - 1, tips.entry_tip(registry[key]), Qt.ToolTipRole)
        return c

    def _double(self, lo, hi, decimals, tip, name) -> QDoubleSpinBox:
        s = named(DoubleSpinBox(), name, tip)
        s.setRange(lo, hi)
        s.setDecimals(decimals)
        s.setKeyboardTracking(False)
        s.setFixedWidth(FIELD_WIDTH)
        return s

    def _int(self, lo, hi, tip, name) -> QSpinBox:
        s = named(SpinBox(), name, tip)
        s.setRange(lo, hi)
        s.setKeyboardTracking(False)
        s.setFixedWidth(FIELD_WIDTH)
        return s

    def _checked(self, name: str, field) -> QWidget:
        """The field with room beside it for the engine's reason when it refuses the value."""
        field.setFixedWidth(FIELD_WIDTH)
        self.refusals[name] = RefusalLabel(2, f"{field.objectName()}Refusal", small=True)
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        row.addWidget(self.refusals[name], 1)
        return box

    def _button(self, text, name, tip) -> QPushButton:
        return named(QPushButton(text), name, tip)

    def _fill_datasets(self, name: str | None = None) -> None:
        have_mnist = bool(mnist_available())
        self.dataset.blockSignals(True)
        self.dataset.clear()
        for key, label in DATASETS.items():
            self.dataset.addItem(label if key != "mnist" or have_mnist else label + " — not downloaded", key)
        if not have_mnist:
            self.dataset.model().item(list(DATASETS).index("mnist")).setEnabled(False)
        name = self.state.dataset_name if name is None else name
        if name not in DATASETS:
            self.dataset.addItem(str(name), name)
        self.dataset.addItem("Open folder or file…", OPEN_ITEM)
        self.dataset.setCurrentIndex(max(self.dataset.findData(name), 0))
        self.dataset.blockSignals(False)

    # ---- state <-> widgets --------------------------------------------------------------------------
    def sync(self, *_) -> None:
        s = self.state.settings
        widgets = (self.loss, self.optimizer, self.lr, self.momentum, self.batch_size, self.epochs, self.schedule,
                   self.patience, self.val_fraction, self.weight_decay, self.train_subset, self.seed, self.augment)
        for w in widgets:
            w.blockSignals(True)
        self.loss.setCurrentIndex(max(self.loss.findData(self.state.spec["loss"]), 0))
        self.optimizer.setCurrentIndex(max(self.optimizer.findData(s["optimizer"]), 0))
        self.lr.setValue(s["lr"])
        self.momentum.setValue(s["momentum"])
        self.batch_size.setValue(s["batch_size"])
        self.epochs.setValue(s["epochs"])
        self.schedule.setCurrentIndex(max(self.schedule.findData(s["schedule"]), 0))
        self.patience.setValue(s["patience"])
        self.val_fraction.setValue(s["val_fraction"])
        self.weight_decay.setValue(s.get("weight_decay", 0.0))
        self.train_subset.setValue(s.get("train_subset", 0))
        self.seed.setValue(s["seed"])
        self.augment.setChecked(bool(s["augment"]))
        label, tip = AUGMENT_LABELS[self.state.mode]          # images are warped, points jittered
        self.augment.setText(label)
        self.augment.setToolTip(tip)
        for w in widgets:
            w.blockSignals(False)
        self._update_enabled()
        self._check()

    def _wire(self) -> None:
        st = self.state
        self.loss.currentIndexChanged.connect(lambda: st.set_loss(self.loss.currentData()))
        self.optimizer.currentIndexChanged.connect(lambda: self._set("optimizer", self.optimizer.currentData()))
        self.schedule.currentIndexChanged.connect(lambda: self._set("schedule", self.schedule.currentData()))
        self.epochs.valueChanged.connect(lambda v: self._set("epochs", v))
        self.patience.valueChanged.connect(lambda v: self._set("patience", v))
        self.val_fraction.valueChanged.connect(lambda v: self._set("val_fraction", round(v, 4)))
        self.weight_decay.valueChanged.connect(lambda v: self._set("weight_decay", round(v, 6)))
        self.train_subset.valueChanged.connect(lambda v: self._set("train_subset", v))
        self.seed.valueChanged.connect(lambda v: self._set("seed", v))
        self.augment.toggled.connect(lambda v: self._set("augment", bool(v)))
        self.lr.valueEdited.connect(self._lr_edited)
        self.momentum.valueChanged.connect(lambda v: self._live("momentum", v, self.session.set_momentum))
        self.batch_size.valueChanged.connect(lambda v: self._live("batch_size", v, self.session.set_batch_size))
        self.dataset.activated.connect(self._dataset_chosen)
        st.specChanged.connect(self.sync)
        st.configChanged.connect(self.sync)
        st.datasetChanged.connect(lambda _: self._check())      # what fits in memory depends on its size
        st.noteChanged.connect(self.show_notice)
        self.session.warning.connect(self.show_notice)
        self.session.started.connect(self.notice.clear)         # a notice stays until the next run
        self.start_button.clicked.connect(self.startRequested)
        self.epoch_button.clicked.connect(self.oneEpochRequested)
        self.pause_button.clicked.connect(self.pauseToggled)
        self.stop_button.clicked.connect(self.stopRequested)
        self.compare_button.clicked.connect(self.compareRequested)
        self.lr_button.clicked.connect(self.lrFinderRequested)

    def _set(self, name, value) -> None:
        self.state.set_setting(name, value)
        self._update_enabled()
        self._check()

    def _live(self, name, value, apply) -> None:
        self.state.set_setting(name, value)
        problems = self._check()
        if self.session.is_running() and name not in problems:
            apply(value)

    def _lr_edited(self, value) -> None:
        if value is None:                 # not a number: it stays in the field, refused, and reaches no one
            self._check()
        else:
            self._live("lr", value, self.session.set_lr)

    def _update_enabled(self) -> None:
        self.controls.refresh()                # momentum and batch size follow the optimizer

    def _dataset_chosen(self, index: int) -> None:
        key = self.dataset.itemData(index)
        if key == OPEN_ITEM:
            folder = QFileDialog.getExistingDirectory(self, "Open a folder of MNIST IDX files")
            if not folder:
                self._fill_datasets()
                return
            key = folder
        self.datasetRequested.emit(key)

    def show_dataset(self, name: str) -> None:
        """Show `name` as the chosen data set (the model's; a view never sets it)."""
        self._fill_datasets(name)

    # ---- what the engine refuses --------------------------------------------------------------------
    def _check(self) -> dict[str, str]:
        """Show what the engine refuses beside its field; Start is off while anything is refused."""
        problems = field_problems(self.state.settings)
        if self.lr.problem():                   # not even a number: the field's own sentence
            problems["lr"] = self.lr.problem()
        for name in CHECKED:
            self.refusals[name].set_reason(problems.get(name, ""))
        self.lr.set_refusal(problems.get("lr", ""))
        ds = self.state.dataset
        self._blocker = next((problems[n] for n in CHECKED if n in problems), "") or training_problem(
            self.state.config(), self.state.spec, len(ds.x_train) if ds is not None else None)
        self._update_start()
        return problems

    def blocker(self) -> str:
        """Why Start is off ('' when it is not)."""
        return self._blocker

    def _update_start(self) -> None:
        """Start and One epoch say why they are off; whether they are on is the actions table's answer."""
        for button, tip in ((self.start_button, "Build a fresh network from the architecture and train it "
                             "(Ctrl+Return)."),
                            (self.epoch_button, "Train the current network for one more epoch (one pass through "
                             "the training set).")):
            button.setToolTip(f"{button.text()} is off: {self._blocker}" if self._blocker else tip)
        self.progress.blocked = BLOCKED_TEXT if self._blocker else ""
        if self.state.activity.idle:
            self.progress.show_idle()
        self.controls.refresh()

    # ---- running state and progress -----------------------------------------------------------------
    def _activity(self, kind: str) -> None:
        self.pause_button.setText("Resume" if self.state.activity.paused else "Pause")
        if kind == "idle":
            self._update_start()

    def begin(self, epochs: int) -> None:
        """A run begins: its progress from 0, no result of the network it replaces, no notice of the last run."""
        self.notice.clear()
        self.show_result(None)
        self.progress.begin(epochs)

    # ---- the result line and notices ----------------------------------------------------------------
    def show_result(self, results) -> None:
        """Report the current network's test accuracy (the coach says what a chance-level one means); None: nothing."""
        self.result.setStyleSheet("")
        acc = (results or {}).get("test_accuracy")
        if acc is None:
            self.result.setText("")
            return
        ds = self.state.dataset
        n = results.get("n_test") or 0
        what = "digits" if getattr(ds, "image_shape", None) == (28, 28) else "samples"
        self.result.setText(f"<b>Test accuracy: {100 * acc:.2f}%</b>" +
                            (f" on {n:,} test {what} it never saw." if n else "."))

    def show_error(self, text: str) -> None:
        """A run that failed or diverged: the sentence in a red that reads in either theme."""
        self.result.setStyleSheet("")
        self.result.setText(f"<span style='color: {error_color(self.palette())}'>{html.escape(text)}</span>")

    def show_notice(self, text: str) -> None:
        """A sentence the user must not miss: it stays until dismissed or until the next run starts."""
        self.notice.show_notice(text)
