"""Look inside: views that make activations, backpropagation and errors visible.

  inside_tab.py           InsideTab(state, session): composes the views below and feeds them the app's signals
  activation_functions.py activationView: sigmoid, tanh, ReLU, leaky ReLU and their derivatives, ranges marked
  forward_pass.py         one digit through the network: layer activations lit in the diagram, neuron details
  backprop_inspector.py   backpropInspector: z_i, delta_j, dL/dW and the optimizer step for a clicked weight
  gradient_health.py      gradientHealthPlot: per-layer gradient norm over training (log scale), dead ReLUs
  first_layer_weights.py  firstLayerWeightsView: weights into each first-hidden unit as an image
  confusion.py            confusionMatrix: test-set confusion, a cell's digits, the most confident mistakes
  weight_histograms.py    weightHistograms: each layer's weights now vs at initialisation
  layer_map.py            layerMapView: 2,000 test digits mapped to 2-D (PCA) per layer, pixels first, with the
                          separation of the classes under each map; a click shows the digit
  reliability.py          reliabilityDiagram (page Confidence): confidence bins vs observed accuracy, counts, ECE
  digit_gallery.py        a wrapping grid of small digits with captions (confusion cell, confident mistakes)
  initial.py              the network as initialised, rebuilt from its spec and seed (histograms, first layer)
  colors.py               the diverging blue/orange colour map shared with the network diagram
  when_shown.py           RefreshWhenShown: a page that does its drawing work only while it is on screen
"""
