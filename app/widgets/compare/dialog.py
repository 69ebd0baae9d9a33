"""CompareDialog (`compareDialog`): choose the one setting to vary and its 2-4 values, then run the comparison.

Named values (optimizer, hidden activation, loss) are ticked in a list read from the engine's registries; numbers
(learning rates, batch sizes) are typed, separated by commas. The engine judges the choice
(engine.compare.variants): a refused one is its sentence under the list, and the dialog stays open.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QVBoxLayout)

from app import choices
from app.widgets.field_messages import error_color
from app.widgets.wheel_guard import ComboBox, SpinBox
from engine.compare import SETTINGS, variants
from engine.errors import SpecError

NAMED = {"optimizer": (choices.optimizers, ["sgd", "bgd", "minibatch"]),
         "activation": (choices.hidden_activations, ["sigmoid", "tanh", "relu", "leaky_relu"]),
         "loss": (choices.losses, ["cross_entropy", "l1"]),
         "init": (choices.initializers, ["zeros", "normal", "he_uniform"])}
TYPED_HELP = {"lr": "Learning rates, separated by commas (e.g. 0.0003, 0.003, 0.03)",
              "batch_size": "Batch sizes, separated by commas (e.g. 16, 64, 256)",
              "weight_decay": "Weight decays, separated by commas (e.g. 0, 0.0001, 0.001)",
              "dropout": "Dropout rates of every hidden layer, separated by commas (e.g. 0, 0.2, 0.5)"}
TYPED_USUAL = {"batch_size": [16, 64, 256], "weight_decay": [0, 1e-4, 1e-3], "dropout": [0, 0.2, 0.5]}
MAX_EPOCHS = 1000


def _name(widget, name: str):
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    return widget


class CompareDialog(QDialog):
    chosen = Signal(str, object, int)        # setting, values, epochs

    def __init__(self, state, parent=None):
        super().__init__(parent)
        _name(self, "compareDialog")
        self.setWindowTitle("Compare settings")
        self.state = state
        layout = QVBoxLayout(self)
        intro = QLabel("Train the current network 2 to 4 times, changing one setting only: the same seed, the same "
                       "starting weights (unless the activation changes the initialiser) and the same order of the "
                       "data. The curves are overlaid and each run gets a row in the results table.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.setting = _name(ComboBox(), "compareSetting")
        for key, label in SETTINGS.items():
            self.setting.addItem(label, key)
        self.named = _name(QListWidget(), "compareValues")
        self.named.setMinimumHeight(150)
        self.typed = _name(QLineEdit(), "compareValuesText")
        self.epochs = _name(SpinBox(), "compareEpochs")
        self.epochs.setRange(1, MAX_EPOCHS)
        self.epochs.setToolTip("Each run trains this many epochs (the other settings are the current ones).")
        form.addRow("Vary", self.setting)
        form.addRow("Values", self.named)
        form.addRow("", self.typed)
        form.addRow("Epochs", self.epochs)
        layout.addLayout(form)
        self.error = _name(QLabel(""), "compareError")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.run_button = _name(buttons.addButton("Run comparison", QDialogButtonBox.AcceptRole), "compareRun")
        buttons.accepted.connect(self._run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setting.currentIndexChanged.connect(lambda _: self._show_values())
        self.configure("optimizer")

    def configure(self, setting: str, values=None, epochs: int | None = None) -> None:
        """Show `setting` with `values` ticked or typed (None: the usual ones) and the epochs each run trains."""
        self.setting.blockSignals(True)
        self.setting.setCurrentIndex(max(self.setting.findData(setting), 0))
        self.setting.blockSignals(False)
        self._show_values(values)
        self.epochs.setValue(epochs or min(int(self.state.settings.get("epochs", 10)), 10))
        self.error.setText("")

    def _show_values(self, values=None) -> None:
        setting = self.setting.currentData()
        named = setting in NAMED
        self.named.setVisible(named)
        self.typed.setVisible(not named)
        self.error.setText("")
        if named:
            options, usual = NAMED[setting]
            ticked = set(usual if values is None else values)
            self.named.clear()
            for key, label in options().items():
                item = QListWidgetItem(label)
                item.setData(Qt.UserRole, key)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if key in ticked else Qt.Unchecked)
                self.named.addItem(item)
            return
        self.typed.setPlaceholderText(TYPED_HELP[setting])
        self.typed.setToolTip(TYPED_HELP[setting])
        if values is None:
            lr = float(self.state.settings.get("lr", 0.01))
            values = [lr / 10, lr, lr * 10] if setting == "lr" else TYPED_USUAL[setting]
        self.typed.setText(", ".join(f"{v:g}" for v in values))

    def values(self) -> list:
        """The chosen values; a SpecError with a sentence when a typed one is not a number."""
        setting = self.setting.currentData()
        if setting in NAMED:
            items = (self.named.item(i) for i in range(self.named.count()))
            return [it.data(Qt.UserRole) for it in items if it.checkState() == Qt.Checked]
        out = []
        for part in filter(None, (p.strip() for p in self.typed.text().replace(";", ",").split(","))):
            try:
                out.append(int(part) if setting == "batch_size" else float(part))
            except ValueError:
                kind = "a whole number" if setting == "batch_size" else "a number"
                raise SpecError(f"{part!r} is not {kind}: type the values separated by commas.") from None
        return out

    def _run(self) -> None:
        setting = self.setting.currentData()
        try:
            values = self.values()
            variants(self.state.spec, self.state.config(epochs=self.epochs.value()), setting, values)
        except SpecError as e:
            self.error.setText(f"<span style='color: {error_color(self.palette())}'>{html.escape(str(e), quote=False)}</span>")
            return
        self.accept()
        self.chosen.emit(setting, values, self.epochs.value())
