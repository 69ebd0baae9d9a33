"""StepOverlay: one training step's phases drawn over the network diagram (NetworkView.setOverlay).

The step is a list of stages, played one after the other:
  phase 1 forward pass       ("forward", k): columns 0..k lit with the chosen sample's activations
  phase 2 error estimation   ("error",): outputs beside targets, their δ
  phase 3 backward + step    ("backward", c): δ back to column c, connections by dL/dW; then ("update",):
                             each connection coloured by its change
Colours are scaled per column (neurons) or per layer (connections); the numbers are in the tooltips.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics

from app import step_text

CAPTIONS = {"forward": "neurons: activation a = f(z) of the shown sample",
            "error": "outputs: q (output), p (target), δ (local error)",
            "backward": "neurons: local error δ; connections: dL/dW = δ_j z_i (blue +, orange −)",
            "update": "connections: the change the optimizer made (blue up, orange down)"}


def stages(n_layers: int) -> list[tuple]:
    """The step's stages for a network of n_layers weight layers (n_layers + 1 columns)."""
    out = [("forward", k) for k in range(n_layers + 1)] + [("error", n_layers)]
    return out + [("backward", c) for c in range(n_layers, 0, -1)] + [("update", 0)]


PHASE_OF = {"forward": 0, "error": 1, "backward": 2, "update": 2}


def _scaled(v: np.ndarray, floor: float = 1e-12) -> np.ndarray:
    return v / max(float(np.abs(v).max()) if v.size else 0.0, floor)


class StepOverlay:
    def __init__(self, rec, net_before, net_after, loss: str):
        self.rec, self.before, self.after, self.loss = rec, net_before, net_after, loss
        self.stages = stages(len(rec.zs))
        self.stage = 0

    @property
    def network(self):
        """The network this step was taken on: NetworkView draws the overlay only over a diagram of its sizes."""
        return self.before

    # ---- where the playback is ----------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.stages[self.stage][0]

    @property
    def phase(self) -> int:
        return PHASE_OF[self.kind]

    @property
    def done(self) -> bool:
        return self.stage == len(self.stages) - 1

    def first_stage_of(self, phase: int) -> int:
        return next(k for k, (kind, _) in enumerate(self.stages) if PHASE_OF[kind] == phase)

    def last_stage_of(self, phase: int) -> int:
        return max(k for k, (kind, _) in enumerate(self.stages) if PHASE_OF[kind] == phase)

    # ---- what NetworkView asks ----------------------------------------------------------------------
    def neuron_values(self, c: int, units):
        kind, k = self.stages[self.stage]
        rec = self.rec
        if kind in ("forward", "error"):
            if c > k:
                return None
            a = rec.activations[c][rec.sample]
            return a[units] / max(float(np.abs(a).max()), 1.0 if c == 0 else 1e-9)
        if c == 0 or (kind == "backward" and c < k):
            return None
        return _scaled(step_text.sample_delta(rec, c - 1))[units]

    def dropped(self, c: int, units):
        """Which shown neurons of column c dropout switched off for the shown sample, while the column is lit;
        None where the layer has no dropout."""
        mask = step_text.dropout_mask(self.rec, c)
        if mask is None or self.neuron_values(c, units) is None:
            return None
        return mask[units] == 0

    def connection_values(self, layer: int, ui, uo):
        kind, k = self.stages[self.stage]
        ix = np.ix_(ui, uo)
        if kind == "forward":
            return None if layer < k else np.zeros((len(ui), len(uo)))
        if kind == "error":
            return None
        if kind == "backward":
            if layer + 1 < k:
                return np.zeros((len(ui), len(uo)))
            return _scaled(self.rec.grads[layer][0])[ix]
        change = self.after.views(self.rec.change)[layer][0]
        return _scaled(change)[ix]

    def tooltip(self, item) -> str:
        kind, k = self.stages[self.stage]
        rec, phase = self.rec, self.phase
        if item[0] == "n":
            _, c, u = item
            note = step_text.dropout_note(rec, self.before, c, u) if c < len(rec.zs) else ""
            if phase < 2 and c <= k:
                return step_text.neuron_forward(rec, self.before, c, u) + note
            if phase == 2 and (kind == "update" or c >= k):
                return step_text.neuron_delta(rec, c, u) + note
            return ""
        _, layer, i, j = item
        if phase == 2 and (kind == "update" or layer + 1 >= k):
            return step_text.connection_gradient(rec, layer, i, j, self.after if kind == "update" else None)
        w = float(self.before.layers[layer].W[i, j])
        return (f"<b>Weight w<sub>{i}→{j}</sub></b> = {step_text.num(w)} (layer {layer + 1}): it multiplies "
                f"z<sub>{i}</sub> = {step_text.num(rec.activations[layer][rec.sample, i])} on its way into "
                f"neuron {j}.")

    def paint(self, p, view, cols, r: float) -> None:
        """The phase's caption at the bottom; in phase 2 and later, q, p and δ beside each shown output."""
        text, base = view.palette().text().color(), QColor(view.palette().base().color())
        base.setAlpha(225)
        font = QFont(view.font())
        p.setFont(font)
        if self.phase >= 1:
            self._paint_outputs(p, cols, r, self._fitting(font, cols), text, base)
            p.setFont(font)
        masks = [m for m in (step_text.dropout_mask(self.rec, c) for c in range(1, len(self.rec.zs)))
                 if m is not None]
        dropped = (f"✕ {' + '.join(str(int((m == 0).sum())) for m in masks)} of "
                   f"{' + '.join(str(m.size) for m in masks)} off by dropout · ") if masks else ""
        # the dropout count before the caption: a narrow window elides the end
        caption = f"{step_text.PHASE_TITLES[self.phase]} · {dropped}{CAPTIONS[self.kind]}"
        if self.kind == "update":
            rec = self.rec
            caption += (f" · loss on this batch {step_text.num(rec.loss_before)} → "
                        f"{step_text.num(rec.loss_after)}")
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        p.setFont(font)
        box = QRectF(8, view.height() - 14, view.width() - 16, 14)
        p.fillRect(box, base)
        p.setPen(text)
        caption = QFontMetrics(font).elidedText(caption, Qt.ElideRight, int(box.width()))
        p.drawText(box, Qt.AlignLeft | Qt.AlignVCenter, caption)

    @staticmethod
    def _fitting(font: QFont, cols) -> QFont:
        """The view's font, or a smaller one (down to 7 pt) when the output rows are closer than its height."""
        pos = cols[-1][1]
        spacing = pos[1][1] - pos[0][1] if len(pos) > 1 else 1e9
        small = QFont(font)
        while QFontMetrics(small).height() > spacing and small.pointSizeF() > 7:
            small.setPointSizeF(max(small.pointSizeF() - 0.5, 7))
        return small

    def _paint_outputs(self, p, cols, r, font, text, base) -> None:
        """q, p and δ left of each shown output; only δ where the gap is narrow; nothing if rows would overlap."""
        p.setFont(font)
        fm = QFontMetrics(font)
        units, pos = cols[-1]
        gap = pos[0][0] - cols[-2][1][0][0] - 2 * r - 12
        if len(pos) > 1 and pos[1][1] - pos[0][1] < fm.height():
            return
        p.setPen(text)
        for u, (x, y) in zip(units, pos):
            label = step_text.output_label(self.rec, int(u))
            if fm.horizontalAdvance(label) > gap:
                label = label.rpartition(" · ")[2]                       # "δ 0.1234"
                if fm.horizontalAdvance(label) > gap:
                    continue
            width = fm.horizontalAdvance(label) + 6
            box = QRectF(x - r - 6 - width, y - fm.height() / 2, width, fm.height())
            p.fillRect(box, base)
            p.drawText(box, Qt.AlignRight | Qt.AlignVCenter, label)
