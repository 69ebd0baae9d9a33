"""ImageOnly: a page that only makes sense for images (first-layer weights, the errors gallery, the Draw tab) says
so in a sentence while the data set is two-input points or a curve, instead of drawing 1x2-pixel "images"."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

FOR_IMAGES = ("{what} is for images: it shows {shows}. The playground's two-input points and one-input curves "
              "have no picture to show; switch Build & train back to Digits to use it.")


class ImageOnly:
    """Puts a notice on top of `page` and hides the page's own widgets while the model's data set is not images."""

    def __init__(self, page, state, what: str, shows: str):
        self.page = page
        self.notice = QLabel(FOR_IMAGES.format(what=what, shows=shows))
        self.notice.setObjectName("imagesOnlyNotice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.notice.setMargin(12)
        layout = page.layout()
        layout.insertWidget(0, self.notice)
        self.hidden: list = []
        self.notice.setVisible(False)
        state.datasetChanged.connect(self.follow)
        self.follow(state.dataset)

    def follow(self, ds) -> None:
        images = ds is None or len(getattr(ds, "image_shape", (28, 28))) == 2
        layout = self.page.layout()
        if not images and not self.hidden:
            items = [layout.itemAt(i) for i in range(layout.count())]
            self.hidden = [it.widget() for it in items
                           if it.widget() is not None and it.widget() is not self.notice and it.widget().isVisibleTo(self.page)]
            for w in self.hidden:
                w.setVisible(False)
        elif images:
            for w in self.hidden:
                w.setVisible(True)
            self.hidden = []
        self.notice.setVisible(not images)
