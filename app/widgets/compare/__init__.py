"""Fair comparisons in the window: the Compare… dialog, the results table of every run, and their wiring.

dialog.py         CompareDialog: the one setting to vary and its 2-4 values (the engine judges them)
results_table.py  ResultsTable (`resultsTable`): one row per run of the model's history; sort, CSV, pick a run
install.py        install(window): the results dock, the coach under the training panel, the Train menu's actions
"""
