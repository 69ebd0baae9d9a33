"""Exports of the curves: both plots stacked in one PNG, every run's per-epoch history as CSV (atomic writes)."""
from __future__ import annotations

import csv
import io

from PySide6.QtCore import QBuffer, QIODevice

from app.widgets.curves.run import EPOCH_FIELDS


def png_bytes(plots, background) -> bytes:
    """The plots stacked top to bottom on `background`, as PNG bytes."""
    import pyqtgraph.exporters
    from PySide6.QtGui import QImage, QPainter
    images = [pyqtgraph.exporters.ImageExporter(p.getPlotItem()).export(toBytes=True) for p in plots]
    width = max(i.width() for i in images)
    out = QImage(width, sum(i.height() for i in images), QImage.Format_ARGB32)
    out.fill(background)
    painter = QPainter(out)
    y = 0
    for img in images:
        painter.drawImage(0, y, img)
        y += img.height()
    painter.end()
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    out.save(buf, "PNG")
    return bytes(buf.data())


def history_csv(runs: list[tuple[str, list[dict]]]) -> str:
    """One row per epoch of each (label, rows) run."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["run", *EPOCH_FIELDS])
    for label, rows in runs:
        for row in rows:
            writer.writerow([label, *("" if row.get(k) is None else row[k] for k in EPOCH_FIELDS)])
    return text.getvalue()


def write(path, data) -> None:
    from engine.atomic import atomic_write
    with atomic_write(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
