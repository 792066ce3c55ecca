"""The week's hot topics: keywords jieba finds in the texts residents raised.

TF-IDF over the week's item texts (jieba.analyse), nouns only, with building
numbers and words every complaint shares (物业, 小区, 问题 …) taken out first:
"3号楼电梯又坏了" should give 电梯, not 号楼. jieba's general dictionary cuts some
neighbourhood words apart (快递柜 → 快递/柜), so the extractor gets its own
tokenizer with those words added; jieba's global one (the classifier's) is left alone.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache, lru_cache

import jieba
import jieba.analyse
import jieba.posseg

from handlers.classify.normalize import simplified

jieba.setLogLevel(logging.WARNING)  # its "Building prefix dict" lines are not ours to print

_BUILDING = re.compile(r"[\dA-Za-z零〇一二两三四五六七八九十百]+\s*(?:号楼|号|栋|幢|座|单元|区|楼|层|室)")
_NOUNS = ("n", "nz", "vn", "ns", "nt", "an", "ng")
STOP_WORDS = frozenset("""
    物业 小区 社区 问题 情况 时候 事情 居民 业主 大家 邻居 师傅 阿姨 老师 领导 工作人员 网格员
    楼下 楼上 门口 附近 这边 那边 今天 昨天 明天 晚上 早上 上午 下午 天天 每天 一下 麻烦 谢谢
    号楼 单元 楼栋 楼道口 老人 东门 西门 南门 北门
    建议 投诉 反映 电话 危险 安全
""".split())
# Things residents complain about that jieba's dictionary does not keep whole.
NEIGHBOURHOOD_WORDS = """
    快递柜 电动车 充电桩 飞线 空调外机 外机 楼道灯 路灯 垃圾桶 垃圾堆 大件垃圾 门禁 地下车库
    消防通道 化粪池 下水道 窨井盖 井盖 广场舞 油烟 高空抛物 单元门 监控 积水 漏水 停车位 非机动车
    红绿灯 道闸 停水 停电 断水 断电 没水 没电 停气 渗水 跳闸 装修
""".split()


@cache
def _extractor() -> jieba.analyse.TFIDF:
    tokenizer = jieba.Tokenizer()
    for word in NEIGHBOURHOOD_WORDS:
        tokenizer.add_word(word, freq=2000, tag="n")
    tfidf = jieba.analyse.TFIDF()
    tfidf.tokenizer = tokenizer
    tfidf.postokenizer = jieba.posseg.POSTokenizer(tokenizer)
    tfidf.stop_words = tfidf.stop_words | STOP_WORDS
    return tfidf


# One-character nouns that name no problem ("我们楼没水了": 楼 is where, 水 is what).
_PLACE_CHARS = frozenset("楼人家事里边处")
# Where, not what: "楼道里有煤气味" and "楼道里抽烟" are not one problem.
_PLACES = frozenset("楼道 楼梯 楼梯间 地下室 车库 地下车库 小区 大门 楼下 楼上 门口 单元 走廊 过道".split())


@lru_cache(maxsize=1024)  # an open item's text is compared with every new report
def subjects(text: str) -> frozenset[str]:
    """The things a complaint is about: its nouns, without buildings and words every
    complaint shares. "3号楼电梯又坏了，物业什么时候来修" → {电梯}."""
    words = _extractor().postokenizer.cut(_BUILDING.sub(" ", simplified(text)))
    return frozenset(w.word for w in words if w.flag in _NOUNS and w.word not in STOP_WORDS
                     and w.word not in _PLACE_CHARS and w.word not in _PLACES and not w.word.isdigit())


_NEXT_PROBLEM = re.compile(r"还有(?!没有|人|谁|什么)|另外|以及|此外|再就是|[；;]")


def several_problems(text: str) -> bool:
    """"电梯停了，还有楼道灯也不亮": clauses joined by 还有 / 另外 that name different things.
    One item follows one problem; the reporter is asked to send the others on their own."""
    named = [subjects(part) for part in _NEXT_PROBLEM.split(text)]
    named = [n for n in named if n]
    return any(a.isdisjoint(b) for i, a in enumerate(named) for b in named[i + 1:])


def warm_up() -> None:
    """Load the tokenizer and jieba's POS tables (about 2 s) before the first complaint
    needs them, so that complaint's answer does not wait; `linli run` calls it in a thread."""
    subjects("3号楼电梯坏了")


def same_subject(new: str, old: str) -> bool | None:
    """Does a new complaint name the same thing as an open one? None when the new one names
    nothing ("又坏了", "还是不行": a follow-up, matched by building and category). Words match
    when equal, or when a word of two characters or more is part of the other (垃圾/垃圾桶,
    水管/水管子): a wrong split costs staff one #合并, a wrong join hides a complaint."""
    first, second = subjects(new), subjects(old)
    if not first:
        return None
    return any(x == y or (min(len(x), len(y)) >= 2 and (x in y or y in x))
               for x in first for y in second)


def hot_topics(texts: Iterable[str], top: int = 3) -> list[str]:
    """At most `top` keywords, most telling first; [] when there is nothing to read."""
    text = "\n".join(_BUILDING.sub(" ", t) for t in texts)
    if not text.strip():
        return []
    words = _extractor().extract_tags(text, topK=top * 4, allowPOS=_NOUNS)
    return [w for w in words if w not in STOP_WORDS and len(w) > 1 and not w.isdigit()][:top]
