"""Where data lives: the bundled MNIST sample (read-only) and the user's data/cache folder (downloads)."""
from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

ENV_DATA_DIR = "MLP_STUDIO_DATA_DIR"   # overrides the platform folder (tests, portable installs)

# The standard MNIST file names, as every mirror publishes them.
MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def resources_dir() -> Path:
    """The bundled resources/ folder, installed as the package mlp_resources (a checkout's own folder in an
    editable install; site-packages/mlp_resources after pip install, --user, --prefix or a wheel)."""
    return Path(str(importlib.resources.files("mlp_resources")))


def sample_dir() -> Path:
    """The bundled 15,000-digit MNIST sample (5,000 train + the 10,000-digit test set), IDX .gz files."""
    return resources_dir() / "mnist-sample"


def user_data_dir() -> Path:
    """The user's data folder (platform convention, or $MLP_STUDIO_DATA_DIR); not created here."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir as platform_dir   # imported late: only needed without the override
    return Path(platform_dir("mlp-studio", appauthor=False))


def mnist_dir() -> Path:
    """Where the full MNIST download goes."""
    return user_data_dir() / "mnist"


def mnist_available() -> bool:
    """True when all four full-MNIST files are in place (they are only renamed there once verified)."""
    folder = mnist_dir()
    return all((folder / name).is_file() for name in MNIST_FILES)
