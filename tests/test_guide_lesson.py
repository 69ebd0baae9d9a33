"""A project carries a teacher's lesson (what to load, the course section, a note): set in File > Lesson for
students…, kept by Save, applied by Open (preset loaded, guide open at the section, note shown)."""
from __future__ import annotations

import json
import zipfile

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QPlainTextEdit, QWidget

from app.project import Project, load_project, save_project
from app.state import DEFAULT_SPEC
from tests.helpers_app import make_window
from tests.test_guide_show_me import finish_loads

LESSON = {"preset": "perceptron_xor", "section": "perceptron", "note": "Train it, then add a hidden layer."}


def test_project_file_keeps_the_lesson(tmp_path):
    path = save_project(tmp_path / "a.mlpstudio", Project(spec=DEFAULT_SPEC, lesson=dict(LESSON)))
    assert load_project(path).lesson == LESSON
    assert load_project(save_project(tmp_path / "b.mlpstudio", Project(spec=DEFAULT_SPEC))).lesson is None


def test_a_forged_lesson_is_cleaned(tmp_path):
    path = save_project(tmp_path / "a.mlpstudio", Project(spec=DEFAULT_SPEC))
    with zipfile.ZipFile(path) as zf:
        meta = json.loads(zf.read("project.json"))
    for forged, want in ((["x"], None), ({"preset": 3, "section": None, "note": "n" * 9000},
                                         {"preset": None, "section": None, "note": "n" * 5000})):
        meta["lesson"] = forged
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("project.json", json.dumps(meta))
        assert load_project(path).lesson == want


def _fill_dialog(qtbot, w):
    w.menus.lesson_action.trigger()
    dialog = w.findChild(QDialog, "lessonDialog")
    assert dialog is not None and dialog.isVisible()
    preset = dialog.findChild(QComboBox, "lessonPreset")
    preset.setCurrentIndex(preset.findData(LESSON["preset"]))
    section = dialog.findChild(QComboBox, "lessonSection")
    section.setCurrentIndex(section.findData(LESSON["section"]))
    qtbot.keyClicks(dialog.findChild(QPlainTextEdit, "lessonNote"), LESSON["note"])
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok), Qt.LeftButton)


def test_lesson_round_trip_through_save_and_open(qtbot, tmp_path, monkeypatch):
    teacher = make_window(qtbot, tmp_path, monkeypatch)
    _fill_dialog(qtbot, teacher)
    assert teacher.document.lesson == LESSON and teacher.document.dirty
    path = tmp_path / "lesson.mlpstudio"
    assert teacher.document.save_to(path)

    student = make_window(qtbot, tmp_path / "student", monkeypatch)
    assert not student.guide.isVisible()
    assert student.document.open_path(path)
    guide = student.guide
    assert guide.isVisible() and guide.key == "perceptron"
    note = guide.findChild(QWidget, "guideNote")
    assert note.isVisible() and LESSON["note"] in note.text()
    qtbot.waitUntil(lambda: getattr(student.state.dataset, "key", None) == "xor" and
                    len(student.state.spec["layers"]) == 1, timeout=20000)
    assert student.playground.lesson.key == "perceptron_xor"
    assert student.document.lesson == LESSON
    again = tmp_path / "again.mlpstudio"                    # the student's own save keeps the lesson
    assert student.document.save_to(again) and load_project(again).lesson == LESSON
    finish_loads()


def test_empty_dialog_removes_the_lesson_and_new_forgets_it(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.document.set_lesson(dict(LESSON))
    w.menus.lesson_action.trigger()
    dialog = w.findChild(QDialog, "lessonDialog")
    assert dialog.findChild(QComboBox, "lessonPreset").currentData() == "perceptron_xor"   # shows the current one
    dialog.findChild(QComboBox, "lessonPreset").setCurrentIndex(0)
    dialog.findChild(QComboBox, "lessonSection").setCurrentIndex(0)
    dialog.findChild(QPlainTextEdit, "lessonNote").clear()
    dialog.accept()
    assert w.document.lesson is None
    w.document.set_lesson(dict(LESSON))
    assert w.document.new() and w.document.lesson is None
