"""The trained model: one weight row per feature, three heads (kind, category, urgent).

Why a linear model in numpy: a few thousand labelled messages do not feed anything bigger, it
trains in seconds on a laptop, predicts in microseconds, and ships as a gzip file of a few
hundred kB with no runtime dependency beyond numpy.
"""
from __future__ import annotations

import base64
import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from handlers.classify.result import CATEGORIES, KINDS

MODEL_PATH = Path(__file__).with_name("model.json.gz")
N_KIND, N_CAT = len(KINDS), len(CATEGORIES)
N_OUT = N_KIND + N_CAT + 1  # kind logits | category logits | urgent logit
_FIRST = np.zeros(1, np.intp)  # one segment starting at row 0 (add.reduceat)


@dataclass
class Scores:
    kind: list[float]      # probabilities over KINDS
    category: list[float]  # logits over CATEGORIES (the argmax is all the bot needs)
    urgent: float          # logit: urgent when > 0 (probability > 0.5)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _softmax_list(z: list[float]) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = sum(e)
    return [v / total for v in e]


class LinearModel:
    def __init__(self, vocab: dict[str, int], weights: np.ndarray, bias: np.ndarray,
                 temperature: float = 1.0, meta: dict | None = None) -> None:
        self.vocab = vocab
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.temperature = temperature
        self.meta = meta or {}
        self._bias = self.bias.tolist()  # plain floats for the per-message arithmetic
        self._zeros = [0.0] * N_OUT

    def indices(self, feats: set[str]) -> list[int]:
        get = self.vocab.get
        return [i for i in map(get, feats) if i is not None]

    def logits(self, idx: list[int], n_feats: int) -> np.ndarray:
        z = self.weights.take(idx, axis=0).sum(axis=0) if idx else np.zeros(N_OUT, np.float32)
        return z * (1 / math.sqrt(max(n_feats, 1))) + self.bias

    def scores(self, feats: set[str]) -> Scores:
        """One message. Why numpy only for the sum and plain floats after it: each numpy call
        costs about a microsecond whatever its size, and the vector has 15 numbers."""
        idx = self.indices(feats)
        if not idx:
            return self._scores(self._zeros, 0)
        # reduceat, not sum: the same float32 adding order as `scores_many`, so both agree exactly
        z = np.add.reduceat(self.weights.take(idx, axis=0), _FIRST, axis=0)[0].tolist()
        return self._scores(z, len(idx))

    def scores_many(self, many: list[set[str]]) -> list[Scores]:
        """Many messages at once, equal to `scores` on each: one numpy gather and one segmented
        sum (`add.reduceat`) for the whole batch."""
        index = self.indices
        idx = [index(feats) for feats in many]
        counts = [len(i) for i in idx]
        flat = [i for row in idx for i in row]
        sums = [self._zeros] * len(many)
        if flat:
            starts, rows, at = [], [], 0
            for k, n in enumerate(counts):
                if n:  # reduceat would give an empty segment its first row, not zeros
                    starts.append(at)
                    rows.append(k)
                    at += n
            summed = np.add.reduceat(self.weights.take(flat, axis=0), starts, axis=0).tolist()
            for k, z in zip(rows, summed):
                sums[k] = z
        return [self._scores(z, n) for z, n in zip(sums, counts)]

    def _scores(self, z: list[float], n_feats: int) -> Scores:
        scale = 1 / math.sqrt(max(n_feats, 1))
        z = [v * scale + b for v, b in zip(z, self._bias)]
        t = self.temperature
        return Scores(_softmax_list([v / t for v in z[:N_KIND]]), z[N_KIND:N_KIND + N_CAT], z[-1])

    # -- the artefact ---------------------------------------------------------------------------
    def save(self, path: Path = MODEL_PATH) -> None:
        data = {
            "format": 1, "kinds": KINDS, "categories": CATEGORIES, "meta": self.meta,
            "temperature": self.temperature, "bias": self.bias.tolist(),
            "features": sorted(self.vocab, key=self.vocab.get),
            "weights_f16": base64.b64encode(self.weights.astype("<f2").tobytes()).decode(),
        }
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
            json.dump(data, f, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "LinearModel":
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") != 1 or tuple(data["kinds"]) != KINDS or tuple(data["categories"]) != CATEGORIES:
            raise ValueError(f"{path}: model made for other labels; retrain with `linli train`")
        vocab = {name: i for i, name in enumerate(data["features"])}
        w = np.frombuffer(base64.b64decode(data["weights_f16"]), dtype="<f2").reshape(len(vocab), N_OUT)
        return cls(vocab, w, np.array(data["bias"]), data["temperature"], data.get("meta"))
