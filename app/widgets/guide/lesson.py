"""A lesson a teacher puts in a project: what to load (a playground lesson, a playground data set or the digits'
defaults), the crash-course section to open, and a note for the students.

`preset_choices()` lists what can be loaded; `apply_lesson(window, lesson)` does it when the project opens;
`LessonDialog` (`lessonDialog`, File > Lesson for students…) edits the document's lesson, without blocking.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit,
                               QVBoxLayout)

from app.widgets.guide.sections import BY_KEY as SECTIONS_BY_KEY
from app.widgets.guide.sections import SECTIONS
from app.widgets.playground.lessons import BY_KEY as LESSONS_BY_KEY
from app.widgets.playground.lessons import AFTER_THE_COURSE, LESSONS
from app.widgets.wheel_guard import ComboBox
from engine.data.toy import LABELS, TOY_NAMES
from engine.presets import PLAYGROUND

DIGITS = "app_digits"


def preset_choices() -> list[tuple[str, str]]:
    """(key, what the teacher reads) for everything a lesson can load; '' loads nothing beyond the project."""
    return ([("", "Nothing: the project's own network and settings")] +
            [(lesson.key, f"Playground lesson: {lesson.title}") for lesson in LESSONS + AFTER_THE_COURSE] +
            [(name, f"Playground data set: {LABELS[name]}") for name in TOY_NAMES if name in PLAYGROUND] +
            [(DIGITS, "Digits with the default network and settings")])


def describe(lesson: dict | None) -> str:
    """One line for the status bar: what the opened project's lesson did."""
    if not lesson:
        return ""
    labels = dict(preset_choices())
    parts = [labels.get(lesson.get("preset") or "", "")] if lesson.get("preset") else []
    if lesson.get("section") in SECTIONS_BY_KEY:
        parts.append(f"crash course at “{SECTIONS_BY_KEY[lesson['section']].title}”")
    return "Lesson: " + "; ".join(parts) + "." if parts else ""


def apply_lesson(window, lesson: dict) -> None:
    """Load the lesson's preset through the playground controls, open the guide at its section, show its note."""
    preset = lesson.get("preset") or ""
    pg = window.playground
    window.tabs.setCurrentIndex(0)
    if preset in LESSONS_BY_KEY:
        pg.start_lesson(preset)
    elif preset in PLAYGROUND:
        if not pg.playground():
            pg.mode.setCurrentIndex(1)
        pg.choose(preset)
    elif preset == DIGITS:
        if pg.playground():
            pg.mode.setCurrentIndex(0)                  # loads the digits with their default settings
        else:
            window.document.restore_defaults()
    guide = window.guide
    guide.show_note(lesson.get("note") or "")
    if lesson.get("section") or lesson.get("note"):
        guide.open_at(lesson.get("section"))


class LessonDialog(QDialog):
    def __init__(self, lesson: dict | None, parent=None):
        super().__init__(parent)
        self.setObjectName("lessonDialog")
        self.setWindowTitle("Lesson for students")
        lesson = lesson or {}
        intro = QLabel("Saved with the project: when a student opens it, MLP Studio loads this, opens the crash "
                       "course at this section and shows your note.")
        intro.setWordWrap(True)
        self.preset = ComboBox()
        self.preset.setObjectName("lessonPreset")
        for key, text in preset_choices():
            self.preset.addItem(text, key)
        self.preset.setCurrentIndex(max(0, self.preset.findData(lesson.get("preset") or "")))
        self.section = ComboBox()
        self.section.setObjectName("lessonSection")
        self.section.addItem("None", "")
        for n, section in enumerate(SECTIONS, 1):
            self.section.addItem(f"{n}. {section.title}", section.key)
        self.section.setCurrentIndex(max(0, self.section.findData(lesson.get("section") or "")))
        self.note = QPlainTextEdit(lesson.get("note") or "")
        self.note.setObjectName("lessonNote")
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("e.g. Train the perceptron first, then add a hidden layer. What changes?")
        form = QFormLayout()
        form.addRow("&Load", self.preset)
        form.addRow("&Open the course at", self.section)
        form.addRow("&Note", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def lesson(self) -> dict | None:
        """The lesson as edited; None when every field is empty (the project then carries none)."""
        value = {"preset": self.preset.currentData() or None, "section": self.section.currentData() or None,
                 "note": self.note.toPlainText().strip()}
        return value if any(value.values()) else None


def edit_lesson(window, document) -> LessonDialog:
    """Open the dialog (window-modal, not blocking); OK gives the document its new lesson."""
    dialog = LessonDialog(document.lesson, window)
    dialog.accepted.connect(lambda: document.set_lesson(dialog.lesson()))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
