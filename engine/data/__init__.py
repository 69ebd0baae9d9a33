"""Data sets for the engine (no Qt).

paths.py     the bundled MNIST sample and the user's data folder (platformdirs or $MLP_STUDIO_DATA_DIR)
idx.py       IDX (MNIST-format) files, raw or gzip, header checked against the real byte length and the
             compression ratio; images decoded chunk by chunk straight into float32
memory.py    the memory a set may take (float32 pixels plus copies) against what the machine has available;
             the compression ratio beyond which a member is a bomb
npz.py       Keras-style .npz (x_train, y_train, x_test, y_test), budgeted from its zip directory first
csv_table.py label-first CSV (Kaggle layout), header or not
checks.py    shared checks: pixels to float32 [0, 1], labels to int64 class indices, regular files only
dataset.py   Dataset and load_dataset("sample" | "sample+drawn" | "mnist" | a generated set | path)
toy.py       playground sets, generated and seeded: xor, circles, spiral, blobs, moons; sin, abs, step
(stratified_split is re-exported from engine.split)
augment.py   Augmenter: batched random affine warps, elastic distortion, stroke thickness
jitter.py    Jitter: the augmentation of inputs that are not images (points, table columns): Gaussian input noise
pendigits.py UCI pendigits pen trajectories -> stroke lists; the bundled drawn training digits ("sample+drawn")
download.py  download_mnist: full MNIST from mirrors, checksum-verified, atomic, cancellable
"""
from .augment import Augmenter
from .jitter import Jitter
from .dataset import Dataset, load_dataset
from .download import MIRRORS, download_mnist
from .paths import mnist_available, mnist_dir, sample_dir, user_data_dir
from ..split import stratified_split   # the engine core's (one split for everyone)

__all__ = ["Dataset", "load_dataset", "Augmenter", "Jitter", "download_mnist", "MIRRORS", "stratified_split",
           "mnist_available", "mnist_dir", "sample_dir", "user_data_dir"]
