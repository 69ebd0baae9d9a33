"""What the engine would refuse before a run starts, as its own sentences (no Qt): the panel shows them beside
the fields and as the reason Start is off."""
from __future__ import annotations

from engine.errors import EngineError
from engine.spec import check_memory, validate_spec
from engine.training import TrainConfig

CHECKED = ("lr", "batch_size", "epochs")       # the panel's fields whose value the engine may refuse


def field_problems(settings: dict, names=CHECKED) -> dict[str, str]:
    """The engine's sentence for each named setting it refuses on its own (TrainConfig.validate)."""
    problems = {}
    for name in names:
        try:
            TrainConfig(**{name: settings[name]}).validate()
        except EngineError as e:
            problems[name] = str(e)
    return problems


def training_problem(config: TrainConfig, spec: dict, n_train: int | None = None) -> str:
    """Why these settings and this architecture cannot train together ('' if they can), memory included."""
    try:
        config.validate()
        spec = validate_spec(spec)
        n = n_train or config.batch_size
        check_memory(spec, min({"sgd": 1, "bgd": n}.get(config.optimizer, config.batch_size), n))
    except EngineError as e:
        return str(e)
    return ""
