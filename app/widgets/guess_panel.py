"""The network's answer to the drawing, honestly: the top digit, one sentence on how sure it is ("95% sure", or
"Not sure: a or b?" when the top probability is below the student's threshold; app.guesses.confidence), its
three best guesses with their probabilities, and a caution when the drawing looks unlike any training digit."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.guesses import DEFAULT_DOUBT, NOT_NUMBERS, SUM_TO_ONE, confidence, percent, top_guesses
from app.settings import Settings
from app.widgets.wheel_guard import SpinBox

RANKS = ("1st", "2nd", "3rd")


def _fixed(label: QLabel, sample: str, align=Qt.AlignRight | Qt.AlignVCenter) -> QLabel:
    """A label as wide as its widest text will ever be, so a new guess never moves its neighbours."""
    label.setAlignment(align)
    label.setFixedWidth(label.fontMetrics().horizontalAdvance(sample) + 6)
    return label


class TopGuesses(QWidget):
    """Three rows: rank, digit, probability. `rows()` reads back what the student sees."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("topGuesses")
        self.setAccessibleName("topGuesses")
        self.setToolTip("The network's three most probable digits for this drawing")
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(2)
        self._rows = []
        for i, rank in enumerate(RANKS):
            digit, prob = QLabel(), QLabel()
            bold = QFont(digit.font())
            bold.setBold(True)
            digit.setFont(bold)
            prob.setFont(bold if i == 0 else prob.font())
            rank_label = _fixed(QLabel(rank), "3rd", Qt.AlignLeft | Qt.AlignVCenter)
            rank_label.setForegroundRole(QPalette.PlaceholderText)
            grid.addWidget(rank_label, i, 0)
            grid.addWidget(_fixed(digit, "8", Qt.AlignCenter), i, 1)
            grid.addWidget(_fixed(prob, "100%"), i, 2)
            self._rows.append((digit, prob))
        self.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)

    def set_guesses(self, guesses) -> None:
        """[(digit, probability), ...] best first, or [] for none."""
        for i, (digit, prob) in enumerate(self._rows):
            d, p = guesses[i] if i < len(guesses) else (None, None)
            digit.setText("" if d is None else str(d))
            prob.setText("" if p is None else percent(p))

    def rows(self) -> list[tuple[str, str]]:
        return [(digit.text(), prob.text()) for digit, prob in self._rows]


class GuessPanel(QWidget):
    """`show_probabilities(p)` with the network's ten probabilities, or None when there is nothing to say."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.probabilities, self.unfamiliar = None, False
        self.prediction_label = QLabel("")
        self.prediction_label.setObjectName("predictionLabel")
        self.prediction_label.setAccessibleName("predictionLabel")
        self.prediction_label.setAlignment(Qt.AlignCenter)
        font = QFont(self.font())
        font.setPointSize(46)
        font.setBold(True)
        self.prediction_label.setFont(font)
        self.prediction_label.setMinimumWidth(110)
        self.confidence_label = QLabel("")                 # app.guesses.confidence's sentence, bold in doubt
        self.confidence_label.setObjectName("confidenceLabel")
        self.confidence_label.setAccessibleName("confidenceLabel")
        self._bold = QFont(self.font())
        self._bold.setBold(True)
        self.confidence_label.setFont(self._bold)         # sized for the widest sentence, so nothing moves
        _fixed(self.confidence_label, "Not sure: 8 or 8?", Qt.AlignCenter)
        self.confidence_label.setFixedHeight(self.confidence_label.fontMetrics().lineSpacing() + 4)
        self.confidence_label.setToolTip("How sure the network is of its top guess. " + SUM_TO_ONE.replace(
            "Its", "The network's", 1) + " A high percentage is a claim, not a certainty: Look inside > Confidence "
            "shows how often its claims come true.")
        self.top = TopGuesses()
        # app.guesses.confidence's caution, or nothing; laid out by the Draw tab across its column (wider: fewer lines)
        self.caution = QLabel("")
        self.caution.setObjectName("unfamiliarLabel")
        self.caution.setAccessibleName("unfamiliarLabel")
        self.caution.setWordWrap(True)
        self.caution.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        # room for the caution kept when there is none, so a stroke that changes the judgement moves nothing
        self.caution.setFixedHeight(3 * self.caution.fontMetrics().lineSpacing() + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("The network thinks")
        caption.setAlignment(Qt.AlignCenter)
        layout.addWidget(caption)
        layout.addWidget(self.prediction_label, 1)
        layout.addWidget(self.confidence_label, 0, Qt.AlignHCenter)
        layout.addWidget(self.top, 0, Qt.AlignHCenter)
        layout.addLayout(self._threshold_row())

    def _threshold_row(self) -> QHBoxLayout:
        self.threshold = SpinBox()
        self.threshold.setObjectName("doubtThreshold")
        self.threshold.setAccessibleName("doubtThreshold")
        self.threshold.setRange(0, 100)
        self.threshold.setSuffix("%")
        self.threshold.setValue(Settings().doubt_threshold(DEFAULT_DOUBT))
        self.threshold.setToolTip("Below this probability for its best guess, the network says it is not sure "
                                  "and names its two best candidates (0% = never)")
        self.threshold.valueChanged.connect(self._threshold_changed)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(QLabel("Not sure below"))
        row.addWidget(self.threshold)
        row.addStretch(1)
        return row

    def _threshold_changed(self, value: int) -> None:
        Settings().set_doubt_threshold(value)
        self.show_probabilities(self.probabilities, self.unfamiliar)

    def show_probabilities(self, p, unfamiliar: bool = False) -> None:
        """`unfamiliar`: the drawing looks unlike the training digits (engine.familiarity's judgement)."""
        self.probabilities, self.unfamiliar = p, unfamiliar
        if p is None:
            self.prediction_label.setText("")
            self.confidence_label.setText("")
            self.top.set_guesses([])
            self.caution.setText("")
            return
        if not np.all(np.isfinite(p)):          # a network whose weights overflowed: no digit to name
            self.prediction_label.setText("?")
            self.confidence_label.setText(NOT_NUMBERS)
            self.top.set_guesses([])
            self.caution.setText("")
            return
        guesses = top_guesses(p, 3)
        said = confidence(p, self.threshold.value(), unfamiliar)
        self.caution.setText(said.caution)
        self.prediction_label.setText(str(guesses[0][0]))
        # in doubt the digit stays (tools read it) but fades: the sentence is the answer
        self.prediction_label.setForegroundRole(QPalette.PlaceholderText if said.doubtful else QPalette.WindowText)
        self.confidence_label.setFont(self._bold if said.doubtful else self.font())
        self.confidence_label.setText(said.sentence)
        self.top.set_guesses(guesses)
