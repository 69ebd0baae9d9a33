"""SpareItems: the next run's plot items, made one per timer tick while little else happens, so that Start
only hands them over (making its PlotDataItems at Start cost the GUI thread ~35 ms, a visible stall)."""
from __future__ import annotations

from PySide6.QtCore import QTimer

from app.widgets.curves.run import item_styles, make_item, restyle

FIRST_MS = 200      # the first run's items are begun this long after the plots are made (the window's first paints)
AFTER_MS = 1500     # the next run's items are begun this long after a run took the last ones (its start is busy)
GAP_MS = 40         # one item at a time, this far apart: each costs the GUI thread ~6 ms


class SpareItems:
    def __init__(self, parent, plots, next_color):
        self.plots, self.next_color = plots, next_color      # next_color(): the colour the next run will have
        self._color, self._items = None, []
        self.timer = QTimer(parent, singleShot=True, timeout=self._make_one)
        self.timer.start(FIRST_MS)

    def _make_one(self) -> None:
        if self._color is None:
            self._color = self.next_color()
        if len(self._items) < len(item_styles(self._color)):
            self._items.append(make_item(self.plots, self._color, len(self._items)))
            self.timer.start(GAP_MS)

    def take(self, color) -> list:
        """The items made beforehand (any missing made now), in `color`; the next run's are begun later."""
        made, items = self._color or color, self._items
        self._color, self._items = None, []
        self.timer.start(AFTER_MS)
        items += [make_item(self.plots, made, k) for k in range(len(items), len(item_styles(made)))]
        return items if made == color else restyle(items, color)
