"""Live training curves, several runs overlaid.

widget.py  Curves: the two plots, the redraw timer, axes, marks, exports' buttons
run.py     one run's growing buffers and plot items     series.py  the growing float buffer
spare.py   the next run's plot items, made ahead while the window is idle (Start only hands them over)
ranges.py  robust y ranges (bulk of the runs) and which runs reach outside them (off-scale)
legend.py  the key and run list under the plots         export.py  PNG and CSV exports
"""
from app.widgets.curves.widget import MAX_SHOWN, REDRAW_HZ, RUN_COLORS, Curves

__all__ = ["Curves", "MAX_SHOWN", "REDRAW_HZ", "RUN_COLORS"]
