"""Training: labelled messages → LinearModel (multinomial logistic regression, numpy, Adam).

Why full-batch Adam on a sparse design held as index arrays: a few thousand messages with
~100 features each fit in memory many times over, the loss is convex, and no scipy or
scikit-learn is needed at run time.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from handlers.classify.features import cut, features
from handlers.classify.model import N_CAT, N_KIND, N_OUT, LinearModel, _softmax
from handlers.classify.normalize import normalize
from handlers.classify.result import CATEGORIES, KINDS


@dataclass
class Example:
    text: str
    kind: str
    category: str | None = None
    urgent: bool = False
    weight: float = 1.0
    lang: str | None = None


class CorpusError(ValueError):
    pass


def read_examples(path: str | Path) -> list[Example]:
    """Labelled JSON Lines (text, kind, category, urgent, …); a bad line is an error naming it."""
    out = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                ex = Example(row["text"], row["kind"], row.get("category"), bool(row.get("urgent", False)),
                             lang=row.get("lang"))
            except (ValueError, KeyError, TypeError) as exc:
                raise CorpusError(f"{path} line {number}: {exc}") from None
            check(ex, f"{path} line {number}")
            out.append(ex)
    return out


def check(ex: Example, where: str) -> None:
    if ex.kind not in KINDS:
        raise CorpusError(f"{where}: kind {ex.kind!r} is not one of {', '.join(KINDS)}")
    if ex.category is not None and ex.category not in CATEGORIES:
        raise CorpusError(f"{where}: category {ex.category!r} is not one of {', '.join(CATEGORIES)}")


@dataclass
class Settings:
    iterations: int = 250
    learning_rate: float = 0.1
    l2: float = 3e-5
    min_count: float = 2
    urgent_weight: float = 3.0  # a missed fire costs more than a false alarm
    validation_share: float = 0.15
    seed: int = 7


class _Design:
    """Rows of feature indices (CSR-like), scaled by 1/sqrt(row length) as at prediction."""

    def __init__(self, rows: list[list[int]], n_features: int) -> None:
        lengths = np.array([len(r) for r in rows])
        self.indices = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(lengths.sum()))
        self.starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        self.row_of = np.repeat(np.arange(len(rows)), lengths)
        self.scale = (1 / np.sqrt(np.maximum(lengths, 1))).astype(np.float32)
        self.n_features = n_features

    def forward(self, w: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.add.reduceat(w[self.indices], self.starts, axis=0) * self.scale[:, None] + b

    def backward(self, g: np.ndarray) -> np.ndarray:
        per_entry = (g * self.scale[:, None])[self.row_of]
        return np.stack([np.bincount(self.indices, per_entry[:, j], minlength=self.n_features)
                         for j in range(g.shape[1])], axis=1)


def featurize(examples: Iterable[Example], tokenizer) -> list[set[str]]:
    out = []
    for ex in examples:
        t = normalize(ex.text)
        out.append(features(t, cut(tokenizer, t)))
    return out


def _fit(feats: list[set[str]], examples: list[Example], s: Settings) -> LinearModel:
    counts: Counter = Counter()
    for f, ex in zip(feats, examples):
        for name in f:
            counts[name] += ex.weight
    names = sorted(n for n, c in counts.items() if c >= s.min_count or n.startswith("len="))
    vocab = {n: i for i, n in enumerate(names)}
    rows = [sorted({vocab[n] for n in f if n in vocab}) for f in feats]
    design = _Design(rows, len(vocab))

    n = len(examples)
    weight = np.array([ex.weight for ex in examples], np.float32)
    y_kind = np.zeros((n, N_KIND), np.float32)
    y_cat = np.zeros((n, N_CAT), np.float32)
    has_cat = np.zeros(n, np.float32)
    y_urg = np.zeros(n, np.float32)
    for r, ex in enumerate(examples):
        y_kind[r, KINDS.index(ex.kind)] = 1
        if ex.category is not None and ex.kind in ("complaint", "proposal"):
            y_cat[r, CATEGORIES.index(ex.category)] = 1
            has_cat[r] = 1
        y_urg[r] = float(ex.urgent)
    w_kind = weight / weight.sum()
    w_cat = weight * has_cat / max(float((weight * has_cat).sum()), 1e-9)
    w_urg = weight * np.where(y_urg > 0, s.urgent_weight, 1.0)
    w_urg = w_urg / w_urg.sum()

    w = np.zeros((len(vocab), N_OUT), np.float32)
    b = np.zeros(N_OUT, np.float32)
    m_w, v_w, m_b, v_b = (np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b))
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, s.iterations + 1):
        z = design.forward(w, b)
        g = np.empty_like(z)
        g[:, :N_KIND] = (_softmax(z[:, :N_KIND]) - y_kind) * w_kind[:, None]
        g[:, N_KIND:N_KIND + N_CAT] = (_softmax(z[:, N_KIND:N_KIND + N_CAT]) - y_cat) * w_cat[:, None]
        g[:, -1] = (1 / (1 + np.exp(-z[:, -1])) - y_urg) * w_urg
        gw = design.backward(g) + s.l2 * w
        gb = g.sum(axis=0)
        for p, grad, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            p -= s.learning_rate * (m / (1 - beta1 ** step)) / (np.sqrt(v / (1 - beta2 ** step)) + eps)
    return LinearModel(vocab, w, b)


def _temperature(model: LinearModel, feats: list[set[str]], examples: list[Example]) -> float:
    """The softmax temperature that minimises log-loss of the kind head on unseen messages."""
    z = np.array([model.logits(idx, len(idx))[:N_KIND] for idx in (model.indices(f) for f in feats)])
    y = np.array([KINDS.index(ex.kind) for ex in examples])
    best, best_loss = 1.0, float("inf")
    for t in np.arange(0.1, 4.01, 0.05):
        p = _softmax(z / t)[np.arange(len(y)), y]
        loss = float(-np.log(np.maximum(p, 1e-12)).mean())
        if loss < best_loss:
            best, best_loss = float(t), loss
    return best


def train(examples: list[Example], tokenizer, settings: Settings | None = None,
          calibration: list[Example] | None = None) -> LinearModel:
    """Fit the model, then the temperature of its kind confidence.

    The temperature comes from `calibration` (hand-written messages never trained on) when
    given; templated training messages are easier than real ones, so a split of them makes the
    model over-confident. Without it, a split of the training messages is used.
    """
    s = settings or Settings()
    feats = featurize(examples, tokenizer)
    if calibration:
        model = _fit(feats, examples, s)
        model.temperature = _temperature(model, featurize(calibration, tokenizer), calibration)
        model.meta = {"examples": len(examples), "features": len(model.vocab),
                      "temperature": model.temperature, "calibrated_on": len(calibration)}
        return model
    order = list(range(len(examples)))
    random.Random(s.seed).shuffle(order)
    cut = int(len(order) * s.validation_share)
    temperature = 1.0
    if cut >= 20:
        held, kept = order[:cut], order[cut:]
        probe = _fit([feats[i] for i in kept], [examples[i] for i in kept], s)
        temperature = _temperature(probe, [feats[i] for i in held], [examples[i] for i in held])
    model = _fit(feats, examples, s)
    model.temperature = temperature
    model.meta = {"examples": len(examples), "features": len(model.vocab), "temperature": temperature}
    return model
