"""LayerEditor: add, remove and reorder hidden layers; units, activation and dropout rate per layer; output
activation; the initialiser of every layer's weights (the engine's registry: label, formula as tooltip).

Edits go to AppState. Changing the architecture of a trained network first asks before discarding its weights.
Shows the parameter count and memory estimate from engine.spec. A size is kept as typed (0 and 99,999,999 too):
the engine judges it, and a refused one is shown in red with the engine's sentence, in room kept for it, so the
panel below never moves.
"""
from __future__ import annotations

import copy

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QDoubleSpinBox, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QToolButton, QVBoxLayout, QWidget)

from app import choices
from app.widgets import tips
from app.widgets.named import compact
from app.widgets.field_messages import RefusalLabel, error_color
from app.widgets.wheel_guard import ComboBox, DoubleSpinBox, SpinBox
from engine.activations import ACTIVATIONS
from engine.errors import SpecError
from engine.initializers import DEFAULT_SCALE, INITIALIZERS
from engine.spec import MAX_INIT_SCALE, MAX_UNITS, count_params, estimate_memory, validate_spec

MAX_TYPED = 2**31 - 1   # the spin box's own ceiling: what is typed is kept, the engine decides what fits


def _human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def spec_summary(spec: dict, batch_size: int = 64) -> tuple[str, str]:
    """('101,770 parameters · about 1.4 MB', '') or ('', the engine's reason the spec cannot work)."""
    try:
        validate_spec(spec)
        n = count_params(spec)
        mem = estimate_memory(spec, batch_size=batch_size)
    except SpecError as e:
        return "", str(e)
    return f"{n:,} parameters · about {_human_bytes(mem)} to train", ""


def _dropout_box(index: int) -> QDoubleSpinBox:
    """A hidden layer's dropout rate (0 to 0.95: at 1 nothing would pass)."""
    box = DoubleSpinBox()
    box.setRange(0.0, 0.95)
    box.setDecimals(2)
    box.setSingleStep(0.05)
    box.setSpecialValueText("0")
    box.setButtonSymbols(QDoubleSpinBox.NoButtons)       # typed, wheeled or arrow-keyed: the row fits 1024 px
    box.setFixedWidth(box.fontMetrics().horizontalAdvance("0.00") + 10)
    box.setKeyboardTracking(False)
    box.setToolTip(tips.DROPOUT)
    box.setAccessibleName(f"hiddenDropout{index + 1}")
    box.setObjectName(f"hiddenDropout{index + 1}")
    return box


class _LayerRow(QWidget):
    """One hidden layer: units, activation, alpha (leaky ReLU), dropout rate, move up/down, remove."""

    def __init__(self, editor: "LayerEditor", index: int, layer: dict):
        super().__init__()
        self.editor, self.index = editor, index
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.label = QLabel(f"{index + 1}.")
        self.label.setMinimumWidth(18)
        self.units = SpinBox()
        self.units.setRange(0, MAX_TYPED)
        self.units.setAccelerated(True)
        self.units.setMaximumWidth(84)
        self.units.setMinimumWidth(72)         # its hint is sized for the largest typable number: too wide at 1024 px
        self.units.setKeyboardTracking(False)
        self.units.setToolTip(tips.NEURONS)
        self.units.setAccessibleName(f"hiddenUnits{index + 1}")
        self.units.setObjectName(f"hiddenUnits{index + 1}")
        self.activation = compact(ComboBox(), 8)
        for key, label in choices.hidden_activations().items():
            self.activation.addItem(label, key)
            self.activation.setItemData(self.activation.count() - 1, tips.entry_tip(ACTIVATIONS[key]), Qt.ToolTipRole)
        self.activation.setToolTip(tips.ACTIVATION)
        self.activation.setAccessibleName(f"hiddenActivation{index + 1}")
        self.activation.setObjectName(f"hiddenActivation{index + 1}")
        self.alpha = DoubleSpinBox()
        self.alpha.setRange(0.0, 1.0)
        self.alpha.setDecimals(3)
        self.alpha.setSingleStep(0.01)
        self.alpha.setPrefix("α ")
        self.alpha.setButtonSymbols(QDoubleSpinBox.NoButtons)
        self.alpha.setFixedWidth(self.alpha.fontMetrics().horizontalAdvance("α 0.000") + 10)
        keep = self.alpha.sizePolicy()
        keep.setRetainSizeWhenHidden(True)          # the row's buttons stay aligned whether or not α shows
        self.alpha.setSizePolicy(keep)
        self.alpha.setKeyboardTracking(False)
        self.alpha.setToolTip("Leaky ReLU's slope for negative z: z if z > 0 else α·z. Keeps 'dead' neurons learning.")
        self.dropout = _dropout_box(index)
        self.up, self.down, self.remove = QToolButton(), QToolButton(), QToolButton()
        for b, text, tip, name in ((self.up, "▲", "Move this layer closer to the input", "moveLayerUp"),
                                   (self.down, "▼", "Move this layer closer to the output", "moveLayerDown"),
                                   (self.remove, "✕", "Remove this hidden layer", "removeLayer")):
            b.setText(text)
            b.setToolTip(tip)
            b.setAccessibleName(f"{name}{index + 1}")
            b.setObjectName(f"{name}{index + 1}")
            b.setAutoRaise(True)
        self.label.setVisible(False)           # the diagram numbers the layers; the row needs its width for dropout
        for w in (self.label, self.units, self.activation, self.alpha, self.dropout, self.up, self.down, self.remove):
            row.addWidget(w)
        row.addStretch(1)
        self.set_layer(layer)
        self.units.valueChanged.connect(self._changed)
        self.activation.currentIndexChanged.connect(self._changed)
        self.alpha.valueChanged.connect(self._changed)
        self.dropout.valueChanged.connect(self._changed)
        self.up.clicked.connect(lambda: editor.move_layer(self.index, -1))
        self.down.clicked.connect(lambda: editor.move_layer(self.index, +1))
        self.remove.clicked.connect(lambda: editor.remove_layer(self.index))

    def set_layer(self, layer: dict) -> None:
        for w in (self.units, self.activation, self.alpha, self.dropout):
            w.blockSignals(True)
        self.units.setValue(int(layer["units"]))
        self.dropout.setValue(float(layer.get("dropout", 0.0)))
        i = self.activation.findData(layer["activation"])
        self.activation.setCurrentIndex(max(i, 0))
        self.alpha.setValue(float(layer.get("alpha", 0.01)))
        self.alpha.setVisible(layer["activation"] == "leaky_relu")
        for w in (self.units, self.activation, self.alpha, self.dropout):
            w.blockSignals(False)
        self.mark_size()

    def mark_size(self) -> None:
        """Red digits when the engine refuses this layer's size on its own (below 1 or past its limit)."""
        refused = not 1 <= self.units.value() <= MAX_UNITS
        self.units.setStyleSheet(f"QSpinBox {{ color: {error_color(self.palette(), QPalette.Base)}; }}" if refused else "")

    def layer(self) -> dict:
        layer = {"units": self.units.value(), "activation": self.activation.currentData()}
        if layer["activation"] == "leaky_relu":
            layer["alpha"] = round(self.alpha.value(), 6)
        if self.dropout.value() > 0:
            layer["dropout"] = round(self.dropout.value(), 4)
        return layer

    def _changed(self) -> None:
        self.alpha.setVisible(self.activation.currentData() == "leaky_relu")
        self.editor.rows_edited()


class LayerEditor(QFrame):
    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.rows: list[_LayerRow] = []
        self.confirm_discard = self._ask_discard   # replaceable (tests)
        outer = QVBoxLayout(self)
        title = QLabel("<b>Architecture</b>")
        outer.addWidget(title)
        self.input_label = QLabel()
        self.input_label.setToolTip(tips.INPUT)
        outer.addWidget(self.input_label)
        self.rows_header = QLabel("Hidden layers (neurons, activation, dropout):")
        self.rows_header.setToolTip(tips.NEURONS)
        outer.addWidget(self.rows_header)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        outer.addLayout(self.rows_box)
        outer.addLayout(self._build_adding())
        out = QGridLayout()
        self.output_label = QLabel()
        self.output_activation = compact(ComboBox(), 8)
        self.output_activation.setAccessibleName("outputActivation")
        self.output_activation.setObjectName("outputActivation")
        for key, label in choices.output_activations().items():
            self.output_activation.addItem(label, key)
            self.output_activation.setItemData(self.output_activation.count() - 1, tips.entry_tip(ACTIVATIONS[key]),
                                               Qt.ToolTipRole)
        self.output_activation.setToolTip(tips.OUTPUT_ACTIVATION)
        out.addWidget(self.output_label, 0, 0)
        out.addWidget(self.output_activation, 0, 1)
        out.setColumnStretch(2, 1)
        outer.addLayout(out)
        self.summary = QLabel()
        self.summary.setToolTip(tips.PARAMETERS)
        self.summary.setAccessibleName("parameterCount")
        self.error = RefusalLabel(2, "architectureError", keep_room=False)
        # the count or the refusal, one at a time, in a room of fixed height: the panel below never moves
        room = QWidget()
        room.setFixedHeight(self.error.height())
        stack = QVBoxLayout(room)
        stack.setContentsMargins(0, 0, 0, 0)
        stack.addWidget(self.summary, 0, Qt.AlignTop)
        stack.addWidget(self.error, 0, Qt.AlignTop)
        stack.addStretch(1)
        outer.addWidget(room)
        outer.addStretch(1)

        self.add_button.clicked.connect(self.add_layer)
        self.init.currentIndexChanged.connect(lambda _: self._init_changed())
        self.init_scale.valueChanged.connect(lambda _: self._init_changed())
        self.output_activation.currentIndexChanged.connect(self._output_changed)
        state.specChanged.connect(self.sync)
        state.configChanged.connect(lambda _: self._update_summary())
        self.sync()

    # ---- from state to widgets ----------------------------------------------------------------------
    def sync(self, *_) -> None:
        spec = self.state.spec
        hidden = spec["layers"][:-1]
        if len(hidden) != len(self.rows):
            for row in self.rows:
                self.rows_box.removeWidget(row)
                row.deleteLater()
            self.rows = [_LayerRow(self, i, layer) for i, layer in enumerate(hidden)]
            for row in self.rows:
                self.rows_box.addWidget(row)
        else:
            for row, layer in zip(self.rows, hidden):
                row.set_layer(layer)
        for i, row in enumerate(self.rows):
            row.up.setEnabled(i > 0)
            row.down.setEnabled(i < len(self.rows) - 1)
        ds = self.state.dataset
        images = ds is None or len(getattr(ds, "image_shape", (28, 28))) == 2
        regression = getattr(ds, "task", "") == "regression"
        n_in, n_out = spec["input_size"], spec["layers"][-1]["units"]
        each = "one per pixel" if images else "one per coordinate" if n_in != 1 else "the coordinate x"
        self.input_label.setText(f"Input: {n_in} value{'s' * (n_in != 1)} ({each})")
        self.output_label.setText(f"Output: {n_out} neuron{'s' * (n_out != 1)} "
                                  f"({'the fitted value' if regression else 'one per class'})")
        self.output_activation.blockSignals(True)
        self.output_activation.setCurrentIndex(max(self.output_activation.findData(spec["layers"][-1]["activation"]), 0))
        self.output_activation.blockSignals(False)
        self._show_init(spec)
        self._update_summary()

    def _update_summary(self) -> None:
        text, problem = spec_summary(self.state.spec, int(self.state.settings.get("batch_size", 64)))
        self.summary.setText(text)
        self.summary.setVisible(not problem)
        self.error.set_reason(problem)

    # ---- from widgets to state ----------------------------------------------------------------------
    def hidden(self) -> list[dict]:
        return [row.layer() for row in self.rows]

    def rows_edited(self) -> None:
        self._apply(self.hidden())

    def add_layer(self) -> None:
        last = self.hidden()[-1] if self.rows else {"units": 32, "activation": "relu"}
        self._apply(self.hidden() + [{"units": max(int(last["units"]) // 2, 1) if self.rows else 32,
                                      "activation": last["activation"]}])

    def remove_layer(self, index: int) -> None:
        hidden = self.hidden()
        if 0 <= index < len(hidden):          # a second click on a row already removed (its widget not yet gone)
            del hidden[index]
            self._apply(hidden)

    def move_layer(self, index: int, step: int) -> None:
        hidden = self.hidden()
        j = index + step
        if 0 <= index < len(hidden) and 0 <= j < len(hidden):
            hidden[index], hidden[j] = hidden[j], hidden[index]
            self._apply(hidden)

    def _output_changed(self) -> None:
        if not self._may_discard():
            self.sync()
            return
        self.state.set_output_activation(self.output_activation.currentData())

    def _apply(self, hidden: list[dict]) -> None:
        hidden = [{**layer, **self.init_keys()} for layer in hidden]     # a new layer starts like the others
        if hidden == self.state.hidden:
            return
        if not self._may_discard():
            self.sync()                      # the user kept the trained network: undo the edit on screen
            return
        self.state.set_hidden(copy.deepcopy(hidden))

    def _may_discard(self) -> bool:
        if not self.state.activity.idle and self.state.activity.kind != "loading":
            return False
        return not self.state.trained or self.confirm_discard()

    def _ask_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Discard the trained network?",
            "Changing the architecture throws away the trained weights (save the project first to keep them). "
            "Change it anyway?", QMessageBox.Yes | QMessageBox.Cancel, QMessageBox.Cancel)
        return answer == QMessageBox.Yes

    # ---- the initialiser of every layer ------------------------------------------------------------------
    def _build_adding(self) -> QHBoxLayout:
        """The add button, and the initial weights beside it (no row more to scroll past)."""
        self.add_button = QPushButton("+ Add hidden layer")
        self.add_button.setObjectName("addLayerButton")
        self.add_button.setAccessibleName("addLayerButton")
        self.add_button.setToolTip("Add a hidden layer between the last hidden layer and the output.")
        adding = QHBoxLayout()
        adding.addWidget(self.add_button)
        adding.addStretch(1)
        adding.addWidget(self._build_init())
        return adding

    def _build_init(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        label = QLabel("Init")
        label.setToolTip(tips.INITIALIZER)
        row.addWidget(label)
        self.init = compact(ComboBox(), 10)
        self.init.setObjectName("initializerCombo")
        self.init.setAccessibleName("initializerCombo")
        self.init.addItem("Default", "")
        self.init.setItemData(0, tips.DEFAULT_INIT, Qt.ToolTipRole)
        for key, label in choices.initializers().items():
            if key.startswith("glorot"):                # another name for Xavier: one entry is enough here
                continue
            self.init.addItem(label, key)
            self.init.setItemData(self.init.count() - 1, tips.entry_tip(INITIALIZERS[key]), Qt.ToolTipRole)
        self.init.setToolTip(tips.INITIALIZER)
        self.init_scale = DoubleSpinBox()
        self.init_scale.setObjectName("initScale")
        self.init_scale.setAccessibleName("initScale")
        self.init_scale.setRange(0.01, MAX_INIT_SCALE)
        self.init_scale.setDecimals(2)
        self.init_scale.setSingleStep(0.1)
        self.init_scale.setPrefix("σ ")
        self.init_scale.setKeyboardTracking(False)
        self.init_scale.setButtonSymbols(QDoubleSpinBox.NoButtons)
        self.init_scale.setFixedWidth(self.init_scale.fontMetrics().horizontalAdvance("σ 100.00") + 10)
        self.init_scale.setToolTip("The standard deviation σ of the normal initialiser, the same for every layer.")
        keep = self.init_scale.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.init_scale.setSizePolicy(keep)
        row.addWidget(self.init)
        row.addWidget(self.init_scale)
        return box

    def _show_init(self, spec: dict) -> None:
        """The combo shows the first layer's initialiser (the editor sets them all alike)."""
        first = spec["layers"][0]
        for w in (self.init, self.init_scale):
            w.blockSignals(True)
        self.init.setCurrentIndex(max(self.init.findData(first.get("init", "")), 0))
        self.init_scale.setValue(float(first.get("init_scale", DEFAULT_SCALE)))
        self.init_scale.setVisible(INITIALIZERS.get(first.get("init", ""), None) is not None
                                   and INITIALIZERS[first["init"]].uses_scale)
        for w in (self.init, self.init_scale):
            w.blockSignals(False)

    def init_keys(self) -> dict:
        """What every layer's dict carries for the chosen initialiser ({} for the default)."""
        name = self.init.currentData()
        if not name:
            return {}
        return {"init": name, "init_scale": round(self.init_scale.value(), 6)} if INITIALIZERS[name].uses_scale \
            else {"init": name}

    def _init_changed(self) -> None:
        keys = self.init_keys()
        spec = copy.deepcopy(self.state.spec)
        for layer in spec["layers"]:
            layer.pop("init", None)
            layer.pop("init_scale", None)
            layer.update(keys)
        if spec == self.state.spec:
            return
        if not self._may_discard():
            self.sync()
            return
        self.state.set_spec(spec)
