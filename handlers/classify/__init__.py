"""Which messages matter: kind, category, urgency and building of a group message (SPEC §7)."""
from __future__ import annotations

from handlers.classify.result import CATEGORIES, KINDS, Classification
from handlers.classify.rules import RuleClassifier


def load_classifier() -> RuleClassifier:
    """The classifier the bot uses; loaded once at start."""
    return RuleClassifier()


__all__ = ["CATEGORIES", "KINDS", "Classification", "load_classifier"]
