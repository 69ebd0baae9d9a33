"""install(window, settings): the crash course dock on the window's right (hidden until asked for), the action
that toggles it (Help > Crash course, F1), the one-time offer on first start, and a lesson applied on Open."""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from app.widgets.guide.dock import WIDTH, GuideDock
from app.widgets.guide.lesson import apply_lesson, describe


def install(window, settings) -> GuideDock:
    dock = window.guide = GuideDock(window, settings)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [WIDTH], Qt.Horizontal)
    dock.hide()
    action = dock.toggle_action = dock.toggleViewAction()
    action.setText("&Crash course")
    action.setShortcut(QKeySequence("F1"))
    action.setStatusTip("The course's sections beside the app, each with Show me buttons")
    action.setToolTip("The course's sections beside the app, each with Show me buttons (F1)")
    action.setObjectName("crashCourseAction")
    window.document.lessonOpened.connect(lambda lesson: _lesson_opened(window, lesson))
    if not settings.guide_offered():
        settings.set_guide_offered()
        _offer(window, dock)
    return dock


def _lesson_opened(window, lesson: dict) -> None:
    apply_lesson(window, lesson)
    text = describe(lesson)
    if text:
        window.statusBar().showMessage(text, 12000)


def _offer(window, dock: GuideDock) -> QWidget:
    """A line in the status bar on first start: open the course, or dismiss it (never a blocking question)."""
    offer = QWidget()
    offer.setObjectName("guideOffer")
    row = QHBoxLayout(offer)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(QLabel("New to neural networks?"))
    open_button = QPushButton("Open the crash course")
    open_button.setObjectName("guideOfferOpen")
    close = QToolButton()
    close.setObjectName("guideOfferClose")
    close.setText("✕")
    close.setAccessibleName("Dismiss")
    close.setToolTip("Dismiss (Help > Crash course or F1 opens it later)")
    row.addWidget(open_button)
    row.addWidget(close)
    window.statusBar().addPermanentWidget(offer)

    def dismiss(*_):
        if shiboken6.isValid(offer):              # once: the dock shown by any means ends the offer too
            window.statusBar().removeWidget(offer)
            offer.deleteLater()
    open_button.clicked.connect(lambda: (dock.open_at(), dismiss()))
    close.clicked.connect(dismiss)
    dock.visibilityChanged.connect(lambda visible: visible and dismiss())
    return offer
