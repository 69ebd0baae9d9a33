"""The app's views, one small file each; every view follows AppState (app/state.py) or a TrainingSession signal.

Build & train      layer_editor (hidden layers with their dropout, output activation, initial weights),
                   training_panel (data set, loss, optimizer, weight decay, training subset,
                   Start / Stop / One epoch, progress, the current network's result), number_field and
                   field_messages (values kept as typed, refusals beside the field), network_view (the diagram)
                   with network_picture (what one rendering draws: one network's architecture, never two),
                   network_geometry (hit-testing) and network_tips (hover texts), activation_info (labels,
                   formulas, ranges from the engine's registry), tips (tooltips in the course's words), named
                   (object and accessible names), step_controls + step_overlay (one step in three phases),
                   coach (hints with one-click fixes), lr_finder (the learning-rate range test)
curves/            live loss and accuracy curves of every run (run buffers, ranges, legend, export)
compare/           Compare… dialog and the results table of every run
playground/        two-input data on the same builder and session: decision boundary, neuron maps, perceptron
                   view, lessons, the pages that are for images only
inside/            the Look inside tab's pages
guide/             the Crash course dock, its sections and Show me actions
Draw               draw_tab with draw_canvas (the pad), stroke_replay (recorded strokes replayed as mouse events),
                   guess_panel (top three, "Not sure"), prediction_bars, digit_image, teach_panel and
                   fine_tune_table (teach your handwriting and see its cost), handwriting_browser
export_image       Copy as image / Save as PNG… on every plot and view; plot_defaults (plain axis numbers, scenes
                   that stay active so a tab switch repaints the window once), for views made later too
fact_label         a label whose text is a fact of one generation of the model: it clears itself when that passes
run_progress       the run's progress bar; a finished run's "Done" belongs to the generation it finished in
wheel_guard        the wheel scrolls the panels; it changes a combo box, spin box or slider only once clicked into
"""
