"""Recognising a command (SPEC §3) and reading its arguments: pure functions.

`#受理 12`, `＃受理　１２`, `/accept 12` and `@邻里 受理 12` are the same command.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handlers.classify.normalize import simplified, without_mentions
from handlers.context import Refusal

PREFIXES = ("#", "/")  # after NFKC, ＃ and ／ are these


@dataclass(frozen=True)
class CommandText:
    name: str  # as written, lower-cased: 受理, accept
    args: str


def normalise(text: str) -> str:
    """NFKC (full-width digits, ＃, ／, ideographic spaces) and collapsed whitespace."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[ \t\u3000\u2005]+", " ", text).strip()


def split_command(text: str, addressed: bool) -> CommandText | None:
    """The command word and the rest, if the text is written as a command.

    `addressed`: the message @-mentions the bot, so no prefix is needed.
    """
    text = without_mentions(normalise(text))
    if text[:1] in PREFIXES:
        text = text[1:].lstrip()
    elif not addressed:
        return None
    m = re.match(r"([A-Za-z]+|[\u4e00-\u9fff]+)(.*)$", text, re.S)
    if not m:
        return None
    return CommandText(name=simplified(m.group(1)).lower(), args=m.group(2).strip())


_NUMBER = re.compile(r"^#?(\d{1,9})$")


def item_number(token: str | None, usage: str) -> int:
    """`12`, `#12` or `＃12` → 12; anything else refuses with the usage line."""
    m = _NUMBER.match(normalise(token or ""))
    if not m:
        raise Refusal(f"请写上编号，格式：{usage}")
    return int(m.group(1))


def first_clause(text: str) -> tuple[str, str]:
    """"反对，占了停车位" → ("反对", "占了停车位"): what a reply says first, and the rest."""
    first, _, rest = re.sub(r"[,，。;；!！?？~～\s]", "\x00", text.strip(), count=1).partition("\x00")
    return first, rest.strip()


def split_number(args: str, usage: str, *, rest_required: bool = False,
                 rest_hint: str = "说明") -> tuple[int, str]:
    """`12 已修好` → (12, "已修好")."""
    text = normalise(args)
    # "#办结1已清运": a number run into the text; "12号楼…" is a building, not item #12
    if m := re.match(r"^#?(\d{1,9})(?=[^\d\s号栋幢座楼单元层室区点时分月日天周年个人元米%.:：])(.*)$", text, re.S):
        text = f"{m.group(1)} {m.group(2)}"
    head, _, rest = text.partition(" ")
    number = item_number(head, usage)
    rest = rest.strip()
    if rest_required and not rest:
        raise Refusal(f"请写上{rest_hint}，格式：{usage}")
    return number, rest


def split_number_as_written(ctx_text: str, args: str, usage: str, *, rest_required: bool = False,
                            rest_hint: str = "说明") -> tuple[int, str]:
    """`#办结 12 已修好，恢复运行` → (12, "已修好，恢复运行"): the number read as `split_number`
    does, the text cut from the message as written (`ctx_text`) — the dispatcher's NFKC form
    would turn "，" into "," in what residents read."""
    number, _ = split_number(args, usage, rest_required=rest_required, rest_hint=rest_hint)
    m = re.search(r"[0-9０-９]+(.*)$", ctx_text, re.S)
    return number, (m.group(1) if m else "").strip(" \t\n\u3000\u2005")
