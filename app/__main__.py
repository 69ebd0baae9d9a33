"""`python -m app` / `mlp-studio`: open MLP Studio's main window (desktop-entry flags are handled without Qt;
`--self-test` runs app/self_test.py instead of waiting for a person)."""
from __future__ import annotations

import sys

from app.desktop_entry import handle_cli

SELF_TEST_FLAG = "--self-test"
WORKERS_GRACE_MS = 3000     # a job still computing when the window closed (a threshold, a score) may end in this


def application(argv: list[str]):
    """The QApplication, named as the desktop entry and the settings expect."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.paths import icon_path

    qt_app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    qt_app.setApplicationName("MLP Studio")
    qt_app.setOrganizationName("MLP Studio")
    qt_app.setDesktopFileName("mlp-studio")
    qt_app.setWindowIcon(QIcon(str(icon_path())))
    return qt_app


def open_window():
    """The main window, shown, with the bug handler installed."""
    from app import excepthook
    from app.main_window import MainWindow   # the heavy imports (pyqtgraph, numpy) after Qt is up

    window = MainWindow()
    excepthook.install(window)               # a bug: a sentence for the student, the traceback to the log
    window.show()
    return window


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    code = handle_cli(argv)
    if code is not None:
        return code
    if SELF_TEST_FLAG in argv:
        from app.self_test import run
        return run()
    qt_app = application(argv)
    window = open_window()   # noqa: F841  (kept alive until the event loop ends)
    code = qt_app.exec()
    finish_workers()
    return code


def finish_workers(grace_ms: int = WORKERS_GRACE_MS) -> bool:
    """Ask the pool's jobs to stop and let them end before Python takes their signals apart (a job ending after
    that raised 'Signal source has been deleted' on its thread at exit); True if all ended in time."""
    from superqt.utils import WorkerBase
    try:
        WorkerBase.await_workers(grace_ms)
    except RuntimeError:                     # still running: Python's exit goes on without it
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
