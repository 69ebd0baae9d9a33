"""install(window): the course's tools in the main window. The results table floats over the diagram (hidden until
a comparison runs or Train > Results table shows it; it can be docked), the coach sits under the training panel,
and Compare… and Find learning rate… are in the Train menu and under Start. Each run goes through window.runs (the
one session).
"""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget

from app.widgets.coach import CoachHints
from app.widgets.compare.dialog import CompareDialog
from app.widgets.compare.results_table import ResultsTable
from app.widgets.lr_finder import LRFinderDialog

BUSY = "A run is under way: stop it first, then start the comparison."
MIN_ROWS, MAX_ROWS = 3, 6        # the floating results table shows this many rows before it scrolls


class CourseTools:
    def __init__(self, window):
        self.window = window
        w = window
        self.results = ResultsTable(w.state, w.prompts)
        self.dock = QDockWidget("Runs and results", w)
        self.dock.setObjectName("runsDock")
        self.dock.setAccessibleName("runsDock")
        self.dock.setWidget(self.results)
        w.addDockWidget(Qt.BottomDockWidgetArea, self.dock)
        self.dock.setFloating(True)          # docked, it would push the window past 768 px high; the user may dock it
        self.dock.hide()
        self._placed = False
        self._fitted = None                  # the dock's size as fit_height left it (another: the user's, kept)
        self.coach = CoachHints(w.state, w.session, w.controls)
        column = w.panel.parentWidget().layout()
        column.insertWidget(column.indexOf(w.panel) + 1, self.coach)
        self.compare_dialog = CompareDialog(w.state, w)
        self.lr_dialog = None
        self.results.runPicked.connect(lambda key: w.curves.highlight(key))
        w.state.runsChanged.connect(lambda runs: w.curves.follow_runs(runs))   # the legend names runs as the table
        w.curves.follow_runs(w.state.runs)
        self._fit_later = QTimer(self.dock, singleShot=True, interval=0)     # once the new rows are laid out
        self._fit_later.timeout.connect(self.fit_height)
        self.results.rowsShown.connect(self._fit_later.start)
        self.compare_dialog.chosen.connect(self.run_comparison)
        self.coach.findLrRequested.connect(self.find_learning_rate)
        w.panel.compareRequested.connect(lambda: self.show_compare())
        # a lesson's "side by side" step: its settings' epochs for every run
        w.playground.compareAsked.connect(
            lambda setting, values: self.show_compare(setting, values, int(w.state.settings.get("epochs", 10))))
        w.panel.lrFinderRequested.connect(self.find_learning_rate)
        self._actions()

    def _actions(self) -> None:
        w = self.window
        self.compare_action = QAction("&Compare…", w, triggered=lambda: self.show_compare())
        self.compare_action.setStatusTip("Train 2-4 variants that differ in one setting, from the same start")
        self.lr_action = QAction("Find &learning rate…", w, triggered=self.find_learning_rate)
        self.lr_action.setStatusTip("Run the learning-rate range test from the weights Start begins with")
        self.table_action = self.dock.toggleViewAction()
        self.table_action.triggered.connect(lambda on: self.show_results() if on else None)
        self.table_action.setText("&Results table")
        w.train_menu.addSeparator()
        for action in (self.compare_action, self.lr_action, self.table_action):
            w.train_menu.addAction(action)
        w.controls.bind("compare", self.compare_action)
        w.controls.bind("find_lr", self.lr_action)

    def show_compare(self, setting: str | None = None, values=None, epochs: int | None = None) -> CompareDialog:
        """Open Compare… (configured with `setting` and `values` when given, e.g. by the course guide)."""
        if setting is not None:
            self.compare_dialog.configure(setting, values, epochs)
        self.compare_dialog.show()
        self.compare_dialog.raise_()
        return self.compare_dialog

    def run_comparison(self, setting: str, values: list, epochs: int) -> bool:
        if not (self.window.controls.allowed("compare") and self.window.runs.compare(setting, values, epochs=epochs)):
            self.window.statusBar().showMessage(BUSY, 8000)
            return False
        self.show_results()
        return True

    def show_results(self) -> None:
        """The results table, the first time over the diagram (a comparison trains copies, not the diagram's
        network), so the curves its rows pick stay in sight below it."""
        w = self.window
        if not self._placed and self.dock.isFloating():
            self._placed = True
            right = w.curves_box.parentWidget()                 # the column of diagram, step and curves
            top = right.mapToGlobal(QPoint(0, 0))
            room = w.curves_box.mapToGlobal(QPoint(0, 0)).y() - top.y()
            self.dock.setGeometry(top.x() + 10, top.y() + 10, max(right.width() - 20, 480),
                                  max(180, min(320, room - 20)))
            self._fitted = self.dock.size()
        self.dock.show()
        self.dock.raise_()
        self.fit_height()

    def fit_height(self) -> None:
        """The floating dock as tall as its rows (MIN_ROWS to MAX_ROWS, then it scrolls), not down over the
        curves; left alone once the user resized or docked it."""
        dock, table = self.dock, self.results.table
        if not dock.isVisible() or not dock.isFloating() or dock.size() != self._fitted:
            return
        row = table.verticalHeader().defaultSectionSize()
        bar = table.horizontalScrollBar()
        shown = bar.height() if bar.isVisible() else 0            # maybe a moment's, until the columns refit
        needed = bar.sizeHint().height() if self.results.needs_horizontal_scroll() else 0
        chrome = dock.height() - table.viewport().height() - shown + needed
        room = self.window.curves_box.mapToGlobal(QPoint(0, 0)).y() - dock.geometry().top() - 10
        rows = min(max(table.rowCount(), MIN_ROWS), MAX_ROWS)
        height = max(min(rows * row + chrome, room), MIN_ROWS * row + chrome)
        if height != dock.height():
            dock.resize(dock.width(), height)
        self._fitted = dock.size()

    def find_learning_rate(self) -> LRFinderDialog:
        """Open the range test's window and start it."""
        w = self.window
        if self.lr_dialog is None:
            self.lr_dialog = LRFinderDialog(w.state, w.session, w.runs, w.controls, w)
        self.lr_dialog.show()
        self.lr_dialog.raise_()
        self.lr_dialog.start()
        return self.lr_dialog


def install(window) -> CourseTools:
    window.course_tools = CourseTools(window)
    return window.course_tools
