"""MLP Studio's benchmark: a tool beside the engine (the engine's library modules never import it). Map:

  runners   one runner per implementation (ours, torch, sklearn, naive) and the digits they train on
  naive     the textbook float64 trainer: the floor the engine is measured against
  measure   FLOPs per epoch, GEMM rate, interleaved epoch timing, latency, peak memory (fresh processes)
  report    the speed and memory targets, the text and Markdown tables, reading a saved --json result
  main      benchmark() (the whole run) and the command line behind `python -m engine bench` / `python -m bench`
  lr_finder_sweep  the learning-rate finder's suggestion against a sweep of fixed rates (docs/lr-finder.md)
  playground_timing  through the real window and session: XOR from Start to 98 %, the heat map's frame rate
  step_ab   the training step and the optimizer's update against another git revision's engine, A B A B
  default_run  the app's default run (seconds, MNIST test and held-out drawn accuracy) beside the previous one
  gui_timing  the default run through the real window on a first launch: seconds, both accuracies, GUI gaps
  stall     the GUI thread's gaps and what else held the CPU meanwhile (the suite's stall tests use it too)
  __main__  `python -m bench`
"""
