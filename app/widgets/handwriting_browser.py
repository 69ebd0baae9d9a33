"""Browse the personal handwriting set: a grid of thumbnails labelled with their digit; delete mistakes."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QListWidget,
                               QListWidgetItem, QPushButton, QVBoxLayout)

from .digit_image import to_qimage

THUMB = 56


class HandwritingBrowser(QDialog):
    """Modal view of a PersonalDigits set; deleting saves at once."""

    def __init__(self, digits, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Your handwriting")
        self.setObjectName("handwritingBrowser")
        self.digits = digits
        self.summary = QLabel()
        self.grid = QListWidget()
        self.grid.setObjectName("handwritingGrid")
        self.grid.setViewMode(QListWidget.IconMode)
        self.grid.setIconSize(QSize(THUMB, THUMB))
        self.grid.setResizeMode(QListWidget.Adjust)
        self.grid.setMovement(QListWidget.Static)
        self.grid.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.delete_button = QPushButton("Delete selected")
        self.delete_button.clicked.connect(self.delete_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.delete_button, QDialogButtonBox.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.grid, 1)
        layout.addWidget(buttons)
        self.resize(560, 420)
        self.refresh()

    def refresh(self) -> None:
        self.grid.clear()
        for i, (img, label) in enumerate(zip(self.digits.images, self.digits.labels)):
            icon = QIcon(QPixmap.fromImage(to_qimage(img / 255.0)).scaled(THUMB, THUMB))
            item = QListWidgetItem(icon, str(int(label)))
            item.setData(Qt.UserRole, i)
            self.grid.addItem(item)
        counts = np.bincount(self.digits.labels, minlength=10)
        per_digit = "  ".join(f"{d}: {c}" for d, c in enumerate(counts) if c)
        self.summary.setText(f"{len(self.digits)} digits in {self.digits.folder}" + (f"\n{per_digit}" if per_digit else ""))
        self.delete_button.setEnabled(len(self.digits) > 0)

    def delete_selected(self) -> None:
        rows = sorted((it.data(Qt.UserRole) for it in self.grid.selectedItems()), reverse=True)
        for i in rows:                           # from the end, so earlier indices stay valid
            self.digits.remove(i)
        if rows:
            self.refresh()
