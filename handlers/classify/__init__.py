"""Which messages matter: kind, category, urgency and building of a group message (SPEC §7)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from handlers.classify.classifier import TrainedClassifier
from handlers.classify.model import MODEL_PATH
from handlers.classify.result import CATEGORIES, KINDS, Classification


def load_classifier(path: Path | str | None = None) -> TrainedClassifier:
    """The classifier the bot uses, loaded at start (the shipped model unless told).

    Loaded once per process and file: it holds no state, and jieba's dictionary takes most of
    a second to load (tests and replays start many bots).
    """
    return _load(Path(path or MODEL_PATH).resolve())


@lru_cache(maxsize=4)
def _load(path: Path) -> TrainedClassifier:
    return TrainedClassifier.load(path)


__all__ = ["CATEGORIES", "KINDS", "Classification", "TrainedClassifier", "load_classifier"]
