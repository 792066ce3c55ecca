"""Deadlines written the ways SPEC §3 lists, read relative to the message time."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.timeparse import TimeError, cn_number, parse_deadline

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)  # Monday morning


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-30 20:00", at(2026, 11, 30, 20, 0)),
    ("2026-11-30T20:00", at(2026, 11, 30, 20, 0)),
    ("2026/11/30 8:05", at(2026, 11, 30, 8, 5)),
    ("２０２６－１１－３０　２０：００", at(2026, 11, 30, 20, 0)),
    ("11月30日20点", at(2026, 11, 30, 20, 0)),
    ("11月30号晚上8点半", at(2026, 11, 30, 20, 30)),
    ("十一月三十日晚八点", at(2026, 11, 30, 20, 0)),
    ("11月30日", at(2026, 11, 30, 23, 59)),
    ("1月5日12点", at(2027, 1, 5, 12, 0)),  # already past this year: next year
    ("周五晚8点", at(2026, 11, 27, 20, 0)),
    ("星期五20:00", at(2026, 11, 27, 20, 0)),
    ("下周一上午9点", at(2026, 11, 30, 9, 0)),
    ("周一晚8点", at(2026, 11, 23, 20, 0)),  # today, still ahead
    ("周一上午9点", at(2026, 11, 30, 9, 0)),  # today but past: next Monday
    ("周日", at(2026, 11, 29, 23, 59)),
    ("明天中午12点", at(2026, 11, 24, 12, 0)),
    ("明天下午3点", at(2026, 11, 24, 15, 0)),
    ("明晚8点", at(2026, 11, 24, 20, 0)),
    ("后天晚上十点", at(2026, 11, 25, 22, 0)),
    ("今晚", at(2026, 11, 23, 20, 0)),
    ("3天后", NOW + timedelta(days=3)),
    ("三天后", NOW + timedelta(days=3)),
    ("2小时后", NOW + timedelta(hours=2)),
    ("3天后晚8点", at(2026, 11, 26, 20, 0)),
    ("1周后", NOW + timedelta(weeks=1)),
    ("晚8点", at(2026, 11, 23, 20, 0)),
    ("8点", at(2026, 11, 24, 8, 0)),  # 8:00 has passed today: tomorrow
])
def test_forms(text, expected):
    assert parse_deadline(text, NOW, TZ) == expected


@pytest.mark.parametrize("text", ["", "下个月", "2026-11-20 20:00", "2月30日", "明天25点",
                                  "周八", "随便", "11月30日晚上99点"])
def test_unreadable_or_past(text):
    with pytest.raises(TimeError):
        parse_deadline(text, NOW, TZ)


def test_relative_to_message_time_in_other_zone():
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    assert parse_deadline("明天中午12点", utc_now, TZ) == at(2026, 11, 24, 12, 0)


@pytest.mark.parametrize("text, n", [("八", 8), ("十", 10), ("十二", 12), ("二十", 20),
                                     ("三十一", 31), ("23", 23)])
def test_cn_number(text, n):
    assert cn_number(text) == n
