"""`python -m app` / `mlp-studio`: open MLP Studio's main window (desktop-entry flags are handled without Qt)."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        from app.desktop_entry import handle_cli
    except ImportError:
        handle_cli = None
    if handle_cli is not None:
        code = handle_cli(argv)
        if code is not None:
            return code
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.paths import icon_path

    qt_app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    qt_app.setApplicationName("MLP Studio")
    qt_app.setOrganizationName("MLP Studio")
    qt_app.setDesktopFileName("mlp-studio")
    qt_app.setWindowIcon(QIcon(str(icon_path())))
    from app.main_window import MainWindow   # the heavy imports (pyqtgraph, numpy) after Qt is up

    window = MainWindow()
    window.show()
    return qt_app.exec()


if __name__ == "__main__":
    sys.exit(main())
