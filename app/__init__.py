"""MLP Studio desktop app (PySide6 + pyqtgraph). The engine is reached only through session.py.

__main__.py        `python -m app` / `mlp-studio`: desktop-entry flags without Qt, then the main window
main_window.py     MainWindow: menus, tabs (Build & train, Draw, Look inside), status bar
state.py           AppState: the spec being built, training settings, data set, current Network (Qt signals)
session.py         TrainingSession: runs the engine's Trainer on a worker thread, throttled signals
menus.py           File / View / Help menus: builds them and wires each action (install(window))
document.py        Document: the project file, dirty flag, title, new/open/save, restore defaults (signals)
dialogs.py         About, shortcuts, error boxes, file choosers as functions; Prompts (the replaceable seam)
exports.py         File > Export: the network as .npz or a PyTorch script
last_session.py    last settings and geometry restored/saved, project on the command line, cold start
version.py         the app's version
project.py         the .mlpstudio project file (spec, settings, weights, history), atomic, no pickle
settings.py        QSettings: geometry, last settings, theme, recent files
theme.py           light/dark palette following the system; pyqtgraph follows
status_tasks.py    status-bar progress + Cancel for long tasks
handwriting.py     the personal handwriting set (IDX) and fine-tuning on it
desktop_entry.py   freedesktop .desktop entry + icons install/uninstall
paths.py           where resources/ (icons, bundled digits) is
widgets/           one widget a file: network_view, layer_editor, training_panel, curves, tips,
                   draw_canvas, draw_tab, prediction_bars, digit_image, handwriting_browser,
                   inside/ (activation functions, forward pass, backprop inspector, gradient health,
                   first-layer weights, confusion matrix, weight histograms)
"""
