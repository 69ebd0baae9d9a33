"""`python -m app` / `mlp-studio`: open MLP Studio's main window (desktop-entry flags are handled without Qt)."""
from __future__ import annotations

import sys

from app.desktop_entry import handle_cli


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    code = handle_cli(argv)
    if code is not None:
        return code
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app import excepthook
    from app.paths import icon_path

    qt_app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    qt_app.setApplicationName("MLP Studio")
    qt_app.setOrganizationName("MLP Studio")
    qt_app.setDesktopFileName("mlp-studio")
    qt_app.setWindowIcon(QIcon(str(icon_path())))
    from app.main_window import MainWindow   # the heavy imports (pyqtgraph, numpy) after Qt is up

    window = MainWindow()
    excepthook.install(window)               # a bug: a sentence for the student, the traceback to the log
    window.show()
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main())
