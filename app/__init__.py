"""MLP Studio desktop app (PySide6 + pyqtgraph)."""
