"""The vote transcripts through `linli replay` (SPEC §6): what is said, when, and the state file."""
from __future__ import annotations


from tests.conftest import CONFIG, ROOT, replay_transcript

TRANSCRIPTS = ROOT / "tests" / "transcripts"
OWNERS_CONFIG = ROOT / "tests" / "votes_config.yaml"


def replay(capsys, tmp_path, name: str, config=CONFIG) -> tuple[list[dict], dict]:
    return replay_transcript(TRANSCRIPTS / name, tmp_path, capsys, config)


def said(out: list[dict], ts: str) -> list[str]:
    return [o["text"] for o in out if o["ts"] == ts]


def test_garden_proposal_passes_after_days_with_reminders_and_a_night_close(capsys, tmp_path):
    out, state = replay(capsys, tmp_path, "vote_garden.jsonl")
    assert said(out, "2026-11-23T18:00:00+08:00")[0] == "#1 已有5位邻居附议，将提交11月25日议事日讨论。"
    assert said(out, "2026-11-24T09:00:00+08:00")[0].startswith("明天（11月25日）是议事日")
    # 5号楼's group when the vote opens: its 9 configured members (5 staff, u-103, u-104, and
    # u-107/u-108 whose config names no room) and u-201…u-204, who spoke there (附议): 13.
    # three ballots within a minute: one immediate acknowledgement, then one merged line
    assert said(out, "2026-11-25T10:01:00+08:00") == ["#1 已记录 1 票，当前已投 1/13。"]
    assert said(out, "2026-11-25T10:02:00+08:00") == ["#1 已记录 2 票，当前已投 3/13。"]
    # 周阿姨 changes 反对 → 同意: still 4 voters
    assert said(out, "2026-11-26T08:00:30+08:00") == ["#1 已记录 1 票，当前已投 4/13。"]
    reminders = [o for o in out if o["text"].startswith("提醒：#1")]
    assert [o["ts"] for o in reminders] == ["2026-11-26T22:00:00+08:00", "2026-11-27T20:00:00+08:00"]
    # u-205 spoke (弃权) for the first time on the 26th: 14 members from then on
    assert all("已投 5/14" in o["text"] and "王阿姨" not in o["text"] for o in reminders)
    closing = said(out, "2026-11-27T22:00:00+08:00")
    assert len(closing) == 1 and "过半：同意 4/5 票，超过半数（投票 5/14 人）→ 通过" in closing[0]
    late = [o for o in out if o["to"] == "u-206"]
    assert len(late) == 1 and "未计入" in late[0]["text"]
    assert said(out, "2026-11-30T22:00:00+08:00") == ["#1 公示期满，无异议，转入落实。"]
    assert state["votes"] == [{"id": 1, "item": 1, "status": "closed", "rule": "过半",
                               "tally": {"同意": 4, "反对": 0, "弃权": 1}, "voters": 5,
                               "eligible": 14, "passed": True}]
    item = state["items"][0]
    assert item["kind"] == "proposal" and item["status"] == "done"
    assert item["supporters"] == ["u-104", "u-201", "u-202", "u-203", "u-204"]


def test_charging_shed_fails_double_majority_on_area(capsys, tmp_path):
    out, state = replay(capsys, tmp_path, "vote_charging_shed.jsonl", OWNERS_CONFIG)
    assert [o["to"] for o in out if o["to"]] == ["u-mao", "u-999"]  # staff told; a non-owner refused
    closing = said(out, "2026-11-26T20:00:00+08:00")[0]
    assert closing.splitlines()[1:] == [
        "同意 6 · 反对 2 · 弃权 1",
        "双过半：参与业主 9/10 人、面积 1220/1280㎡，达到三分之二；同意 6/9 人、面积 420/1220㎡，"
        "人数过半，面积未过半 → 未通过",
    ]
    assert state["votes"] == [{"id": 1, "item": 1, "status": "closed", "rule": "双过半",
                               "tally": {"同意": 6, "反对": 2, "弃权": 1}, "voters": 9,
                               "eligible": 10, "passed": False}]
    assert state["items"][0]["status"] == "failed"


def test_anonymous_vote_names_nobody(capsys, tmp_path):
    out, state = replay(capsys, tmp_path, "vote_anonymous.jsonl")
    group = [o["text"] for o in out if o["room"]]
    for who in ("u-101", "u-102", "u-lead3", "王阿姨", "李师傅", "孙阿姨"):
        assert not any(who in text for text in group)
    private = {(o["to"], o["text"]) for o in out if o["to"]}
    assert ("u-101", "#1 已收到您的匿名投票，截止前可改票，以最后一次为准。") in private
    assert not any(word in text for _, text in private for word in ("同意", "反对", "弃权")
                   if "未计入" not in text)
    assert any(to == "u-105" and "未计入" in text for to, text in private)  # not in 3号楼's group
    # 3号楼's group: 5 staff, u-101, u-102, and u-107/u-108 whose config names no room
    assert state["votes"][0] == {"id": 1, "item": 1, "status": "closed", "rule": "过半",
                               "tally": {"同意": 2, "反对": 0, "弃权": 1}, "voters": 3,
                               "eligible": 9, "passed": True}


def test_vote_missing_quorum_fails_and_says_why(capsys, tmp_path):
    out, state = replay(capsys, tmp_path, "vote_quorum.jsonl", OWNERS_CONFIG)
    closing = said(out, "2026-11-26T09:00:00+08:00")[0]
    assert "参与业主 5/10 人、面积 980/1280㎡，人数不足三分之二，未达法定参与比例 → 未通过" in closing
    assert state["votes"][0]["passed"] is False and state["votes"][0]["eligible"] == 10
