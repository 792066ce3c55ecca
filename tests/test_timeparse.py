"""Deadlines written the ways SPEC §3 lists, read relative to the message time."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
    ("今晚12点", at(2026, 11, 24, 0, 0)),  # midnight at the end of tonight, not noon
    ("周五晚上12点", at(2026, 11, 28, 0, 0)),
    ("今晚12点半", at(2026, 11, 24, 0, 30)),
    ("中午12点", at(2026, 11, 23, 12, 0)),
    ("下午12点半", at(2026, 11, 23, 12, 30)),
])
def test_forms(text, expected):
    assert parse_deadline(text, NOW, TZ) == expected


@pytest.mark.parametrize("text", ["", "下个月", "2026-11-20 20:00", "2月30日", "明天25点",
                                  "周八", "随便", "11月30日晚上99点", "十十天后", "十一十点",
                                  "0天后", "9999天后", "2028-01-01 20:00"])
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

moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)) \
    .map(lambda d: d.replace(tzinfo=TZ))


@given(moments, st.integers(1, 60))
def test_n_days_later_is_exactly_n_days(now, n):
    assert parse_deadline(f"{n}天后", now, TZ) == now + timedelta(days=n)


@given(moments, st.sampled_from("一二三四五六日"), st.integers(0, 23))
def test_weekday_is_the_next_such_day_within_a_week(now, day, hour):
    when = parse_deadline(f"周{day}{hour}点", now, TZ)
    assert when.weekday() == "一二三四五六日".index(day) and (when.hour, when.minute) == (hour, 0)
    assert now < when <= now + timedelta(days=7)


@given(moments, st.integers(1, 12), st.integers(1, 28), st.integers(0, 23))
def test_month_day_is_the_next_such_day_within_a_year(now, month, day, hour):
    when = parse_deadline(f"{month}月{day}日{hour}点", now, TZ)
    assert (when.month, when.day, when.hour) == (month, day, hour)
    assert now < when <= now + timedelta(days=366)


chinese_time_text = st.text(alphabet="十十十0123456789:-/ 年月日号点时分半整周星期礼拜一二三四五六七八九十两零天后小时个下这本今明晚早上中午凌晨傍夜T", max_size=16)


@given(chinese_time_text, moments)
def test_any_text_is_a_time_or_a_short_refusal(text, now):
    try:
        when = parse_deadline(text, now, TZ)
    except TimeError as err:
        assert str(err)
    else:
        assert when > now
