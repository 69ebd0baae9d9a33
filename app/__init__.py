"""MLP Studio desktop app (PySide6 + pyqtgraph).

Rule: views may import the engine's registries and pure functions (labels, formulas, preprocessing,
inspection); only session.py trains. Views follow the app's model (state.py) and keep no copy of its facts.
What may be done now is the actions table's answer for the model's one activity (actions.py, controls.py); a
shown fact belongs to the model's generation it was computed in (docs/ARCHITECTURE.md, "Activity and generations").

__main__.py        `python -m app` / `mlp-studio`: desktop-entry flags without Qt, then the window + excepthook
self_test.py       `mlp-studio --self-test`: the real window offscreen, one epoch, a drawn digit, save + reopen
main_window.py     MainWindow: tabs (Build & train, Look inside, Draw), Train menu, status bar; wires views to the model
state.py           AppState, the model: the current workspace's spec, settings, data set, network, results, runs;
                   the drawn digit; the activity; the generation and the work count
workspace.py       Workspace: what one mode (Digits, Playground) works on, kept while the other is shown
activity.py        Activity: the one thing the app is doing now (idle, loading, training, stepping, ...); begin/end
actions.py         the actions table: each action, the activities that allow it and its precondition
controls.py        Controls: the table applied to every bound widget and menu action; allowed / attempt
status_line.py     the status bar's messages: they go when the next action begins
autosave.py        unsaved work copied to the data folder (every few minutes, and at once on a bug); offered back
choices.py         what the lists offer (activations, losses, optimizers, schedules), read from the engine registries
dataset_loader.py  DatasetLoader: the one way to load a data set (worker thread; a sentence on failure;
                   the shown window's set is read ahead in memory for the first Start)
runs.py            Runs: begins every job (runs, Step, gradient check, Compare, range test) and ends it in one place
session.py         TrainingSession: the only place that trains; the engine's Trainer on a worker, throttled signals
step_text.py       one training step's numbers in the course's words (z = Σ w·x + b, the loss filled in, δ, dL/dW)
run_label.py       a run's line ('784-64-10 tanh, Softmax output · Adam lr 0.003 · batch 64') and the names that tell
                   the runs shown together apart (by the parts in which they differ: 'SGD', 'mini-batch GD')
excepthook.py      a bug: traceback to the log in the user's data folder, one sentence to the user
document.py        Document: the project file being worked on (path, dirty flag, new / open / save)
off_thread.py      off_thread(fn): one long read on a worker while the window paints (opening a big project)
project.py         the .mlpstudio project file (both workspaces: spec, settings, weights, history, results, runs)
project_parts.py   one workspace's part of a project file, read and checked (a damaged or forged one refused)
menus.py           File / View / Help menus wired to the document, exports, theme and dialogs
dialogs.py         About, shortcuts, error boxes, file choosers as functions; Prompts, the seam tests replace
exports.py         File > Export: the network as the engine's .npz, a PyTorch folder (model, weights, train.py), ONNX
last_session.py    what carries over between launches (network, settings, geometry); the cold-start report
settings.py        QSettings: geometry, last settings, theme, recent files
theme.py           light/dark palette following the system; pyqtgraph follows
status_tasks.py    the status bar's task indicator: the run's progress (the panel's own signal) and Stop
training_checks.py the engine's refusals of a field's value or of the whole network, in a sentence (no Qt)
session_jobs.py    what the session runs on its worker: a run, a step, a gradient check, a comparison, the LR test
handwriting.py     the personal handwriting set (IDX files) and the data and settings to fine-tune on it
fine_tune_check.py the held-out fifth of the handwriting set; per-digit scores before and after a fine-tune
guesses.py         the pad's top three guesses and its "Not sure: a or b?" below the student's threshold; the caution
                   when the drawing looks unlike the training digits
familiarity.py     Familiarity: the threshold for "unlike the training digits", calibrated off the GUI thread for
                   the current trained network (its generation) and judging the pad's drawing
desktop_entry.py   freedesktop .desktop entry + icons install/uninstall (a bundle's entry starts that bundle)
paths.py           where resources/ (icons, bundled digits) is
widgets/           one widget a file: network_view, layer_editor, training_panel, curves/, tips, number_field,
                   field_messages, activation_info, step_controls + step_overlay (Step in three phases),
                   draw_canvas, draw_tab (guess_panel, teach_panel, fine_tune_table), prediction_bars,
                   digit_image, handwriting_browser, fact_label (a text that goes with its generation),
                   inside/ (the Look inside tab: activation functions, forward pass, backprop inspector,
                   gradient health, first-layer weights, errors, weight histograms),
                   playground/ (two-input data on the same builder and session: decision boundary, neuron
                   maps, perceptron view, lessons), guide/ (the crash course dock, its Show me actions, a
                   teacher's lesson in a project), export_image (Copy as image / Save as PNG… on every view),
                   wheel_guard (the wheel scrolls; it changes only a field the user clicked into),
                   compare/ (Compare… dialog, the results table of every run, their wiring), coach (engine.coach's
                   hints with one-click fixes), lr_finder (the range test's plot and "Use this rate")
"""
