"""Text as the model sees it: simplified script, half-width, no WeChat artefacts.

Why each step: residents write both scripts (OpenCC t2s folds them into one vocabulary);
phones mix full- and half-width forms (NFKC folds them); WeChat inserts `[图片]`, `[表情]`,
leading @mentions and quoted replies whose words are someone else's, not the sender's intent.
"""
from __future__ import annotations

import re
import unicodedata

import opencc

_T2S = opencc.OpenCC("t2s")
# a quoted reply: 「name: quoted text」, a newline, then a line of "- - - -"
_QUOTE = re.compile(r"「[^」]*」\s*(?:-\s*){4,}", re.S)
_ARTEFACT = re.compile(r"\[[^\[\]\s]{1,6}\]")  # [图片] [表情] [强] [链接] …
_MENTIONS = re.compile(r"^(?:\s*@[^\s\u2005]+[\s\u2005]*)+")
_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Simplified, half-width, lower-case text without quoted parts, artefacts or leading @s."""
    t = unicodedata.normalize("NFKC", text)
    t = _QUOTE.sub(" ", t)
    t = _ARTEFACT.sub(" ", t)
    t = _MENTIONS.sub("", t)
    t = _T2S.convert(t).lower()
    return _SPACES.sub(" ", t).strip()
