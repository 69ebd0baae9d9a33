"""ResultsTable: every run the student made (the model's run history, AppState.runs), one row each, whether or not
its curves are still on the plots: the setting it varied, final training / validation / test accuracy and loss,
epochs, optimizer steps, wall time and how it ended (engine.compare.run_record).

The table sorts on any column (numbers as numbers), exports to CSV through the window's Prompts, and a picked row
asks the curves to draw that run thicker (`runPicked(id)`; None when nothing is picked).
"""
from __future__ import annotations

import csv
import io

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QStyle,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.run_label import run_names, run_titles
from engine.atomic import atomic_write
from engine.errors import SaveError

# (record key, header, how a value is shown); two-line headers: a column as wide as its numbers, not its words
PERCENT, LOSS, COUNT = (lambda v: f"{100 * v:.2f} %"), (lambda v: f"{v:.4f}"), (lambda v: f"{int(v):,}")
COLUMNS = [("id", "#", str), ("label", "Run", str), ("setting", "Varied", str),
           ("train_accuracy", "Train\nacc.", PERCENT), ("val_accuracy", "Val.\nacc.", PERCENT),
           ("test_accuracy", "Test\nacc.", PERCENT), ("train_loss", "Train\nloss", LOSS),
           ("val_loss", "Val.\nloss", LOSS), ("test_loss", "Test\nloss", LOSS), ("epochs", "Epochs", COUNT),
           ("steps", "Steps", COUNT), ("seconds", "Seconds", lambda v: f"{v:.1f}"), ("outcome", "Outcome", str)]
KIND = {"train": "", "fine-tune": "fine-tuning", "step": "steps", "compare": ""}
RUN_COLUMN, VARIED_COLUMN = 1, 2
TEXT_COLUMNS = (RUN_COLUMN, VARIED_COLUMN)
RUN_MIN_WIDTH = 90        # the Run column takes the width the others leave, eliding its name (in full: the tooltip)
VARIED_MIN_WIDTH = 80     # the Varied column's values give way to the run names first
RUN_WIDE_WIDTH = 240      # when the columns scroll sideways anyway, names up to this wide are shown in full


class _Cell(QTableWidgetItem):
    """Sorts by its number (empty cells last), shows its text."""

    def __init__(self, text: str, key):
        super().__init__(text)
        self.key = key
        self.setFlags(Qt.ItemIsSelectable | Qt.ItemIsEnabled)

    def __lt__(self, other) -> bool:
        a, b = self.key, getattr(other, "key", None)
        if a is None or b is None:
            return b is None and a is not None
        if isinstance(a, str) != isinstance(b, str):
            return not isinstance(a, str)
        return a < b


class _Header(QHeaderView):
    """Keeps room for the sort arrow in the sorted column only (Qt keeps it in all 13: a scroll bar's worth), and
    shares the width the number columns leave between Run and Varied: Varied as wide as its text unless the run
    names need the room, Run the rest, at least RUN_MIN_WIDTH (Stretch would squeeze it to nothing)."""

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.setSectionsClickable(True)                            # as QTableView's own header: a click sorts
        self.setHighlightSections(True)
        self._fit = QTimer(self, singleShot=True, interval=0)    # after the header has resized all its sections
        self._fit.timeout.connect(self.fit_run_column)
        self.sectionResized.connect(lambda logical, *_: logical not in TEXT_COLUMNS and self._fit.start())

    def fit_later(self) -> None:
        self._fit.start()

    def fit_run_column(self) -> None:
        if self.count() <= VARIED_COLUMN:
            return
        table = self.parentWidget()
        want_run, want_varied = (max(table.sizeHintForColumn(c), self.sectionSizeFromContents(c).width())
                                 for c in TEXT_COLUMNS)
        room = self.viewport().width() - sum(self.sectionSize(c) for c in range(self.count())
                                             if c not in TEXT_COLUMNS)
        varied = max(min(want_varied, room - want_run), min(want_varied, VARIED_MIN_WIDTH))
        scrolls = room < RUN_MIN_WIDTH + varied            # the table scrolls sideways anyway: names in full
        run = max(room - varied, min(want_run, RUN_WIDE_WIDTH) if scrolls else 0, RUN_MIN_WIDTH)
        for column, width in ((VARIED_COLUMN, varied), (RUN_COLUMN, run)):
            if self.sectionSize(column) != width:
                self.resizeSection(column, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_run_column()

    def sectionSizeFromContents(self, logical: int) -> QSize:
        size = super().sectionSizeFromContents(logical)
        if self.isSortIndicatorShown() and logical != self.sortIndicatorSection():
            arrow = size.height() + self.style().pixelMetric(QStyle.PM_HeaderMargin, None, self)
            text = self.fontMetrics().size(0, str(self.model().headerData(logical, Qt.Horizontal))).width()
            size.setWidth(max(size.width() - arrow, text + 8))
        return size


def row_values(run: dict, label: str | None = None) -> dict:
    """A run-history entry as the table's raw values (None where the run has no number yet); `label` names it
    (default: its stored label)."""
    rec = run.get("record") or {}
    values = {key: rec.get(key) for key, _, _ in COLUMNS}
    values.update(id=run["id"], label=run["label"] if label is None else label)
    values["setting"] = rec.get("setting") or KIND.get(run.get("kind", "train"), "")
    if values["test_accuracy"] is None:
        values["test_accuracy"] = (run.get("results") or {}).get("test_accuracy")
    if not rec:
        values["outcome"] = "no results yet" if run.get("kind") != "step" else "single steps"
    return values


def runs_csv(runs: list[dict]) -> str:
    """The table's rows with their raw numbers, one per run, each labelled with its whole line (run_titles)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow([key for key, _, _ in COLUMNS])
    for run, title in zip(runs, run_titles(runs)):
        values = row_values(run, title)
        writer.writerow(["" if values[key] is None else values[key] for key, _, _ in COLUMNS])
    return text.getvalue()


class ResultsTable(QWidget):
    runPicked = Signal(object)             # the picked run's id, or None
    rowsShown = Signal()                   # the rows now follow the model's run history

    def __init__(self, state, prompts=None, parent=None):
        super().__init__(parent)
        self.state, self.prompts = state, prompts
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeader(_Header(self.table))
        self.table.setObjectName("resultsTable")
        self.table.setAccessibleName("resultsTable")
        self.table.setHorizontalHeaderLabels([header for _, header, _ in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)                 # one line a run; its whole line is its tooltip
        self.table.setTextElideMode(Qt.ElideRight)    # a name starts with what tells the run apart
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        for column in TEXT_COLUMNS:
            header.setSectionResizeMode(column, QHeaderView.Fixed)
        header.setMinimumSectionSize(min(header.minimumSectionSize(), 24))      # "#" needs no more
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        header.setSortIndicator(0, Qt.AscendingOrder)         # oldest run first until a header is clicked
        header.setSortIndicatorShown(True)
        self.table.setToolTip("Every run you made, even after its curves left the plots. Click a header to sort, "
                              "a row to pick its curves out.")
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.summary = QLabel("")
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setObjectName("exportRunsCsv")
        self.export_button.setToolTip("Save this table as a CSV file (raw numbers, one row per run).")
        row.addWidget(self.summary, 1)
        row.addWidget(self.export_button)
        layout.addLayout(row)
        self.export_button.clicked.connect(self._ask_csv)
        self.table.itemSelectionChanged.connect(self._picked)
        state.runsChanged.connect(self.show_runs)
        self.show_runs(state.runs)

    def show_runs(self, runs: list[dict]) -> None:
        picked = self.picked_id()
        self.table.setSortingEnabled(False)
        self.table.blockSignals(True)
        self.table.setRowCount(len(runs))
        for r, (run, name, title) in enumerate(zip(runs, run_names(runs), run_titles(runs))):
            values = row_values(run, name)
            for c, (key, _, shown) in enumerate(COLUMNS):
                v = values[key]
                cell = _Cell("" if v is None or v == "" else shown(v), v if v != "" else None)
                if c == RUN_COLUMN:
                    cell.setData(Qt.UserRole, run["id"])
                    cell.setToolTip(title)
                elif c == VARIED_COLUMN and v:
                    cell.setToolTip(str(v))
                self.table.setItem(r, c, cell)
        self.table.blockSignals(False)
        self.table.setSortingEnabled(True)
        done = sum(1 for run in runs if run.get("record"))
        self.summary.setText(f"{len(runs)} run{'s' * (len(runs) != 1)}, {done} with results" if runs else
                             "No runs yet: press Start or Compare….")
        if picked is not None:
            self.pick(picked)
        self.table.horizontalHeader().fit_later()             # new names and values: Run and Varied share anew
        self.rowsShown.emit()

    def needs_horizontal_scroll(self) -> bool:
        """True when the columns (Run and Varied at their narrowest) are wider than the table's viewport."""
        header = self.table.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(header.count()) if c not in TEXT_COLUMNS)
        varied = min(self.table.sizeHintForColumn(VARIED_COLUMN), VARIED_MIN_WIDTH)
        return others + RUN_MIN_WIDTH + varied > self.table.viewport().width()

    def picked_id(self):
        rows = self.table.selectionModel().selectedRows(1)
        return rows[0].data(Qt.UserRole) if rows else None

    def pick(self, run_id) -> None:
        """Select the row of run `run_id` (as a click would)."""
        for r in range(self.table.rowCount()):
            if self.table.item(r, 1).data(Qt.UserRole) == run_id:
                self.table.selectRow(r)
                return

    def _picked(self) -> None:
        self.runPicked.emit(self.picked_id())

    def export_csv(self, path) -> None:
        with atomic_write(path, "w") as f:
            f.write(runs_csv(self.state.runs))

    def _ask_csv(self) -> None:
        path = self.prompts.ask_save_path("Export the results table", "runs.csv", "CSV (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except SaveError as e:
            self.prompts.show_error("Could not export", str(e))
