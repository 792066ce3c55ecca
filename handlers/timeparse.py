"""Deadlines as people write them in a chat (SPEC §3): a pure function of text and "now".

`2026-11-30 20:00`, `11月30日20点`, `周五晚8点`, `明天中午12点`, `3天后` — all read
relative to the time the message was sent, in the community's time zone.
A day without a time of day means the end of that day (23:59): "截止11月30日" is
understood by residents as "through the 30th".
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo

from handlers.commands import normalise

END_OF_DAY = time(23, 59)

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"(\d{1,4}|[零〇一二两三四五六七八九十]{1,3})"
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_PM = ("下午", "傍晚", "晚上", "晚", "夜里", "夜间", "今晚", "明晚")
_PERIOD = r"(早上|早晨|上午|中午|下午|傍晚|晚上|晚|夜里|夜间|凌晨)?"
_UNITS = {"分钟": "minutes", "小时": "hours", "个小时": "hours", "钟头": "hours",
          "个钟头": "hours", "天": "days", "日": "days", "周": "weeks", "星期": "weeks",
          "个星期": "weeks", "礼拜": "weeks", "个礼拜": "weeks"}

_RELATIVE = re.compile(rf"^{_NUM}\s*(个小时|个钟头|个星期|个礼拜|分钟|小时|钟头|天|日|周|星期|礼拜)\s*(?:后|以后|之后)(.*)$")
_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?(.*)$")
_MONTH_DAY = re.compile(rf"^{_NUM}月{_NUM}[日号]?(.*)$")
_NAMED_DAY = re.compile(r"^(今天|今日|今晚|明天|明日|明晚|后天|大后天)(.*)$")
_WEEK = re.compile(r"^(下下|下个|下|这个|这|本)?(?:周|星期|礼拜)([一二三四五六日天末1-7])(.*)$")
_CLOCK = re.compile(rf"^{_PERIOD}\s*(\d{{1,2}})\s*:\s*(\d{{2}})$")
_HOUR = re.compile(rf"^{_PERIOD}\s*{_NUM}\s*[点時时]\s*(半|整|{_NUM}\s*分?)?$")
_PERIOD_ONLY = re.compile(r"^(早上|上午|中午|下午|傍晚|晚上|晚)$")
_PERIOD_DEFAULT = {"早上": 8, "上午": 9, "中午": 12, "下午": 15, "傍晚": 18, "晚上": 20, "晚": 20}


_CN_TENS = re.compile(r"([一二两三四五六七八九])?十([一二三四五六七八九])?")
FURTHEST = timedelta(days=366)  # a deadline further away is a typo, not a plan


class TimeError(ValueError):
    """The text is not a time we can read; the message is a short Chinese explanation."""


def cn_number(text: str) -> int:
    """`8`, `八`, `十二`, `二十`, `三十一` → int (small numbers only: days, hours, minutes)."""
    if text.isdigit():
        return int(text)
    if m := _CN_TENS.fullmatch(text):
        tens, ones = m.group(1), m.group(2)
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    if "十" in text:
        raise TimeError(f"看不懂“{text}”")
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def parse_deadline(text: str, now: datetime, tz: tzinfo) -> datetime:
    """The moment `text` names, after `now`; raises TimeError otherwise."""
    now = now.astimezone(tz)
    t = normalise(text).replace(" ", "")
    t = t.removeprefix("截止").removesuffix("前").removesuffix("之前").removesuffix("截止")
    if not t:
        raise TimeError("没写截止时间")
    when = _read(t, now, tz)
    if when <= now:
        raise TimeError("截止时间已经过了")
    if when - now > FURTHEST:
        raise TimeError("截止时间太远了（超过一年）")
    return when


def _read(t: str, now: datetime, tz: tzinfo) -> datetime:
    today = now.date()
    if m := _RELATIVE.match(t):
        amount, unit, rest = cn_number(m.group(1)), _UNITS[m.group(2)], m.group(3)
        delta = timedelta(**{unit: amount})
        if not rest:
            return now + delta
        if unit not in ("days", "weeks"):
            raise TimeError(f"看不懂“{t}”")
        return _at(today + delta, rest, tz, period_hint=None)
    if m := _ISO.match(t):
        y, mo, d, rest = int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)
        return _at(_date(y, mo, d), rest, tz)
    if m := _MONTH_DAY.match(t):
        mo, d, rest = cn_number(m.group(1)), cn_number(m.group(2)), m.group(3)
        day = _date(today.year, mo, d)
        when = _at(day, rest, tz)
        if when <= now:  # "1月5日" written in December means next January
            when = _at(_date(today.year + 1, mo, d), rest, tz)
        return when
    if m := _NAMED_DAY.match(t):
        word, rest = m.group(1), m.group(2)
        offset = {"今": 0, "明": 1, "后": 2, "大": 3}[word[0]]
        hint = "晚" if word.endswith("晚") else None
        return _at(today + timedelta(days=offset), rest, tz, period_hint=hint)
    if m := _WEEK.match(t):
        which, wd, rest = m.group(1) or "", _WEEKDAY[m.group(2)], m.group(3)
        monday = today - timedelta(days=today.weekday())
        if which in ("下", "下个"):
            return _at(monday + timedelta(days=7 + wd), rest, tz)
        if which == "下下":
            return _at(monday + timedelta(days=14 + wd), rest, tz)
        when = _at(monday + timedelta(days=wd), rest, tz)
        if when <= now and not which:  # plain 周五 on a Saturday: the coming Friday
            when = _at(monday + timedelta(days=7 + wd), rest, tz)
        return when
    # only a time of day: today if still ahead, else tomorrow
    when = _at(today, t, tz)
    if when <= now:
        when = _at(today + timedelta(days=1), t, tz)
    return when


def _date(y: int, mo: int, d: int):
    try:
        return datetime(y, mo, d).date()
    except ValueError:
        raise TimeError(f"没有{mo}月{d}日这一天") from None


def _at(day, rest: str, tz: tzinfo, period_hint: str | None = None) -> datetime:
    """`day` at the time of day written in `rest` ("晚8点", "20:00", "" = end of day)."""
    rest = rest.strip().removeprefix("T")
    if not rest:
        if period_hint:  # 今晚 / 明晚 with no hour: 20:00
            return datetime.combine(day, time(20, 0), tz)
        return datetime.combine(day, END_OF_DAY, tz)
    if period_hint and not rest.startswith(("早", "上", "中", "下", "傍", "晚", "夜", "凌")):
        rest = period_hint + rest
    if m := _CLOCK.match(rest):
        period, hour, minute = m.group(1), int(m.group(2)), int(m.group(3))
    elif m := _HOUR.match(rest):
        period, hour = m.group(1), cn_number(m.group(2))
        tail = m.group(3) or ""
        minute = 30 if tail == "半" else 0 if tail in ("", "整") else cn_number(m.group(4))
    elif m := _PERIOD_ONLY.match(rest):
        period, hour, minute = None, _PERIOD_DEFAULT[m.group(1)], 0
    else:
        raise TimeError(f"看不懂“{rest}”")
    if period in _PM and 1 <= hour < 12:
        hour += 12
    elif period in _PM and hour == 12 and period not in ("下午", "傍晚"):
        # 晚上12点(半) is just after midnight, the end of that evening, not noon
        return datetime.combine(day + timedelta(days=1), time(0, minute), tz)
    elif period == "中午" and 1 <= hour <= 2:
        hour += 12
    elif period == "凌晨" and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return datetime.combine(day + timedelta(days=1), time(0, 0), tz)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise TimeError(f"没有{hour}点{minute}分这个时间")
    return datetime.combine(day, time(hour, minute), tz)
