"""Text as the model sees it: simplified script, half-width, no WeChat artefacts.

Why each step: residents write both scripts (OpenCC t2s folds them into one vocabulary);
phones mix full- and half-width forms (NFKC folds them); WeChat inserts `[图片]`, `[表情]`,
leading @mentions and quoted replies whose words are someone else's, not the sender's intent.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import opencc

_T2S = opencc.OpenCC("t2s")
# Characters t2s would change. Why: most messages are simplified already, and asking OpenCC
# costs more than the rest of normalising; a set test skips it for them. The set is shipped
# (building it takes 0.2 s of start-up) and rebuilt here if the file is missing.
TRADITIONAL_FILE = Path(__file__).with_name("traditional_chars.txt")


def traditional_chars() -> frozenset[str]:
    """CJK characters that OpenCC's t2s changes."""
    cjk = [chr(c) for c in range(0x3400, 0xA000)]
    return frozenset(a for a, b in zip(cjk, _T2S.convert("\n".join(cjk)).split("\n")) if a != b)


try:
    _TRADITIONAL = frozenset(TRADITIONAL_FILE.read_text(encoding="utf-8").strip())
except OSError:
    _TRADITIONAL = traditional_chars()
# a quoted reply: 「name: quoted text」, a newline, then a line of "- - - -"
_QUOTE = re.compile(r"「[^」]*」\s*(?:-\s*){4,}", re.S)
_ARTEFACT = re.compile(r"\[[^\[\]\s]{1,6}\]")  # [图片] [表情] [强] [链接] …
_MENTIONS = re.compile(r"^(?:\s*@[^\s\u2005]+[\s\u2005]*)+")


def simplified(text: str) -> str:
    """Traditional script folded into simplified (評價 → 评价, 滿意 → 满意); other text as it is."""
    return _T2S.convert(text) if not _TRADITIONAL.isdisjoint(text) else text


def without_mentions(text: str) -> str:
    """`@邻里小助手 帮助` → `帮助`: the @s a message starts with address it, they are not its words."""
    return _MENTIONS.sub("", text) if "@" in text else text


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text without quoted parts, artefacts or leading @s."""
    t = unicodedata.normalize("NFKC", text)
    if "「" in t:
        t = _QUOTE.sub(" ", t)
    if "[" in t:
        t = _ARTEFACT.sub(" ", t)
    t = without_mentions(t)
    t = simplified(t)
    return " ".join(t.lower().split())

if __name__ == "__main__":  # python -m handlers.classify.normalize: rewrite the shipped set
    TRADITIONAL_FILE.write_text("".join(sorted(traditional_chars())) + "\n", encoding="utf-8")
