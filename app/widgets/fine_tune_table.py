"""Before/after table of a fine-tune, per digit: the student's held-out digits (right / how many) and the
data set's test part (accuracy), so what was gained and what was forgotten show side by side."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from app.fine_tune_check import accuracy_text
from app.theme import legible

NONE = "–"
GAIN, LOSS = QColor("#2e7d32"), QColor("#c62828")


def fraction_text(right: int, count: int) -> str:
    return f"{right}/{count}" if count else NONE


class FineTuneTable(QTableWidget):
    """`set_report(report)` (app.fine_tune_check.FineTuneReport); columns 0-9 and 'all', four rows."""

    def __init__(self, parent=None):
        super().__init__(4, 11, parent)
        self.setObjectName("fineTuneTable")
        self.setAccessibleName("fineTuneTable")
        self.report = None
        self.setHorizontalHeaderLabels([str(d) for d in range(10)] + ["all"])
        self.setVerticalHeaderLabels(self.row_names("test set"))
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.setFocusPolicy(Qt.NoFocus)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        width = self.fontMetrics().horizontalAdvance("100.0%") + 12
        header = self.horizontalHeader()
        header.setMinimumSectionSize(width)
        header.setSectionResizeMode(QHeaderView.Stretch)       # fills the row; never narrower than "100.0%"
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().lineSpacing() + 6)      # compact: the pad keeps its room
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setToolTip("After fine-tuning, per digit: your held-out digits read right (the network never "
                        "trained on them) and the test set's accuracy. Green: better after; red: worse.")
        self._fit_height()

    @staticmethod
    def row_names(test_name: str) -> list[str]:
        return ["Your held-out digits, before", "Your held-out digits, after", f"{test_name}, before",
                f"{test_name}, after"]

    def _fit_height(self) -> None:
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows + 2 * self.frameWidth())
        names = self.fontMetrics().horizontalAdvance(self.row_names("MNIST sample test")[1]) + 16
        self.setMinimumWidth(names + self.columnCount() * self.horizontalHeader().minimumSectionSize())

    def set_report(self, report) -> None:
        self.report = report
        self.setVerticalHeaderLabels(self.row_names(report.test_name))
        for first_row, scores, text in ((0, report.yours, fraction_text), (2, report.test, accuracy_text)):
            counts = [*scores.count.tolist(), scores.total[0]]
            befores = [*scores.before.tolist(), scores.total[1]]
            afters = [*scores.after.tolist(), scores.total[2]]
            for col, (n, b, a) in enumerate(zip(counts, befores, afters)):
                self._set(first_row, col, text(b, n), None)
                self._set(first_row + 1, col, text(a, n), None if not n or a == b else a > b)

    def _set(self, row: int, col: int, text: str, better: bool | None) -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignCenter)
        if col == self.columnCount() - 1:                  # the overall column reads first
            font = item.font()
            font.setBold(True)
            item.setFont(font)
        if better is not None:
            base = self.palette().color(QPalette.Base)
            item.setForeground(legible(GAIN if better else LOSS, base))
        self.setItem(row, col, item)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and self.report is not None:
            self.set_report(self.report)             # gains and losses stay readable in the other theme

    def row(self, name: str) -> list[str]:
        """The texts of the row whose header starts with `name` (as the student reads them)."""
        for r in range(self.rowCount()):
            if self.verticalHeaderItem(r).text().startswith(name):
                return [self.item(r, c).text() if self.item(r, c) else "" for c in range(self.columnCount())]
        raise KeyError(name)
