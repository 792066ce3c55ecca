"""The building or unit a message names: `3号楼`, `17栋2单元`, `B区5幢`, `十七号楼`."""
from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "[零〇一二两三四五六七八九十百]+"
_NUM = rf"(?:\d{{1,3}}|{_CN_NUM})"
_BUILDING = re.compile(
    rf"(?:(?P<zone>[A-Za-z]|[东西南北]|{_CN_NUM}|\d{{1,2}})区)?"
    rf"(?P<num>{_NUM})\s*(?P<word>号楼|栋|幢|座|号)"
    rf"(?:\s*(?P<unit>{_NUM})\s*单元)?"
)


def chinese_number(text: str) -> int | None:
    """十七 → 17, 二十三 → 23, 一百零五 → 105; digits pass through."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


def find_building(text: str) -> str | None:
    """The first building the text names, written the canonical way (`17号楼`, `17栋2单元`)."""
    for m in _BUILDING.finditer(text):
        word = m.group("word")
        num = chinese_number(m.group("num"))
        if num is None or num == 0:
            continue
        if word == "号":
            # "3号" alone is a date or a room more often than a building
            tail = text[m.end():m.end() + 1]
            if not m.group("unit") and tail != "楼":
                continue
            word = "号楼"
        zone = m.group("zone") or ""
        if zone and not zone.isascii():
            n = chinese_number(zone)
            zone = str(n) if n is not None else zone
        name = f"{zone.upper()}区" if zone else ""
        name += f"{num}{word}"
        if m.group("unit"):
            unit = chinese_number(m.group("unit"))
            if unit:
                name += f"{unit}单元"
        return name
    return None
