"""Tooltips: each concept in one or two sentences, in the crash course's terms. Names, formulas and ranges of
activations, losses and optimizers are the engine registries' own (entry_tip), never re-spelled here."""
from engine.activations import ACTIVATIONS


def entry_tip(entry) -> str:
    """A registry entry (activation, loss, optimizer) as a tooltip: formula, output range if any, description."""
    rng = getattr(entry, "range_text", "")
    lines = [entry.formula + (f"   output in {rng}" if rng else ""), entry.description]
    return "\n".join(line for line in lines if line)


ACTIVATION = ("Activation: turns a neuron's sum z into its output. "
              + "; ".join(f"{a.label} → {a.range_text}" for a in ACTIVATIONS.values() if a.hidden_ok) + ".")
OUTPUT_ACTIVATION = ("Output activation: softmax turns the 10 outputs into probabilities that sum to 1 (needed by "
                     "cross-entropy); MSE and L1 accept any output activation.")
NEURONS = "Neurons in this hidden layer: more neurons can learn more patterns, but cost more time and memory."
INPUT = "Input layer: one value per pixel of the 28×28 image (784), from 0 (black) to 1 (white). It has no weights."
PARAMETERS = ("Parameters: every weight and bias the network learns. Memory counts them plus the gradients, "
              "optimizer state and one batch of activations.")
LOSS = ("Loss: one number saying how wrong the network is on a batch. Cross-entropy punishes confident wrong "
        "answers; MSE averages squared errors; L1 averages absolute errors.")
OPTIMIZER = ("Optimizer: how the weights move against the gradient. Stochastic GD uses 1 sample per step, batch GD "
             "the whole set, mini-batch GD a batch; momentum, Nesterov, RMSProp and Adam adapt the step.")
LEARNING_RATE = ("Learning rate: the size of each step against the gradient. Too high and the loss jumps or "
                 "diverges; too low and learning crawls. Can be changed while training.")
MOMENTUM = "Momentum: keeps a share of the previous step, so updates roll through small bumps and speed up on slopes."
BATCH_SIZE = ("Batch size: how many samples are averaged for one weight update. Small batches are noisy but "
              "update often; large batches are smoother. Can be changed while training.")
EPOCHS = "Epoch: one full pass through the training set. Training runs this many epochs."
SEED = "Seed: fixes the random initial weights and shuffling, so the same settings give the same run."
VALIDATION = ("Validation fraction: the share of training images held back to check the network on data it does "
              "not learn from; it shows overfitting.")
SCHEDULE = ("Learning-rate schedule: constant keeps it; step multiplies it by γ every few epochs; cosine lowers it "
            "smoothly to the minimum by the last epoch.")
DROPOUT = ("Dropout: in each training step this share of the layer's neurons is switched off at random (the rest "
           "scaled up by 1 / (1 − p)); nothing is switched off when the network is tested or used. It keeps neurons "
           "from relying on each other and fitting single noisy points (0 = off).")
INITIALIZER = ("Initial weights: how every layer's weights are drawn before training (biases start at 0). "
               "Default: He for ReLU layers, Xavier for the others. Zeros makes all hidden neurons the same forever; "
               "a large σ saturates sigmoid and tanh.")
DEFAULT_INIT = "He uniform for ReLU and leaky ReLU layers, Xavier uniform for the others: the engine's defaults."
WEIGHT_DECAY = ("Weight decay (L2): each step also pulls every weight towards 0, as if the loss had wd/2 · Σw² "
                "added; large weights that fit single noisy points cost more, so the network stays smoother "
                "(0 = off).")
TRAIN_SUBSET = ("How many training samples to use: a seeded subset with as many of each class as possible, "
                "drawn after the validation split (all = every one). A small slice shows overfitting.")
PATIENCE = ("Early stopping: stop when the validation loss has not improved for this many epochs and go back to "
            "the best epoch's weights (0 = off).")
AUGMENT = ("Augmentation: trains on randomly shifted, rotated, scaled and thickened copies of the digits, so the "
           "network learns the shape rather than the exact pixels (and recognises your drawings better).")
AUGMENT_POINTS = ("Augmentation: each step moves every training point by random noise (a quarter of the data's "
                  "spread), so the network cannot learn where single points lie and learns the shape around them.")
DATASET = "Data set: the bundled 5,000-digit MNIST sample, full MNIST (60,000 digits) once downloaded, or your own files."
