"""Errors: the test-set confusion matrix (confusionMatrix), the digits of a clicked cell with the network's
probabilities, and the digits the network got wrong most confidently.

One forward pass over the test set (engine.inspection.error_analysis, ~20 ms for 10,000 digits) when the view is
visible and the weights changed; while training at most once a second.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QSplitter, QVBoxLayout,
                               QWidget)

from engine.inspection import error_analysis

from ...theme import text_on
from ..prediction_bars import PredictionBars
from ..named import named
from .when_shown import RefreshWhenShown
from .digit_gallery import DigitGallery

CELL_DIGITS = 60
CELL_PROMPT = "Click a cell of the matrix to see its digits here."
MISTAKES = 24
RIGHT, WRONG = QColor(46, 160, 67), QColor(210, 60, 60)


class ConfusionGrid(QWidget):
    """k x k counts: row = true class, column = predicted. Diagonal green, mistakes red, by share of the row."""
    cellClicked = Signal(int, int)          # true class, predicted class

    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "confusionMatrix")
        self.cm = None
        self.names: list[str] = []
        self.precision = self.recall = None
        self.selected: tuple[int, int] | None = None
        self.setMinimumSize(360, 360)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(520, 520)

    def set_matrix(self, cm, names=None, precision=None, recall=None) -> None:
        self.cm = None if cm is None else np.asarray(cm)
        k = 0 if self.cm is None else len(self.cm)
        self.names = list(names) if names is not None else [str(c) for c in range(k)]
        self.precision, self.recall = precision, recall
        self.selected = None
        self.update()

    def _geometry(self):
        """(left, top, cell side) of the grid, leaving room for labels and the recall/precision margins."""
        k = len(self.cm)
        left, top, margin = 56.0, 40.0, 52.0
        side = max(8.0, min((self.width() - left - margin) / k, (self.height() - top - margin) / k))
        return left, top, side

    def cell_rect(self, t: int, q: int) -> QRectF:
        left, top, side = self._geometry()
        return QRectF(left + q * side, top + t * side, side, side)

    def cell_at(self, pos):
        if self.cm is None:
            return None
        left, top, side = self._geometry()
        q, t = int((pos.x() - left) // side), int((pos.y() - top) // side)
        k = len(self.cm)
        return (t, q) if 0 <= t < k and 0 <= q < k and pos.x() >= left and pos.y() >= top else None

    def cell_colors(self, t: int, q: int) -> tuple[QColor, QColor]:
        """(fill, text) of a cell: the theme's background blended towards green (diagonal) or red by the share of
        its row, sqrt-scaled so a few mistakes still show; the text is black or white, whichever reads better."""
        share = self.cm[t, q] / max(int(self.cm[t].sum()), 1)
        m = float(np.sqrt(share))
        bg, end = self.palette().base().color().getRgb()[:3], (RIGHT if t == q else WRONG).getRgb()[:3]
        fill = QColor(*(int(b + (e - b) * m) for b, e in zip(bg, end)))
        return fill, text_on(fill)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        text = self.palette().text().color()
        if self.cm is None:
            p.setPen(text)
            p.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap,
                       "Train or load a network (and a data set with test digits) to see its mistakes.")
            p.end()
            return
        k = len(self.cm)
        left, top, side = self._geometry()
        font = QFont(self.font())
        font.setPointSizeF(max(6.0, min(11.0, side / 4.2)))
        p.setFont(font)
        for t in range(k):
            for q in range(k):
                rect = self.cell_rect(t, q)
                fill, ink = self.cell_colors(t, q)
                p.fillRect(rect, fill)
                p.setPen(ink)
                if self.cm[t, q]:
                    p.drawText(rect, Qt.AlignCenter, str(int(self.cm[t, q])))
                p.setPen(self.palette().mid().color())
                p.drawRect(rect)
        if self.selected is not None:
            p.setPen(self.palette().highlight().color())
            p.drawRect(self.cell_rect(*self.selected).adjusted(1, 1, -1, -1))
        p.setPen(text)
        for c, name in enumerate(self.names[:k]):
            p.drawText(QRectF(left + c * side, top - 18, side, 16), Qt.AlignCenter, name)
            p.drawText(QRectF(left - 24, top + c * side, 20, side), Qt.AlignRight | Qt.AlignVCenter, name)
            if self.recall is not None:
                p.drawText(QRectF(left + k * side + 4, top + c * side, 48, side), Qt.AlignLeft | Qt.AlignVCenter,
                           f"{self.recall[c]:.0%}")
            if self.precision is not None:
                p.drawText(QRectF(left + c * side, top + k * side + 2, side, 16), Qt.AlignCenter,
                           f"{self.precision[c]:.0%}")
        bold = QFont(self.font())
        bold.setBold(True)
        p.setFont(bold)
        p.drawText(QRectF(left, 2, k * side, 18), Qt.AlignCenter, "predicted →")
        p.save()
        p.translate(14, top + k * side / 2)
        p.rotate(-90)
        p.drawText(QRectF(-k * side / 2, -8, k * side, 16), Qt.AlignCenter, "true class →")
        p.restore()
        p.setFont(self.font())
        p.drawText(QRectF(left + k * side + 2, top - 18, 52, 16), Qt.AlignLeft, "recall")
        p.drawText(QRectF(left - 56, top + k * side + 2, 54, 16), Qt.AlignRight, "precision")
        p.end()

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if cell is not None and event.button() == Qt.LeftButton:
            self.selected = cell
            self.update()
            self.cellClicked.emit(*cell)


def _scrolling(gallery: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.NoFrame)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scroll.setMinimumHeight(gallery.minimumHeight())
    scroll.setWidget(gallery)
    return scroll


class ErrorsView(RefreshWhenShown, QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "errorsView")
        self.net = None
        self.dataset = None
        self.analysis = None
        self.cell: tuple[int, int] | None = None
        self._timer = QTimer(self, singleShot=True, interval=1000)
        self._timer.timeout.connect(self.refresh)

        self.grid = ConfusionGrid()
        self.grid.cellClicked.connect(self.show_cell)
        self.summary = QLabel()
        self.summary.setObjectName("errorsSummary")
        self.summary.setWordWrap(True)
        self.cell_title = QLabel("<b>Digits of one cell</b>")
        self.cell_title.setWordWrap(True)
        self.cell_digits = DigitGallery("confusionCellDigits")
        self.cell_digits.set_placeholder(CELL_PROMPT)
        self.cell_digits.digitClicked.connect(self.show_digit)
        self.mistakes = DigitGallery("confidentMistakes")
        self.mistakes.digitClicked.connect(self.show_digit)
        self.bars = PredictionBars()
        self.bars.setObjectName("errorProbabilities")
        self.bars.setAccessibleName("errorProbabilities")
        self.bars.setMinimumHeight(140)
        self.bars.setMaximumHeight(200)
        self.digit_title = QLabel("Click a digit above to see the network's probabilities for it here.")
        self.digit_title.setWordWrap(True)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.summary)
        lv.addWidget(self.grid, 1)
        # Only the galleries scroll: the chart stays on screen, so a click on a digit visibly answers.
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(4, 0, 0, 0)
        rv.addWidget(self.cell_title)
        rv.addWidget(_scrolling(self.cell_digits), 1)
        mistakes = QLabel("<b>Most confidently wrong</b> (true → predicted, probability of the wrong answer). The "
                          "probabilities add up to 1 whatever the input, so a high one is a claim, not a certainty: "
                          "the Confidence page checks how often such claims come true.")
        mistakes.setWordWrap(True)
        rv.addWidget(mistakes)
        rv.addWidget(_scrolling(self.mistakes), 1)
        rv.addWidget(self.digit_title)
        rv.addWidget(self.bars)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        layout = QHBoxLayout(self)
        layout.addWidget(split)
        self.refresh()

    # ---- inputs ----------------------------------------------------------------------------------------
    def set_network(self, net, live: bool = False) -> None:
        """New weights; `live` (during training) limits the recomputation to once a second."""
        self.net = net
        self._changed(live)

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self._changed(False)

    def _changed(self, live: bool) -> None:
        if not self.isVisible():
            self._dirty = True
        elif live:
            if not self._timer.isActive():
                self._timer.start()
        else:
            self.refresh()

    # ---- work ------------------------------------------------------------------------------------------
    def _usable(self) -> str:
        ds, net = self.dataset, self.net
        if net is None:
            return "Train or load a network to see its mistakes."
        if ds is None or ds.x_test is None or not len(ds.x_test):
            return "Load a data set with test digits to see the network's mistakes."
        if getattr(ds, "task", "") == "regression" or len(getattr(ds, "image_shape", (28, 28)) or ()) != 2:
            return "The errors page is for classified images: this data set has no picture or no classes."
        if ds.x_test.shape[1] != net.input_size:
            return "The data set's digits do not fit this network's inputs."
        if net.n_outputs != ds.n_classes:
            return (f"This network has {net.n_outputs} outputs but the data set has {ds.n_classes} classes: "
                    f"a confusion matrix needs one output per class.")
        return ""

    def refresh(self) -> None:
        self._dirty = False
        problem = self._usable()
        self.analysis = None if problem else error_analysis(self.net, self.dataset.x_test, self.dataset.y_test,
                                                            self.net.n_outputs)
        if self.analysis is None:
            self.summary.setText(problem)
            self.grid.set_matrix(None)
            self.mistakes.set_digits([], [], [])
            self.mistakes.set_placeholder("")
            self.cell_digits.set_digits([], [], [])
            self.cell_digits.set_placeholder(CELL_PROMPT)
            return
        a, y = self.analysis, self.dataset.y_test
        names = self._names()
        n = int(a.confusion.sum())
        self.summary.setText(f"<b>Test set</b>: {n:,} digits, {a.accuracy:.2%} right, {n - int(np.trace(a.confusion)):,} "
                             f"wrong. Rows: the true digit; columns: what the network said. The diagonal is right. "
                             f"Right margin: recall (share of each digit found); bottom: precision (share of "
                             f"each answer that was right).")
        self.grid.set_matrix(a.confusion, names, a.precision, a.recall)
        wrong = a.confident_mistakes(y, MISTAKES)
        self.mistakes.set_placeholder("The network got every test digit right.")
        self.mistakes.set_digits(self._images(wrong), wrong,
                                 [f"{names[y[i]]}→{names[a.pred[i]]} {a.probs[i, a.pred[i]]:.0%}" for i in wrong])
        if self.cell is not None:
            self.show_cell(*self.cell)

    def _names(self) -> list[str]:
        names = getattr(self.dataset, "class_names", None)
        return list(names) if names else [str(c) for c in range(self.net.n_outputs)]

    def _images(self, idx):
        shape = tuple(getattr(self.dataset, "image_shape", None) or (28, 28))
        return self.dataset.x_test[idx].reshape(-1, *shape)

    def show_cell(self, true: int, pred: int) -> None:
        self.cell = (true, pred)
        if self.analysis is None:
            return
        a, y, names = self.analysis, self.dataset.y_test, self._names()
        idx = a.cell(true, pred, y)
        shown = idx[:CELL_DIGITS]
        what = "right" if true == pred else "mistaken"
        more = f", the {len(shown)} most confident shown" if len(idx) > len(shown) else ""
        self.cell_title.setText(f"<b>True {names[true]}, predicted {names[pred]}</b>: {len(idx)} {what} digits{more} "
                                f"(caption: the network's probability for {names[pred]}).")
        self.cell_digits.set_digits(self._images(shown), shown, [f"{a.probs[i, pred]:.0%}" for i in shown])
        self.cell_digits.set_placeholder(f"No test digit {names[true]} was taken for {names[pred]}.")

    def show_digit(self, index: int) -> None:
        if self.analysis is None:
            return
        a, y, names = self.analysis, self.dataset.y_test, self._names()
        self.bars.set_classes(names)
        self.bars.set_probabilities(a.probs[index])
        self.digit_title.setText(f"Test digit #{index}: true {names[y[index]]}, network says "
                                 f"{names[a.pred[index]]} ({a.probs[index, a.pred[index]]:.0%}).")
