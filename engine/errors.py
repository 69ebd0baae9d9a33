"""The engine's error types: every message is written for the person using the program."""


class EngineError(Exception):
    """Base of every error the engine raises on purpose; str(e) is a user-facing sentence."""


class SpecError(EngineError, ValueError):
    """A network spec or training setting that cannot work (wrong name, zero units, too big to fit)."""


class DataError(EngineError):
    """A data set file that is missing, damaged or not what it claims to be."""


class ModelFileError(EngineError):
    """A model or project file that is damaged, foreign or of an unknown format version."""


class SaveError(EngineError):
    """A file could not be written (no permission, disk full); the previous file is intact."""


class DivergenceError(EngineError):
    """Training produced NaN or infinite loss."""


class DownloadError(EngineError):
    """A download failed on every mirror, or was cancelled."""
