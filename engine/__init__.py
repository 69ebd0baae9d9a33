"""MLP Studio's engine: a pure-NumPy multi-layer perceptron library (never imports Qt). Map of the modules:

  errors         EngineError and its subclasses; str(e) is a sentence for the user
  atomic         atomic_write(path): temp file + fsync + os.replace
  activations    ACTIVATIONS: sigmoid, tanh, relu, leaky_relu, softmax, linear (forward + derivative together;
                 label, formula, range_text, description, hidden_ok for the app)
  losses         LOSSES: cross_entropy, binary_cross_entropy, mse, l1 (value + output delta; label, formula)
  initializers   INITIALIZERS: xavier/glorot and he (uniform, normal), normal (fixed σ = init_scale), zeros;
                 label, formula, description per name; default chosen from the activation
  dropout        inverted dropout's masks for a training pass (drawn, applied forward, reused backward)
  spec           validate_spec, count_params, estimate_memory, size limits (checked before allocating)
  layers         Dense: z = x W + b, a = f(z); W, b are views into the network's flat parameter buffer
  network        Network: from_spec/to_spec/as_inputs/forward/forward_trace/loss/backprop/gradients/predict/save/load
  optimizers     OPTIMIZERS: sgd, bgd, minibatch (plain GD), momentum, nesterov, rmsprop, adam; L2 weight decay;
                 label, formula, description per name (OPTIMIZER_INFO)
  schedules      SCHEDULES: constant, step, cosine learning-rate schedules; SCHEDULE_LABELS
  config         TrainConfig: every training setting, validate(), from_dict() with a sentence per mistake
  presets        PRESETS: app_digits, cli_plain, cli_augment (named TrainConfigs); DIGIT_SPEC
  split          stratified_split: seeded, class-stratified train/validation split; balanced_subset
  train_rows     which rows train and validate: the validation split, then the seeded balanced training subset
  training       Trainer (generator of events), fit()
  events         BatchStats, EpochStats, Finished: what a training run yields
  checkpoints    Rollback (divergence) and BestWeights (early stopping): copies of the flat parameters
  prefetch       AugmentPrefetcher: augments the next batch on a helper thread while this one trains
  quiet          quiet_float: NumPy's float warnings off where a diverging net's inf/nan are caught anyway
  metrics        accuracy, confusion_matrix, precision_recall
  serialization  the model .npz format (version, JSON spec, weights, history, training record); safe load
  train_state    TrainState: the settings a network was trained with, the epochs done, the optimizer's memory
  safe_npz       bounded .npz reading (a damaged header cannot demand gigabytes)
  preprocess     drawn digit -> 28x28 MNIST-like image
  drawn          pen-drawn digits read like the pad; per-digit accuracy (Wilson intervals) on unseen writers
  data/          data sets: IDX/npz/csv loaders, load_dataset, augmentation, MNIST download, paths
  threads        BLAS thread control (threadpoolctl)
  inspection     look-inside helpers for the app's views (activations, backprop of one weight, gradient health)
  layer_map      each layer's activations on fixed digits mapped to 2-D by PCA; nearest-centroid separation
  calibration    reliability diagram numbers: confidence bins, accuracy per bin, expected calibration error
  familiarity    does an input look like the training digits? k-NN distance in the last hidden layer, threshold
                 calibrated on validation digits (at most 5 % of real digits flagged, with 95 % confidence)
  step           one optimizer step recorded in the course's three phases
  gradcheck      dL/dW by central differences beside the backward pass
  coach          hints(): known patterns in a run's curves and probes, with evidence and a one-click fix
  lr_finder      the learning-rate range test on a copy of the network; suggestion one decade below the minimum
  compare        fair comparisons: variants differing in one setting, same start and data order; results rows
  plane          the input plane of a two-input network (output and neuron maps) for the playground
  export/        carry a Network to PyTorch (model.py, weights.pt, train.py) or ONNX; `python -m engine export`
  version        __version__ (the app's too): installed metadata, else pyproject.toml, else "0+unknown"
  progress       the command line's progress bar
  __main__       `python -m engine`: the command line
  cli            `python -m engine train|evaluate|download|info|bench|export` (bench loads the bench/ package,
                 a tool beside the engine that the library never imports)
"""
from . import errors
from .activations import ACTIVATIONS
from .config import TrainConfig
from .events import BatchStats, EpochStats, Finished
from .initializers import INITIALIZERS
from .losses import LOSSES
from .network import Backprop, Network
from .optimizers import OPTIMIZERS
from .presets import PRESETS
from .schedules import SCHEDULES
from .split import stratified_split
from .training import Trainer, fit
from .version import __version__

__all__ = ["__version__", "Network", "Backprop", "TrainConfig", "Trainer", "fit", "BatchStats", "EpochStats", "Finished",
           "ACTIVATIONS", "LOSSES", "OPTIMIZERS", "SCHEDULES", "INITIALIZERS", "PRESETS", "errors", "stratified_split",
           "load_dataset", "preprocess_digit"]

_LAZY = {"load_dataset": ("engine.data", "load_dataset"), "preprocess_digit": ("engine.preprocess", "preprocess_digit")}


def __getattr__(name):
    # data and preprocess are imported on first use: `import engine` stays light for the trainer
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
