"""One small file per widget; each binds to AppState or a TrainingSession signal."""
