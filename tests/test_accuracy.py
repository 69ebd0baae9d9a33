"""Done-when of issue 2: 784-128-10 ReLU/softmax, mini-batch SGD + momentum, bundled 5,000 digits -> >= 94%
on the 10,000 MNIST test digits in <= 20 epochs."""
import numpy as np
from threadpoolctl import threadpool_limits

from engine import Network, TrainConfig, fit
from engine.data import load_dataset
from engine.metrics import accuracy


def test_mnist_sample_reaches_94_percent():
    ds = load_dataset("sample")
    x_train, y_train, x_test, y_test = ds.x_train, ds.y_train, ds.x_test, ds.y_test
    assert x_train.shape == (5000, 784) and x_test.shape == (10000, 784)
    net = Network.from_spec({"input_size": 784, "layers": [{"units": 128, "activation": "relu"},
                                                           {"units": 10, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    cfg = TrainConfig(optimizer="momentum", lr=0.1, momentum=0.9, batch_size=32, epochs=20, val_fraction=0, seed=0)
    with threadpool_limits(1):            # steady on a busy 2-core machine; 2 BLAS threads buy nothing at batch 32
        history = fit(net, cfg, x_train, y_train)
    test_accuracy = accuracy(y_test, net.predict(x_test))
    assert len(history) == 20
    assert test_accuracy >= 0.94, test_accuracy


def test_metrics_match_their_definitions():
    from engine.metrics import confusion_matrix, precision_recall
    y_true = np.array([0, 0, 1, 1, 2, 2, 2, 3])
    y_pred = np.array([0, 1, 1, 1, 2, 0, 2, 1])
    assert accuracy(y_true, y_pred) == 5 / 8
    cm = confusion_matrix(y_true, y_pred, n_classes=4)
    assert cm.tolist() == [[1, 1, 0, 0], [0, 2, 0, 0], [1, 0, 2, 0], [0, 1, 0, 0]]
    precision, recall = precision_recall(y_true, y_pred, n_classes=4)
    assert np.allclose(precision, [1 / 2, 2 / 4, 2 / 2, 0])       # class 3 never predicted: 0
    assert np.allclose(recall, [1 / 2, 2 / 2, 2 / 3, 0 / 1])
