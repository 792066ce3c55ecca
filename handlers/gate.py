"""Whether the bot acts on a classified message on its own: one rule, for the dispatcher
and for `linli eval`'s "items opened" figure.

It does not when the guess is below `classifier.min_confidence` (urgent ones always pass: a
false alarm costs less than a missed fire), nor on "我要投诉", "我想反映个问题", "我有个建议":
the announcement of a message, not the message. The classifier rightly reads intent there,
but an item opened on it would hold no problem — nothing to fix, no building, and a group
told "已登记 #7" about nothing. Nor on "我反映的事情有人管吗": a question about one's own
items. Such messages are treated as chat (handlers/help.py answers them only when they were
written to the bot: the question with the asker's items).
"""
from __future__ import annotations

import re

from handlers.classify.normalize import normalize
from handlers.classify.result import Classification

ITEM_KINDS = ("complaint", "proposal")

# Words that announce or soften; whatever else a message says is its content.
_ANNOUNCING = re.compile(
    r"你好|您好|请问|在吗|麻烦|我们|我想|我要|我有|想要|有个|有一个|一个|一件|一下|"
    r"反映|投诉|举报|问题|情况|事情|建议|意见|提个|提|说|找|想|要|个|下|事|点|"
    r"啊|呀|吧|呢|哈|哦|了|的|[\W_\d]")


def is_preamble(text: str) -> bool:
    """Nothing is left (or one character) once the announcing words are taken out."""
    plain = normalize(text)
    return len(plain) <= 20 and len(_ANNOUNCING.sub("", plain)) <= 1


# "我反映的事情有人管吗", "路灯的事有进展吗": asking after one's own report, not a new one
_ASKING = re.compile(r"进展|进度|怎么样了|咋样了|有人管|管不管|处理了没|处理了吗|修了没|修好了没|修了吗|"
                     r"结果呢|有消息|有回复|回复呢|有下文")
_MINE = re.compile(r"我(?:反映|报|提|投诉)的(?:事|问题|那个|诉求)|我那个事|我那件事|我的(?:诉求|事情)")


def is_status_question(text: str) -> bool:
    plain = normalize(text)
    return len(plain) <= 40 and bool(_ASKING.search(plain) and _MINE.search(plain))


def acts_on(found: Classification, text: str, min_confidence: float) -> bool:
    if found.urgent:  # "火！", "我说的煤气味的事有人管吗，味道更大了": an alarm, always
        return True
    if found.confidence < min_confidence:
        return False
    return not (found.kind in ITEM_KINDS and (is_preamble(text) or is_status_question(text)))
