"""TrainingPanel: loss, optimizer and its settings, data set, Start / Pause / Stop / One epoch, progress.

Settings are written to AppState. Learning rate, momentum and batch size also reach a running session at once
(the trainer applies them before its next batch); the other settings are locked while training runs.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QGridLayout,
                               QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from app.state import LOSSES, _known
from app.widgets import tips

OPTIMIZERS = {"sgd": "Stochastic GD (1 sample/step)", "bgd": "Batch GD (whole set/step)",
              "minibatch": "Mini-batch GD", "momentum": "Momentum", "nesterov": "Nesterov momentum",
              "rmsprop": "RMSProp", "adam": "Adam"}
SCHEDULES = {"constant": "Constant", "step": "Step decay", "cosine": "Cosine decay"}
DATASETS = {"sample": "Bundled sample (5,000 digits)", "mnist": "Full MNIST (60,000 digits)"}
OPEN_ITEM = "__open__"
PROGRESS_MAX = 1000


def _mnist_available() -> bool:
    try:
        from engine.data import mnist_available
    except ImportError:
        return False
    return bool(mnist_available())


class TrainingPanel(QWidget):
    startRequested = Signal()
    oneEpochRequested = Signal()
    pauseToggled = Signal()
    stopRequested = Signal()
    datasetRequested = Signal(str)      # "sample" | "mnist" | a path the user opened

    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self._epochs_total = 1
        self._t0 = time.perf_counter()
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<b>Training</b>"))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        outer.addLayout(form)

        self.dataset = QComboBox()
        self.dataset.setToolTip(tips.DATASET)
        self.dataset.setAccessibleName("datasetCombo")
        self.loss = self._combo(_known("engine.losses.LOSSES", LOSSES), tips.LOSS, "lossCombo")
        self.optimizer = self._combo(OPTIMIZERS,
                                     tips.OPTIMIZER, "optimizerCombo")
        self.lr = self._double(1e-6, 10.0, 5, tips.LEARNING_RATE, "learningRate")
        self.momentum = self._double(0.0, 0.999, 3, tips.MOMENTUM, "momentum")
        self.batch_size = self._int(1, 1_000_000, tips.BATCH_SIZE, "batchSize")
        self.epochs = self._int(1, 10_000, tips.EPOCHS, "epochs")
        self.schedule = self._combo(SCHEDULES, tips.SCHEDULE, "scheduleCombo")
        self.patience = self._int(0, 1000, tips.PATIENCE, "patience")
        self.patience.setSpecialValueText("off")
        self.val_fraction = self._double(0.0, 0.5, 2, tips.VALIDATION, "validationFraction")
        self.val_fraction.setSingleStep(0.05)
        self.seed = self._int(0, 2**31 - 1, tips.SEED, "seed")
        self.augment = QCheckBox("Augment (shift, rotate, scale, thicken)")
        self.augment.setToolTip(tips.AUGMENT)
        self.augment.setAccessibleName("augmentCheck")
        self.lr.setSingleStep(0.0005)

        form.addRow("Data set", self.dataset)
        form.addRow("Loss", self.loss)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Momentum", self.momentum)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Epochs", self.epochs)
        form.addRow("LR schedule", self.schedule)
        form.addRow("Early stopping", self.patience)
        form.addRow("Validation", self.val_fraction)
        form.addRow("Seed", self.seed)
        form.addRow("", self.augment)

        buttons = QGridLayout()
        self.start_button = self._button("Start", "startButton", "Build a fresh network from the architecture and "
                                         "train it (Ctrl+Return).")
        self.pause_button = self._button("Pause", "pauseButton", "Pause or resume training; the weights stay as they are.")
        self.stop_button = self._button("Stop", "stopButton", "Stop after the current batch and keep the weights (Esc).")
        self.epoch_button = self._button("One epoch", "oneEpochButton", "Train the current network for one more "
                                         "epoch (one pass through the training set).")
        self.start_button.setDefault(True)
        self.start_button.setStyleSheet("QPushButton#startButton { font-weight: bold; padding: 6px 14px; }")
        buttons.addWidget(self.start_button, 0, 0)
        buttons.addWidget(self.epoch_button, 0, 1)
        buttons.addWidget(self.pause_button, 1, 0)
        buttons.addWidget(self.stop_button, 1, 1)
        outer.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setObjectName("trainingProgress")
        self.progress.setAccessibleName("trainingProgress")
        self.progress.setRange(0, PROGRESS_MAX)
        self.progress.setValue(0)
        self.progress.setFormat("Ready")
        self.progress.setTextVisible(True)
        outer.addWidget(self.progress)
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setAccessibleName("trainingResult")
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
        outer.addWidget(self.result)
        outer.addStretch(1)

        self._fill_datasets()
        self.sync()
        self._wire()
        self.set_running_state("idle")

    # ---- small builders -----------------------------------------------------------------------------
    def _combo(self, items: dict, tip: str, name: str) -> QComboBox:
        c = QComboBox()
        for key, label in items.items():
            c.addItem(label, key)
        c.setToolTip(tip)
        c.setAccessibleName(name)
        return c

    def _double(self, lo, hi, decimals, tip, name) -> QDoubleSpinBox:
        s = QDoubleSpinBox()
        s.setRange(lo, hi)
        s.setDecimals(decimals)
        s.setKeyboardTracking(False)
        s.setToolTip(tip)
        s.setAccessibleName(name)
        return s

    def _int(self, lo, hi, tip, name) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setKeyboardTracking(False)
        s.setToolTip(tip)
        s.setAccessibleName(name)
        return s

    def _button(self, text, name, tip) -> QPushButton:
        b = QPushButton(text)
        b.setObjectName(name)
        b.setAccessibleName(name)
        b.setToolTip(tip)
        return b

    def _fill_datasets(self) -> None:
        self.dataset.blockSignals(True)
        self.dataset.clear()
        for key, label in DATASETS.items():
            self.dataset.addItem(label if key != "mnist" or _mnist_available() else label + " — not downloaded", key)
        if not _mnist_available():
            self.dataset.model().item(1).setEnabled(False)
        name = self.state.dataset_name
        if name not in DATASETS:
            self.dataset.addItem(str(name), name)
        self.dataset.addItem("Open folder or file…", OPEN_ITEM)
        self.dataset.setCurrentIndex(max(self.dataset.findData(name), 0))
        self.dataset.blockSignals(False)

    # ---- state <-> widgets --------------------------------------------------------------------------
    def sync(self, *_) -> None:
        s = self.state.settings
        widgets = (self.loss, self.optimizer, self.lr, self.momentum, self.batch_size, self.epochs, self.schedule,
                   self.patience, self.val_fraction, self.seed, self.augment)
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
        self.seed.setValue(s["seed"])
        self.augment.setChecked(bool(s["augment"]))
        for w in widgets:
            w.blockSignals(False)
        self._update_enabled()

    def _wire(self) -> None:
        st = self.state
        self.loss.currentIndexChanged.connect(lambda: st.set_loss(self.loss.currentData()))
        self.optimizer.currentIndexChanged.connect(lambda: self._set("optimizer", self.optimizer.currentData()))
        self.schedule.currentIndexChanged.connect(lambda: self._set("schedule", self.schedule.currentData()))
        self.epochs.valueChanged.connect(lambda v: self._set("epochs", v))
        self.patience.valueChanged.connect(lambda v: self._set("patience", v))
        self.val_fraction.valueChanged.connect(lambda v: self._set("val_fraction", round(v, 4)))
        self.seed.valueChanged.connect(lambda v: self._set("seed", v))
        self.augment.toggled.connect(lambda v: self._set("augment", bool(v)))
        self.lr.valueChanged.connect(lambda v: self._live("lr", v, self.session.set_lr))
        self.momentum.valueChanged.connect(lambda v: self._live("momentum", v, self.session.set_momentum))
        self.batch_size.valueChanged.connect(lambda v: self._live("batch_size", v, self.session.set_batch_size))
        self.dataset.activated.connect(self._dataset_chosen)
        st.specChanged.connect(self.sync)
        st.configChanged.connect(self.sync)
        self.start_button.clicked.connect(self.startRequested)
        self.epoch_button.clicked.connect(self.oneEpochRequested)
        self.pause_button.clicked.connect(self.pauseToggled)
        self.stop_button.clicked.connect(self.stopRequested)

    def _set(self, name, value) -> None:
        self.state.set_setting(name, value)
        self._update_enabled()

    def _live(self, name, value, apply) -> None:
        self.state.set_setting(name, value)
        if self.state.training_state != "idle":
            apply(value)

    def _update_enabled(self) -> None:
        opt = self.optimizer.currentData()
        self.momentum.setEnabled(opt in ("momentum", "nesterov"))
        self.batch_size.setEnabled(opt not in ("sgd", "bgd"))
        self.schedule.setToolTip(tips.SCHEDULE)

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
        self.state.dataset_name = name
        self._fill_datasets()

    # ---- running state and progress -----------------------------------------------------------------
    def set_running_state(self, state: str) -> None:
        idle = state == "idle"
        for w in (self.dataset, self.loss, self.optimizer, self.epochs, self.schedule, self.patience,
                  self.val_fraction, self.seed, self.augment, self.start_button, self.epoch_button):
            w.setEnabled(idle)
        self.pause_button.setEnabled(not idle)
        self.stop_button.setEnabled(not idle)
        self.pause_button.setText("Resume" if state == "paused" else "Pause")
        if idle:
            self._update_enabled()

    def begin(self, epochs: int) -> None:
        self._epochs_total, self._t0 = max(int(epochs), 1), time.perf_counter()
        self.progress.setValue(0)
        self.progress.setFormat("Starting…")
        self.result.setText("")

    def on_batch(self, b) -> None:
        frac = (b.epoch - 1 + b.batch / max(b.n_batches, 1)) / self._epochs_total
        frac = min(max(frac, 0.0), 1.0)
        self.progress.setValue(min(int(frac * PROGRESS_MAX), PROGRESS_MAX - 1))   # the maximum means done
        left = b.elapsed * (1 - frac) / frac if frac > 0 else 0.0
        self.progress.setFormat(f"Epoch {b.epoch}/{self._epochs_total} · batch {b.batch}/{b.n_batches} · "
                                f"{_clock(left)} left")

    def on_finished(self, fin) -> None:
        if fin.reason in ("completed", "early_stopped"):
            self.progress.setValue(PROGRESS_MAX)
        self.progress.setFormat({"completed": "Done", "early_stopped": "Stopped early (best epoch restored)",
                                 "stopped": "Stopped", "diverged": "Diverged"}.get(fin.reason, fin.reason))


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
