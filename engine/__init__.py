"""MLP Studio's engine: a pure-NumPy multi-layer perceptron library (no Qt). See docs/ARCHITECTURE.md."""
