"""The classifier the bot uses: normalise → jieba → features → trained model (+ urgent words)."""
from __future__ import annotations

import re
from pathlib import Path

from handlers.classify.building import find_building
from handlers.classify.features import cut, features, make_tokenizer
from handlers.classify.model import MODEL_PATH, N_CAT, LinearModel
from handlers.classify.normalize import normalize
from handlers.classify.result import CATEGORIES, KINDS, Classification

# Words that mean danger now. Why rules next to the model: a missed fire or a trapped child
# costs far more than a false alarm, and a few hundred examples cannot promise that recall.
_URGENT = re.compile(
    r"煤气味|燃气味|天然气味|煤气泄漏|燃气泄漏|天然气泄漏|漏气|着火|起火|失火|火很大|火灾|冒烟|冒黑烟|浓烟|烟好大|"
    r"全是烟|自燃|烧起来|被困|困在|困人|关在电梯|淹了|被淹|进水了|水漫|管子爆了|水管爆了|爆管|流血|受伤|"
    r"著火|冒出[^。,!?]{0,4}烟|摔倒|摔下来|晕倒|昏倒|救命|打119|打120|叫救护车|"
    r"(?:煤气|燃气|天然气|液化气)[^。,!?]{0,8}(?:味|漏|嘶嘶)|闻到[^。,!?]{0,6}(?:煤气|燃气|天然气)|"
    r"电梯[^。!?]{0,12}(?:出不来|出不去|卡住|卡在)")
_PAST = re.compile(r"(?:被困|困在|淹|着火|受伤|摔倒)[^,，。!！?？]{0,4}过")


_COMPLAINT = KINDS.index("complaint")


class TrainedClassifier:
    def __init__(self, model: LinearModel, tokenizer=None) -> None:
        self.model = model
        self.tokenizer = tokenizer or make_tokenizer()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TrainedClassifier":
        return cls(LinearModel.load(path))

    def classify(self, text: str) -> Classification:
        t = normalize(text)
        scores = self.model.scores(features(t, cut(self.tokenizer, t)))
        p = scores.kind
        k = max(range(len(p)), key=p.__getitem__)
        kind = KINDS[k]
        building = find_building(t)
        danger = kind in ("complaint", "chat") and _URGENT.search(t) is not None and not _PAST.search(t)
        if danger and kind == "chat" and p[k] < 0.9:
            # danger words and an unsure model: better a false alarm than a missed fire
            k, kind = _COMPLAINT, "complaint"
        if kind not in ("complaint", "proposal"):
            return Classification(kind, None, False, building, p[k])
        category = CATEGORIES[max(range(N_CAT), key=scores.category.__getitem__)]
        urgent = kind == "complaint" and (scores.urgent > 0 or danger)
        return Classification(kind, category, urgent, building, p[k])
