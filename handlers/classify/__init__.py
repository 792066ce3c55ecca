"""Which messages matter: kind, category, urgency and building of a group message (SPEC §7)."""
from __future__ import annotations

from pathlib import Path

from handlers.classify.classifier import TrainedClassifier
from handlers.classify.model import MODEL_PATH
from handlers.classify.result import CATEGORIES, KINDS, Classification


def load_classifier(path: Path | str | None = None) -> TrainedClassifier:
    """The classifier the bot uses; loaded once at start (the shipped model unless told)."""
    return TrainedClassifier.load(Path(path) if path else MODEL_PATH)


__all__ = ["CATEGORIES", "KINDS", "Classification", "TrainedClassifier", "load_classifier"]
