"""Teach-your-handwriting with its cost shown, on the real Draw tab: a fifth of the student's digits is held
out of the fine-tuning, and the before/after table matches an independent count on those digits and the
test set."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QSpinBox, QTableWidget

from app.fine_tune_check import held_out_split
from app.handwriting import PersonalDigits
from test_draw_tab import one_blas_thread, tab  # noqa: F401  (fixtures)


def teach(qtbot, tab, image, label):
    """The digit on the pad (the model's drawn digit, as drawing it sets it), then its Teach button."""
    tab.state.set_drawn_digit(image.reshape(28, 28))
    qtbot.mouseClick(tab.findChild(QPushButton, f"teachDigit{label}"), Qt.LeftButton)


def expected_row(net, x, y, cell):
    right = net.predict(x) == y
    per_digit = [cell(right[y == d].sum(), (y == d).sum()) for d in range(10)]
    return per_digit + [cell(right.sum(), len(y))]


def fraction(k, n):
    return f"{k}/{n}" if n else "–"


def accuracy(k, n):
    return f"{100 * k / n:.1f}%" if n else "–"


def test_below_twenty_digits_it_says_how_many_more_are_needed(qtbot, tab, mnist_sample):
    for image, label in zip(mnist_sample.x_test[:15], mnist_sample.y_test[:15]):
        teach(qtbot, tab, image, label)
    count = tab.findChild(QLabel, "handwritingCount").text()
    assert "15 digits" in count and "Add 5 more" in count
    assert tab.canvas.is_empty() and tab.state.drawn_digit is None       # a clean pad for the next one


def test_fine_tune_reports_before_and_after_on_held_out_digits_and_the_test_set(qtbot, tab, digit_net,
                                                                                 mnist_sample):
    tab.state.set_network(digit_net)
    x, y = mnist_sample.x_test[:25], mnist_sample.y_test[:25]               # 25 "personal" digits
    for image, label in zip(x, y):
        teach(qtbot, tab, image, label)
    assert "5 of them are held out" in tab.findChild(QLabel, "handwritingCount").text()
    epochs = tab.findChild(QSpinBox, "fineTuneEpochs")
    epochs.selectAll()
    qtbot.keyClicks(epochs, "1")
    assert epochs.value() == 1
    table = tab.findChild(QTableWidget, "fineTuneTable")
    assert not table.isVisible()
    with qtbot.waitSignal(tab.teacher.checked, timeout=60_000):
        qtbot.mouseClick(tab.findChild(QPushButton, "fineTuneButton"), Qt.LeftButton)
        assert tab.runs.session.config.epochs == 1
    after = tab.state.network
    assert after is not digit_net and table.isVisible()
    assert "your 20 digits" in tab.status.text()                             # the held-out five never trained

    x_all, y_all = PersonalDigits(tab.teacher.digits.folder).as_training()   # what the files hold
    _, held = held_out_split(y_all, seed=0)
    assert len(held) == 5
    x_held, y_held = x_all[held], y_all[held]
    test = f"{mnist_sample.name} test"
    assert table.row("Your held-out digits, before") == expected_row(digit_net, x_held, y_held, fraction)
    assert table.row("Your held-out digits, after") == expected_row(after, x_held, y_held, fraction)
    assert table.row(f"{test}, before") == expected_row(digit_net, mnist_sample.x_test, mnist_sample.y_test,
                                                        accuracy)
    assert table.row(f"{test}, after") == expected_row(after, mnist_sample.x_test, mnist_sample.y_test, accuracy)
    changed = np.mean(digit_net.predict(mnist_sample.x_test) != after.predict(mnist_sample.x_test))
    assert changed > 0                                                        # the network really moved
    assert f"{test}:" in tab.status.text() and "points" in tab.status.text()
    assert tab.findChild(QPushButton, "fineTuneButton").isEnabled()
    tab.state.set_network(digit_net.copy())                                  # another network: the table is not its
    assert not table.isVisible()
