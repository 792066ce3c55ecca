"""What may be shown where: phone numbers never reach a group in full (SPEC/issue 5 §9)."""
from __future__ import annotations

import re

# mainland mobiles (138 1234 5678, +86 138-1234-5678) and landlines (0571-88886666)
_MOBILE = re.compile(r"(?<!\d)((?:\+?86[- ]?)?1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ](\d{3,4})(\d{4})(?!\d)")


def mask_phones(text: str) -> str:
    """`13812345678` → `138****5678`: enough for staff to recognise, useless to a stranger."""
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(lambda m: f"{m.group(1)}-****{m.group(3)}", text)


def short(text: str, limit: int = 40) -> str:
    """One line of an item's text for lists and cards."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
