"""Messages beside the inputs: a refusal in red that keeps its space whether shown or not (so nothing below it
moves), and a notice that stays until it is dismissed or cleared (a sentence the user must not miss)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from app.theme import legible
from app.widgets.named import named

RED = QColor("#c62828")


def error_color(palette: QPalette, role: QPalette.ColorRole = QPalette.Window) -> str:
    """Red that reads (WCAG AA) on the palette's `role` colour: the window for labels, the base for fields."""
    return legible(RED, palette.color(role)).name()


class RefusalLabel(QLabel):
    """Why a value is refused, in red, in `lines` lines; keep_room: the room stays while it is hidden."""

    def __init__(self, lines: int = 2, name: str = "", parent=None, small: bool = False, keep_room: bool = True):
        super().__init__(parent)
        if small:                                            # beside a field: a narrow column, a smaller font
            font = self.font()
            font.setPointSizeF(font.pointSizeF() * 0.9)
            self.setFont(font)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 2)
        keep = self.sizePolicy()
        keep.setRetainSizeWhenHidden(keep_room)
        keep.setHorizontalPolicy(QSizePolicy.Ignored)        # long sentences wrap, they never widen the panel
        self.setSizePolicy(keep)
        if name:
            self.setObjectName(name)
            self.setAccessibleName(name)
        self._recolor()
        self.hide()

    def set_reason(self, reason: str) -> None:
        if reason != self.text():
            self.setText(reason)
            self.setToolTip(reason)                          # the whole sentence, should it need more room
        self.setVisible(bool(reason))

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:
            self._recolor()

    def _recolor(self) -> None:
        color = error_color(self.palette())
        if color != getattr(self, "_color", None):          # a style sheet change is itself a palette change
            self._color = color
            self.setStyleSheet(f"color: {color};")


class NoticeArea(QWidget):
    """A sentence with a close button; shown until dismissed or until clear() (the next run)."""
    dismissed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setObjectName("noticeLabel")
        self.label.setAccessibleName("noticeLabel")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.close_button = named(QToolButton(), "noticeCloseButton", "Dismiss this notice")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self._dismiss)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 4, 2, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.close_button, 0, Qt.AlignTop)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.AlternateBase)
        self.hide()

    def show_notice(self, text: str) -> None:
        """Show `text` (a second notice before the first is dismissed joins it); '' clears."""
        if not text:
            self.clear()
            return
        old = self.label.text() if self.isVisible() else ""
        if text not in old.split("\n"):
            self.label.setText(f"{old}\n{text}" if old else text)
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()

    def _dismiss(self) -> None:
        self.clear()
        self.dismissed.emit()
