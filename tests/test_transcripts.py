"""Real cases end to end through `linli replay` (SPEC §6): what the groups read, and the
state left behind. The transcripts in tests/transcripts/ are readable by a community worker."""
from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, replay_transcript, routine_post

TRANSCRIPTS = ROOT / "tests" / "transcripts"


def replay(name: str, tmp_path, capsys) -> tuple[list[dict], dict]:
    out, state = replay_transcript(TRANSCRIPTS / name, tmp_path, capsys)
    return [o for o in out if not routine_post(o)], state


def said(out: list[dict], ts: str) -> list[dict]:
    """What the bot sent at the time of one transcript line."""
    return [o for o in out if o["ts"].startswith(ts)]


def test_elevator_without_cooling_reopened_on_unsatisfied(tmp_path, capsys):
    out, state = replay("elevator_no_cooling.jsonl", tmp_path, capsys)
    first, second = said(out, "2026-07-13T08:30"), said(out, "2026-07-13T08:45")
    assert first[0]["text"].startswith("已登记 #1") and first[0]["mentions"] == ["u-mao"]
    assert [o["text"] for o in second] == ["已有 #1 在处理，已记下您的反映（共 2 人）。"]
    resolved = said(out, "2026-07-14T10:00")[0]
    assert resolved["mentions"] == ["u-101", "u-102"] and "满意" in resolved["text"]
    # 不满意 climbs to 职能部门 and tells the new owner (the admin) privately
    reopened = said(out, "2026-07-14T18:00")
    assert any(o["to"] == "u-jiang" for o in reopened)
    assert any(o["room"] == "r-b3" and "职能部门" in o["text"] for o in reopened)
    # a transfer above the bottom rung is sideways: property takes it at the same level
    transfer = said(out, "2026-07-14T18:30")
    assert any(o["to"] == "u-wy" for o in transfer)
    card = said(out, "2026-07-15T19:10")[0]["text"]
    assert card.startswith("#1｜设施维修｜3号楼｜已关闭｜职能部门") and "评价（居民）：不满意" in card
    stats = said(out, "2026-07-31T18:00")[0]["text"]
    assert "7月统计" in stats and "响应率 100%" in stats and "职能部门 100%" in stats
    assert state["items"] == [{
        "id": 1, "kind": "complaint", "status": "closed", "category": "设施维修",
        "building": "3号楼", "room": "r-b3", "reporters": ["u-101", "u-102"], "assignee": "u-wy",
        "level": "职能部门", "urgent": False, "rating": "满意", "supporters": [], "merged_into": None,
    }]


def test_ac_unit_droning_closes_unrated_after_the_window(tmp_path, capsys):
    out, state = replay("ac_unit_droning.jsonl", tmp_path, capsys)
    assert said(out, "2026-08-03T20:10")[0]["text"].startswith("已登记 #1")
    assert said(out, "2026-08-04T16:00")[0]["mentions"] == ["u-103"]
    card = said(out, "2026-08-07T17:05")[0]["text"]
    assert "已关闭" in card and "结案（系统）：评价期满未评价" in card
    assert "139****9876" in card  # the number the resident left is masked in the group
    (item,) = state["items"]
    assert (item["status"], item["rating"], item["level"], item["category"]) == \
        ("closed", None, "社区", "噪音扰民")


def test_bulky_waste_merged_across_groups_and_transferred_to_property(tmp_path, capsys):
    out, state = replay("bulky_waste_17_19.jsonl", tmp_path, capsys)
    assert said(out, "2026-09-07T08:35")[0]["text"] == "已有 #1 在处理，已记下您的反映（共 2 人）。"
    assert said(out, "2026-09-07T09:00")[0]["text"].startswith("已登记 #2")
    assert said(out, "2026-09-07T09:21")[0]["text"] == "已把 #2 并入 #1（共 3 人反映），请在 #1 跟进。"
    # 吴老师 reported in the community group but is also a member of the 17号楼 group (config
    # residents without a room are in every simulated group): @ there, not told privately.
    # A reporter who is not in the item's group: tests/test_members.py
    done = said(out, "2026-09-08T11:00")
    assert done[0]["room"] == "r-b17" and done[0]["mentions"] == ["u-105", "u-106", "u-107"]
    assert not any(o["to"] == "u-107" for o in done)
    assert said(out, "2026-09-08T12:00")[0]["text"] == "谢谢您的评价（满意），#1 已结案。"
    one, two = state["items"]
    assert (one["status"], one["level"], one["assignee"], one["reporters"]) == \
        ("closed", "职能部门", "u-wy", ["u-105", "u-106", "u-107"])
    assert (two["status"], two["merged_into"]) == ("merged", 1)


def test_village_road_transferred_to_the_construction_office(tmp_path, capsys):
    out, state = replay("village_road_lights.jsonl", tmp_path, capsys)
    assert said(out, "2026-10-12T10:00")[0]["text"] == "已登记 #1（设施维修），由蒋玲跟进。"
    assert said(out, "2026-10-12T10:10")[0]["text"] == "#1 已转城建办办理（职能部门），蒋玲跟进。"
    assert said(out, "2026-10-14T18:00")[0]["mentions"] == ["u-107"]
    stats = said(out, "2026-10-15T09:00")[0]["text"]
    assert "登记 1 件｜响应率 100%｜解决率 100%" in stats and "满意率 100%" in stats
    (item,) = state["items"]
    assert (item["status"], item["level"], item["reporters"], item["rating"]) == \
        ("closed", "职能部门", ["u-107"], "满意")


@pytest.mark.parametrize("name", sorted(p.name for p in TRANSCRIPTS.glob("*.jsonl")))
def test_no_phone_number_reaches_a_group(name, tmp_path, capsys):
    out, _ = replay(name, tmp_path, capsys)
    assert not any(o["room"] and re.search(r"1[3-9]\d{9}", o["text"]) for o in out)
