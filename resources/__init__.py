"""The bundled data, installed as the package `mlp_resources`: mnist-sample/ (IDX digits) and icons/.

Read it with importlib.resources.files("mlp_resources"); engine.data.paths is the one place that does.
"""
