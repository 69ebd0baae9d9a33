"""Teach the network your handwriting: file the drawing under its true digit, fine-tune on the set, and see
what it cost: a fifth of the set is held out of the fine-tuning and measured before and after, beside the
data set's test part (the measuring runs on a worker, never on the window's thread)."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QFileDialog, QFrame, QHBoxLayout, QLabel, QMessageBox, QPushButton, QSizePolicy,
                               QVBoxLayout)
from superqt.utils import FunctionWorker

from app.excepthook import report_bug
from app.fine_tune_check import MIN_DIGITS, change_text, held_out_split, measure
from app.handwriting import PersonalDigits, fine_tune_config, fine_tune_dataset
from app.session import Run
from app.widgets.wheel_guard import SpinBox
from engine.errors import DataError, EngineError
from engine.preprocess import FIELD

from .fine_tune_table import FineTuneTable
from .handwriting_browser import HandwritingBrowser




def usable(net) -> bool:
    return net is not None and net.input_size == FIELD * FIELD


def digits_only(ds):
    if ds.x_train.shape[1] != FIELD * FIELD:
        raise DataError("Fine-tuning needs 28x28 digits: choose a digits data set in Build & train first.")
    return ds


class TeachPanel(QFrame):
    """Follows the model (drawn digit, network, training state); fine-tunes through `runs` like any run.
    `message` carries a sentence for the tab's status line, `taught` asks for a clean pad, `checked` brings
    the before/after report."""

    message = Signal(str)
    taught = Signal()
    checked = Signal(object)

    def __init__(self, state, runs, controls, digits: PersonalDigits | None = None, parent=None):
        super().__init__(parent)
        self.state, self.runs, self.controls = state, runs, controls
        self._fine_tune = None              # what the running fine-tune will be measured with
        self._check = None                  # the worker measuring the last fine-tune
        self._tuned_text = ""               # what the last fine-tune did to the digits it trained on
        self._tuned = None                  # the generation the table describes (the model's, after a fine-tune)
        self.setFrameShape(QFrame.StyledPanel)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_teach_row())
        layout.addLayout(self._build_tune_row())
        self.table = FineTuneTable()
        self.table.setVisible(False)
        layout.addWidget(self.table)
        self._load_digits(digits)
        state.generationChanged.connect(self._generation)
        runs.session.finished.connect(self._fine_tune_finished)
        runs.session.failed.connect(self._fine_tune_failed)
        runs.failed.connect(self._fine_tune_failed)
        state.datasetFailed.connect(self._fine_tune_failed)
        state.activity.changed.connect(self._activity)
        controls.bind("teach_digit", *self.digit_buttons)
        controls.bind("fine_tune", self.finetune_button)
        controls.bind("edit_handwriting", self.browse_button, self.export_button, self.clear_digits_button)
        controls.define("digit_drawn", lambda: self.state.drawn_digit is not None)
        controls.define("has_handwriting", lambda: len(self.digits) > 0 and self._check is None)
        controls.define("can_fine_tune", lambda: len(self.digits) > 0 and usable(self.state.network)
                        and self.state.trained and self._check is None)

    def _build_teach_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(QLabel("Wrong? It is a:"))
        self.digit_buttons = []
        for d in range(10):
            button = QPushButton(str(d))
            button.setObjectName(f"teachDigit{d}")
            button.setToolTip(f"Add this drawing to your handwriting set as a {d}")
            button.setFixedWidth(34)
            button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
            button.clicked.connect(lambda _=False, d=d: self.teach(d))
            row.addWidget(button)
            self.digit_buttons.append(button)
        row.addStretch(1)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        self.export_button = QPushButton("Export…")
        self.export_button.clicked.connect(self.export_digits)
        self.clear_digits_button = QPushButton("Clear set")
        self.clear_digits_button.clicked.connect(self.clear_digits)
        for w in (self.browse_button, self.export_button, self.clear_digits_button):
            row.addWidget(w)
        return row

    def _build_tune_row(self) -> QHBoxLayout:
        self.digits_label = QLabel()
        self.digits_label.setObjectName("handwritingCount")
        self.digits_label.setWordWrap(True)
        self.digits_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.epochs = SpinBox()
        self.epochs.setObjectName("fineTuneEpochs")
        self.epochs.setRange(1, 50)
        self.epochs.setValue(3)
        self.epochs.setSuffix(" epochs")
        self.epochs.valueChanged.connect(lambda n: self.epochs.setSuffix(" epoch" if n == 1 else " epochs"))
        self.epochs.setToolTip("How many epochs to fine-tune: more learns your writing better and forgets more")
        self.finetune_button = QPushButton("Fine-tune")
        self.finetune_button.setObjectName("fineTuneButton")
        self.finetune_button.setToolTip("Train the network a few epochs on the training data plus your digits")
        self.finetune_button.clicked.connect(lambda: self.start_fine_tune())
        row = QHBoxLayout()
        row.addWidget(self.digits_label, 1)
        row.addWidget(self.epochs)
        row.addWidget(self.finetune_button)
        return row

    # ---- the set ----
    def _load_digits(self, digits) -> None:
        try:
            self.digits = digits if digits is not None else PersonalDigits()
        except EngineError as exc:
            self.digits = PersonalDigits(load=False)
            self.message.emit(f"{exc} Your handwriting set starts empty.")
        self._update_buttons()

    def _count_text(self, n: int) -> str:
        text = f"Your handwriting set: {n} digit{'s' if n != 1 else ''}."
        if n < MIN_DIGITS:
            more = MIN_DIGITS - n
            return (text + f" Add {more} more to check fine-tuning on digits it does not train on "
                    "(a fifth of your set is then held out).")
        held = len(held_out_split(self.digits.labels)[1])
        return text + f" {held} of them are held out of fine-tuning to measure it."

    def _update_buttons(self) -> None:
        self.digits_label.setText(self._count_text(len(self.digits)))
        if hasattr(self, "controls"):
            self.controls.refresh()

    def _generation(self, generation: int) -> None:
        if self._tuned is not None and generation != self._tuned:
            self._tuned = None              # the table measured another network: it would mislead now
            self.table.setVisible(False)

    def _activity(self, kind: str) -> None:
        """A fine-tune that ended without a Finished (Stop before its data, an error) is over too."""
        if kind == "idle" and self._fine_tune is not None and not self.runs.busy():
            self._fine_tune = None

    def teach(self, digit: int) -> None:
        """Add the pad's digit (the model's drawn digit) to the personal set as `digit`; the pad then clears."""
        image = self.state.drawn_digit
        if image is None:
            self.message.emit("Draw a digit first.")
            return
        try:
            self.digits.add(image, digit)
        except EngineError as exc:
            QMessageBox.warning(self, "Could not save your digit", str(exc))
            return
        self.message.emit(f"Added as a {digit}. When you have a few, click Fine-tune to teach the network.")
        self._update_buttons()
        self.taught.emit()

    def browse(self) -> None:
        HandwritingBrowser(self.digits, self).exec()
        self._update_buttons()

    def export_digits(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export your handwriting set to a folder")
        if not folder:
            return
        try:
            paths = self.digits.export(folder)
        except EngineError as exc:
            QMessageBox.warning(self, "Could not export", str(exc))
            return
        self.message.emit("Exported " + ", ".join(p.name for p in paths) + f" to {folder}.")

    def clear_digits(self) -> None:
        answer = QMessageBox.question(self, "Clear your handwriting set",
                                      f"Delete all {len(self.digits)} of your digits? This cannot be undone.")
        if answer == QMessageBox.Yes:
            self.digits.clear()
            self.message.emit("Your handwriting set is empty.")
            self._update_buttons()

    # ---- fine-tuning and its check ----
    def start_fine_tune(self, epochs: int | None = None) -> bool:
        """Fine-tune the model's network on the training digits plus the student's (less the held-out fifth),
        as a run of the session (hold, pause, stop and shutdown apply). False if it cannot start now."""
        net = self.state.network
        if not self.controls.attempt("fine_tune"):
            return False
        x_all, y_all = self.digits.as_training()
        train, held = held_out_split(y_all)
        x_mine, y_mine = x_all[train], y_all[train]
        before = net.copy()
        self._fine_tune = {"before": before, "x_held": x_all[held], "y_held": y_all[held], "x_mine": x_mine,
                           "y_mine": y_mine, "right_before": int((before.predict(x_mine) == y_mine).sum())}
        self.message.emit(f"Fine-tuning on the training data plus your {len(y_mine)} digits…")
        self._update_buttons()
        cfg = fine_tune_config(epochs if epochs is not None else self.epochs.value())
        run = Run(f"fine-tune on your {len(y_mine)} digits", kind="fine-tune")
        started = self.runs.start(before.copy(), cfg, run, trained=True,
                                  data=lambda ds: fine_tune_dataset(digits_only(ds), x_mine, y_mine))
        if not started:
            self._fine_tune = None
            self._update_buttons()
        return started

    def _fine_tune_finished(self, fin) -> None:
        job, self._fine_tune = self._fine_tune, None
        if job is None:
            return
        after, ds = self.state.network, self.state.dataset
        n, before_right = len(job["y_mine"]), job["right_before"]
        after_right = int((after.predict(job["x_mine"]) == job["y_mine"]).sum()) if usable(after) else before_right
        stopped = "" if fin.reason in ("completed", "early_stopped") else f" ({fin.message})"
        self._tuned_text = (f"Fine-tuned: {after_right} of your {n} digits are now recognised "
                            f"(before: {before_right}).{stopped}")
        self.message.emit(self._tuned_text + " Measuring before and after…")
        if usable(after) and ds is not None:
            self._tuned = self.state.generation
            self._start_check(job, after.copy(), ds)
        self._update_buttons()

    def _start_check(self, job, after, ds) -> None:
        worker = FunctionWorker(measure, job["before"], after, job["x_held"], job["y_held"], ds.x_test, ds.y_test,
                                f"{ds.name} test")
        worker.returned.connect(self._checked)       # bound slots: nothing arrives at a deleted panel
        worker.errored.connect(self._check_failed)
        self._check = worker
        worker.start()

    def _checked(self, report) -> None:
        self._check = None
        if self._tuned is None:                            # another network came in meanwhile: not its report
            self._update_buttons()
            return
        self.table.set_report(report)
        self.table.setVisible(self._tuned is not None)     # not if another network came in meanwhile
        self.message.emit(f"{self._tuned_text} {self._summary(report)}")
        self._update_buttons()
        self.checked.emit(report)

    def _check_failed(self, exc) -> None:
        self._check = None
        self.message.emit(report_bug(exc, "measuring the fine-tuning"))
        self._update_buttons()

    @staticmethod
    def _summary(report) -> str:
        n, b, a = report.yours.total
        mine = (f"Your {n} held-out digits: {b} → {a} read right. " if n
                else f"Add {MIN_DIGITS} digits or more to measure fine-tuning on digits it did not train on. ")
        return mine + f"{report.test_name}: {change_text(*report.test.total)}."

    def _fine_tune_failed(self, message: str) -> None:
        if self._fine_tune is None:
            return
        self._fine_tune = None
        self.message.emit(f"Fine-tuning did not run: {message}")
        self._update_buttons()
