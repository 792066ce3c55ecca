"""`linli eval`: how a classifier does on a labelled file (per-kind P/R/F1, confusion, category)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from handlers.classify.result import KINDS
from handlers.classify.train import Example
from handlers.gate import ITEM_KINDS, acts_on


@dataclass
class Report:
    n: int
    confusion: Counter            # (gold kind, predicted kind) → count
    per_kind: dict[str, tuple[float, float, float]]  # kind → precision, recall, F1
    macro_f1: float
    chat_to_item: float           # share of chat taken as complaint or proposal
    category_accuracy: float      # gold complaint/proposal whose kind was found: category right
    category_accuracy_all: float  # same over every gold complaint/proposal (a missed kind counts wrong)
    urgent_recall: float
    urgent_precision: float
    by_script: dict[str, float] = field(default_factory=dict)  # lang → kind macro-F1
    ece: float = 0.0              # expected calibration error of the kind confidence (10 bins)
    min_confidence: float = 0.6
    chat_opened: float = 0.0      # share of chat the bot would open an item for (confidence gate)
    items_missed: float = 0.0     # share of complaints/proposals the gate or the model lets pass


def _prf(conf: Counter, kinds=KINDS) -> tuple[dict, float]:
    out = {}
    for k in kinds:
        tp = conf[(k, k)]
        pred = sum(conf[(o, k)] for o in kinds)
        gold = sum(conf[(k, o)] for o in kinds)
        p = tp / pred if pred else 0.0
        r = tp / gold if gold else 0.0
        out[k] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    present = [k for k in kinds if any(conf[(k, o)] for o in kinds)]
    return out, sum(out[k][2] for k in present) / max(len(present), 1)


def evaluate(classify, examples: list[Example], min_confidence: float = 0.6) -> Report:
    """Score `classify` on labelled examples; `min_confidence` is the bot's gate for opening items
    (`classifier.min_confidence`; handlers/gate.py is the whole rule)."""
    conf: Counter = Counter()
    script_conf: dict[str, Counter] = {}
    cat_right = cat_found = cat_gold = 0
    urg_tp = urg_gold = urg_pred = 0
    bins = [[0, 0.0, 0] for _ in range(10)]  # count, confidence sum, correct
    chat_opened = items_missed = 0
    for ex in examples:
        got = classify(ex.text)
        conf[(ex.kind, got.kind)] += 1
        opens = got.kind in ITEM_KINDS and acts_on(got, ex.text, min_confidence)
        chat_opened += ex.kind == "chat" and opens
        items_missed += ex.kind in ("complaint", "proposal") and not opens
        if ex.lang:
            script_conf.setdefault(ex.lang, Counter())[(ex.kind, got.kind)] += 1
        if ex.kind in ("complaint", "proposal") and ex.category:
            cat_gold += 1
            if got.category is not None:
                cat_found += 1
                cat_right += got.category == ex.category
        urg_gold += ex.urgent
        urg_pred += got.urgent
        urg_tp += ex.urgent and got.urgent
        b = bins[min(int(got.confidence * 10), 9)]
        b[0] += 1
        b[1] += got.confidence
        b[2] += got.kind == ex.kind
    per_kind, macro = _prf(conf)
    chats = sum(conf[("chat", o)] for o in KINDS)
    n = len(examples)
    return Report(
        n=n, confusion=conf, per_kind=per_kind, macro_f1=macro,
        chat_to_item=(conf[("chat", "complaint")] + conf[("chat", "proposal")]) / chats if chats else 0.0,
        category_accuracy=cat_right / cat_found if cat_found else 0.0,
        category_accuracy_all=cat_right / cat_gold if cat_gold else 0.0,
        urgent_recall=urg_tp / urg_gold if urg_gold else 1.0,
        urgent_precision=urg_tp / urg_pred if urg_pred else 1.0,
        by_script={lang: _prf(c)[1] for lang, c in sorted(script_conf.items())},
        ece=sum(abs(b[1] - b[2]) for b in bins) / n if n else 0.0,
        min_confidence=min_confidence,
        chat_opened=chat_opened / chats if chats else 0.0,
        items_missed=items_missed / max(sum(conf[(g, o)] for g in ("complaint", "proposal") for o in KINDS), 1),
    )


def format_report(r: Report) -> str:
    lines = [f"messages: {r.n}", "", f"{'kind':<10} {'precision':>9} {'recall':>7} {'F1':>6}"]
    for k, (p, rec, f1) in r.per_kind.items():
        lines.append(f"{k:<10} {p:>9.3f} {rec:>7.3f} {f1:>6.3f}")
    lines.append(f"{'macro-F1':<10} {'':>9} {'':>7} {r.macro_f1:>6.3f}")
    lines += ["", "confusion (rows: label, columns: predicted)",
              f"{'':<10}" + "".join(f"{k:>10}" for k in KINDS)]
    for g in KINDS:
        lines.append(f"{g:<10}" + "".join(f"{r.confusion[(g, p)]:>10}" for p in KINDS))
    lines += ["",
              f"chat taken as complaint/proposal: {r.chat_to_item:.1%} of chat",
              f"with the bot's gate (confidence ≥ {r.min_confidence:g} or urgent; not a bare 我要投诉): items opened for "
              f"{r.chat_opened:.1%} of chat, none for {r.items_missed:.1%} of complaints/proposals",
              f"category accuracy: {r.category_accuracy:.3f} (complaints/proposals found); "
              f"{r.category_accuracy_all:.3f} (all complaints/proposals)",
              f"urgent: recall {r.urgent_recall:.3f}, precision {r.urgent_precision:.3f}",
              f"calibration: expected error {r.ece:.3f} (kind confidence vs accuracy, 10 bins)"]
    if r.by_script:
        lines.append("kind macro-F1 by script: " + ", ".join(f"{k} {v:.3f}" for k, v in r.by_script.items()))
    return "\n".join(lines)
