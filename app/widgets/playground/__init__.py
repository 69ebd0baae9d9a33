"""The playground: two-input (and one-input regression) data on the same builder, session, curves and diagram.

colors.py          class colours and the heat map's colouring of the network's output (light and dark themes)
throttle.py        Redraw: draws a view at most 20 times a second, from the latest weights, only while visible
boundary.py        DecisionBoundary (`decisionBoundary`): output heat map over the plane + the points; the fit
                   of a one-input regression; a perceptron's line
neuron_maps.py     NeuronMaps (`neuronMaps`): a small heat map per hidden neuron, enlarged under the mouse
perceptron_view.py PerceptronView (`perceptronView`): one neuron's x1, x2, w1, w2, b, z = w·x + b, a = f(z), live
lessons.py         the lessons: data, network, settings and two sentences each, plus their follow-up steps;
                   AFTER_THE_COURSE: overfitting and regularisation, initialisation
controls.py        PlaygroundControls: the Digits | Playground switch (`playgroundTab`), the data set
                   (`playgroundDataset`), points, noise, split, seed, the preset line and the lessons
image_only.py      the sentence on the Look inside pages and the Draw tab that are for images only
install.py         install(window): adds the controls and the views to Build & train and wires them to the model
"""
