"""The classifier the bot uses: normalise → jieba → features → trained model (+ urgent words)."""
from __future__ import annotations

import re
from pathlib import Path

from handlers.classify.building import find_building
from handlers.classify.features import WordCutter, features, make_tokenizer
from handlers.classify.model import MODEL_PATH, LinearModel, Scores
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
# A danger feared, not happening: "我怕着火", "万一起火怎么办", "容易摔倒" (a 安全隐患, not an alarm)
_FEARED = re.compile(r"(?:怕|担心|万一|容易|可能会|会不会|防止|预防|小心|以免|免得)[^,，。!！?？]{0,6}?"
                     r"(?:着火|起火|失火|火灾|漏气|被困|受伤|摔倒|摔下来|淹了|被淹)")


_COMPLAINT, _CHAT = KINDS.index("complaint"), KINDS.index("chat")
_DANGER_KINDS = (_COMPLAINT, _CHAT)
_ITEM_KINDS = (_COMPLAINT, KINDS.index("proposal"))


class TrainedClassifier:
    def __init__(self, model: LinearModel, tokenizer=None) -> None:
        self.model = model
        self.tokenizer = tokenizer or make_tokenizer()
        self.words = WordCutter(self.tokenizer)

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "TrainedClassifier":
        return cls(LinearModel.load(path))

    def classify(self, text: str) -> Classification:
        """One message (the bot's live path)."""
        t = normalize(text)
        return self._decide(t, self.model.scores(features(t, self.words(t))))

    def classify_many(self, texts: list[str]) -> list[Classification]:
        """Many messages, the same answers as `classify` on each, faster: the model step runs
        once for the whole batch (numpy's per-call cost is a large share of one message)."""
        norm = [normalize(text) for text in texts]
        words = self.words
        feats = [features(t, words(t)) for t in norm]
        return list(map(self._decide, norm, self.model.scores_many(feats)))

    @staticmethod
    def _decide(t: str, scores: Scores) -> Classification:
        p = scores.kind
        top = max(p)
        k = p.index(top)
        kind = KINDS[k]
        building = find_building(t)
        danger = k in _DANGER_KINDS and not _PAST.search(t) \
            and _URGENT.search(_FEARED.sub(" ", t)) is not None
        if danger and k == _CHAT and top < 0.9:
            # danger words and an unsure model: better a false alarm than a missed fire
            k, kind = _COMPLAINT, "complaint"
        if k not in _ITEM_KINDS:
            return Classification(kind, None, False, building, p[k])
        c = scores.category
        category = CATEGORIES[c.index(max(c))]
        urgent = k == _COMPLAINT and (scores.urgent > 0 or danger)
        return Classification(kind, category, urgent, building, p[k])
