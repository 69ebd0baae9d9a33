"""GuideDock (`courseGuide`): the crash course beside the app, one section at a time, with its Show me buttons.

The section list (`guideSections`, arrows move, Enter runs the section's first Show me, Space marks it done) sits
above the section's text and formula (`guideText`), its Show me buttons (each `showMe_<section>_<action>`, Enter
or Space presses the focused one), Done (`guideDone`) and Previous / Next. Sections seen and marked done, and the
one shown, are kept in the settings. Colours come from the palette only, so the text follows the theme.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QDockWidget, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from app.widgets.guide import show_me
from app.widgets.guide.sections import BY_KEY, SECTIONS
from app.widgets.named import named

MIN_WIDTH = 230
TITLE_BAR = 40                     # px a window manager's frame may add above a floating dock
WIDTH = 300


class GuideDock(QDockWidget):
    sectionShown = Signal(str)

    def __init__(self, window, settings, parent=None):
        super().__init__("Crash course", parent or window)
        named(self, "courseGuide")
        self.window_, self.settings = window, settings
        self.progress = settings.guide_progress()
        self.key: str | None = None
        self.show_buttons: list[tuple[str, QPushButton]] = []
        self.setAllowedAreas(Qt.LeftDockWidgetArea | Qt.RightDockWidgetArea)
        self.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable |
                         QDockWidget.DockWidgetFloatable)
        self.setMinimumWidth(MIN_WIDTH)
        self.setWidget(self._build())
        self._fill_list()
        start = self.progress.get("current")
        self.show_section(start if start in BY_KEY else SECTIONS[0].key)

    # ---- building -----------------------------------------------------------------------------------
    def _build(self) -> QWidget:
        body = QWidget()
        outer = QVBoxLayout(body)
        outer.setContentsMargins(4, 4, 4, 4)
        self.note = named(QLabel(), "guideNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.RichText)
        self.note.setFrameShape(QLabel.StyledPanel)
        self.note.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.note.setVisible(False)
        outer.addWidget(self.note)
        self.list = named(QListWidget(), "guideSections",
                           "The course's sections: arrows choose one, Enter shows it in the app, Space marks it "
                           "done.")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)     # long titles are elided, with a tip
        self.list.currentRowChanged.connect(lambda row: row >= 0 and self.show_section(SECTIONS[row].key))
        self.list.itemActivated.connect(lambda _: self.show_buttons and self.show_buttons[0][1].click())
        self.list.itemChanged.connect(self._item_checked)
        self.text = named(QTextBrowser(), "guideText")
        self.text.setOpenLinks(False)
        self.text.setFrameShape(QTextBrowser.NoFrame)
        split = QSplitter(Qt.Vertical)
        split.addWidget(self.list)
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.text, 1)
        self.shows = QVBoxLayout()
        column.addLayout(self.shows)
        column.addLayout(self._build_footer())
        split.addWidget(page)
        split.setStretchFactor(1, 1)
        split.setSizes([190, 480])
        outer.addWidget(split, 1)
        return body

    def _build_footer(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.done = named(QCheckBox("Done"), "guideDone", "Mark this section as done (remembered).")
        self.done.toggled.connect(self._done_toggled)
        self.previous = named(QPushButton("Previous"), "guidePrevious", "The section before this one.")
        self.next = named(QPushButton("Next"), "guideNext", "The next section of the course.")
        for button, step in ((self.previous, -1), (self.next, 1)):
            button.setAutoDefault(True)
            button.clicked.connect(lambda _=False, s=step: self.move(s))
        row.addWidget(self.done)
        row.addStretch(1)
        row.addWidget(self.previous)
        row.addWidget(self.next)
        return row

    def _fill_list(self) -> None:
        self.list.blockSignals(True)
        for n, section in enumerate(SECTIONS, 1):
            item = QListWidgetItem(f"{n}. {section.title}")
            item.setToolTip(section.title)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked if section.key in self.progress["done"] else Qt.Unchecked)
            item.setData(Qt.UserRole, section.key)
            self.list.addItem(item)
        self.list.blockSignals(False)

    # ---- showing a section --------------------------------------------------------------------------
    def show_section(self, key: str) -> None:
        section = BY_KEY[key]
        self.key = key
        row = [s.key for s in SECTIONS].index(key)
        if self.list.currentRow() != row:
            self.list.blockSignals(True)
            self.list.setCurrentRow(row)
            self.list.blockSignals(False)
        n = row + 1
        self.text.setHtml(f"<h3>{n}. {html.escape(section.title)}</h3>{section.text}"
                          f"<p style='font-size:large'>{section.formula}</p>")
        self._fill_shows(section)
        self.done.blockSignals(True)
        self.done.setChecked(key in self.progress["done"])
        self.done.blockSignals(False)
        self.previous.setEnabled(row > 0)
        self.next.setEnabled(row < len(SECTIONS) - 1)
        if key not in self.progress["visited"]:
            self.progress["visited"].append(key)
        self.progress["current"] = key
        self._save()
        self.sectionShown.emit(key)

    def _fill_shows(self, section) -> None:
        while self.shows.count():
            widget = self.shows.takeAt(0).widget()
            widget.setParent(None)                       # gone now, not at the next event loop pass
            widget.deleteLater()
        self.show_buttons = []
        for show in section.shows:
            button = named(QPushButton("Show me"), f"showMe_{section.key}_{show.action}",
                            f"Show me {show.caption}.")
            button.setAccessibleDescription(show.caption)
            button.setAutoDefault(True)                  # Enter presses the focused button, as Space does
            button.clicked.connect(lambda _=False, a=show.action: show_me.run(self.window_, a))
            self.window_.controls.bind(show_me.action_of(show.action), button)
            caption = QLabel(show.caption)
            caption.setWordWrap(True)
            caption.setBuddy(button)
            line = QWidget()
            box = QHBoxLayout(line)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(button, 0, Qt.AlignTop)
            box.addWidget(caption, 1)
            self.shows.addWidget(line)
            line.show()                                  # at once, not at the layout's next pass
            self.show_buttons.append((show.action, button))
        chain = [self.list, self.text] + [b for _, b in self.show_buttons] + [self.done, self.previous, self.next]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def move(self, step: int) -> None:
        keys = [s.key for s in SECTIONS]
        row = min(max(keys.index(self.key) + step, 0), len(keys) - 1)
        self.show_section(keys[row])

    # ---- teacher's lesson -----------------------------------------------------------------------------
    def open_at(self, key: str | None = None) -> None:
        self.show()
        self.raise_()
        if key in BY_KEY:
            self.show_section(key)
        self.list.setFocus()

    def setVisible(self, visible: bool) -> None:
        if visible and not self.isVisible():
            self.fit()                                   # before showing: a shown dock already widened the window
        super().setVisible(visible)

    def fit(self) -> None:
        """Docked only where the main area keeps its minimum width beside it; else a floating window."""
        window = self.window_
        central = window.centralWidget()
        if self.isFloating() or central is None or not window.isVisible():
            return
        room = window.width() - central.minimumSizeHint().width()
        if room < MIN_WIDTH:
            self.setFloating(True)
            top_right = window.mapToGlobal(window.rect().topRight())
            top = top_right.y() + 60
            screen = window.screen().availableGeometry()
            # on the screen whole, with room for the title bar a window manager adds: the Done row must show
            height = max(400, min(window.height() - 80, screen.bottom() - top - TITLE_BAR))
            self.setGeometry(top_right.x() - WIDTH - 20, top, WIDTH, height)

    def show_note(self, note: str) -> None:
        note = (note or "").strip()
        self.note.setText("<b>From your teacher:</b> " + html.escape(note).replace("\n", "<br>") if note else "")
        self.note.setVisible(bool(note))

    # ---- progress -------------------------------------------------------------------------------------
    def _item_checked(self, item: QListWidgetItem) -> None:
        self.set_done(item.data(Qt.UserRole), item.checkState() == Qt.Checked)

    def _done_toggled(self, on: bool) -> None:
        self.set_done(self.key, on)

    def set_done(self, key: str, on: bool) -> None:
        done = self.progress["done"]
        if on and key not in done:
            done.append(key)
        elif not on and key in done:
            done.remove(key)
        item = self.list.item([s.key for s in SECTIONS].index(key))
        self.list.blockSignals(True)
        item.setCheckState(Qt.Checked if on else Qt.Unchecked)
        self.list.blockSignals(False)
        if key == self.key and self.done.isChecked() != on:
            self.done.blockSignals(True)
            self.done.setChecked(on)
            self.done.blockSignals(False)
        self._save()

    def _save(self) -> None:
        self.settings.set_guide_progress(self.progress)
