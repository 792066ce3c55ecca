"""`linli replay` (SPEC §6): output lines, state file, and bad transcripts."""
from __future__ import annotations

import json

from bot.cli import main
from tests.conftest import CONFIG, ROOT, read_jsonl

TRANSCRIPT = ROOT / "tests" / "transcripts" / "elevator_first_report.jsonl"


def run(capsys, *args) -> tuple[int, list[dict], str]:
    code = main(["replay", *map(str, args)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_elevator_transcript_output_and_state(tmp_path, capsys):
    state_path = tmp_path / "out.json"
    code, out, _ = run(capsys, TRANSCRIPT, "--config", CONFIG, "--state", state_path)
    assert code == 0
    assert out[0] == {"ts": "2026-11-23T09:15:00+08:00", "room": "r-b3", "to": None,
                      "text": "已登记 #1（设施维修），由毛宁跟进。", "mentions": ["u-mao"]}
    # the repeated message id is ignored; chat gets no answer; #帮助 is answered
    assert [o["ts"] for o in out[:2]] == ["2026-11-23T09:15:00+08:00", "2026-11-23T09:20:00+08:00"]
    assert out[1]["text"].startswith("邻里小助手")
    state = json.loads(state_path.read_text(encoding="utf-8"))
    assert state["votes"] == []
    assert state["items"] == [{
        "id": 1, "kind": "complaint", "status": "open", "category": "设施维修",
        "building": "3号楼", "room": "r-b3", "reporters": ["u-101"], "assignee": "u-mao",
        "level": "社区", "urgent": False, "rating": None, "supporters": [], "merged_into": None,
    }]


def test_every_output_line_has_the_contract_keys(capsys):
    _, out, _ = run(capsys, TRANSCRIPT, "--config", CONFIG)
    assert out and all(set(o) == {"ts", "room", "to", "text", "mentions"} for o in out)


def bad_transcript(tmp_path, lines: list[str]):
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD_LINE = json.dumps({"ts": "2026-11-23T09:15:00+08:00", "room": "r-b3", "from": "u-101",
                        "name": "王阿姨", "text": "3号楼电梯又坏了"}, ensure_ascii=False)
LATER_LINE = json.dumps({"ts": "2026-11-23T10:00:00+08:00", "room": "r-b5", "from": "u-103",
                         "text": "5号楼路灯坏了"}, ensure_ascii=False)


def test_bad_json_stops_with_status_2_naming_the_line(tmp_path, capsys):
    path = bad_transcript(tmp_path, [GOOD_LINE, '{"ts": "2026-11-23T09:16:00+08:00", "room": ', LATER_LINE])
    state_path = tmp_path / "s.json"
    code, out, err = run(capsys, path, "--config", CONFIG, "--state", state_path)
    assert code == 2 and "line 2" in err and "not valid JSON" in err
    assert len(out) == 1  # the first line was applied, nothing after the bad one
    assert [i["id"] for i in json.loads(state_path.read_text())["items"]] == [1]


def test_missing_field_stops_with_status_2(tmp_path, capsys):
    path = bad_transcript(tmp_path, [GOOD_LINE, '{"ts": "2026-11-23T09:16:00+08:00", "room": "r-b3", "text": "hi"}'])
    code, _, err = run(capsys, path, "--config", CONFIG)
    assert code == 2 and "line 2" in err and '"from"' in err


def test_unknown_room_and_time_going_back_are_errors(tmp_path, capsys):
    path = bad_transcript(tmp_path, [GOOD_LINE.replace("r-b3", "r-x")])
    code, _, err = run(capsys, path, "--config", CONFIG)
    assert code == 2 and "line 1" in err and "r-x" in err
    path = bad_transcript(tmp_path, [LATER_LINE, GOOD_LINE])
    code, _, err = run(capsys, path, "--config", CONFIG)
    assert code == 2 and "line 2" in err and "backwards" in err


def test_a_quote_reply_is_read_from_quoted_or_quote(tmp_path, capsys):
    lines = [GOOD_LINE]
    for n, key in enumerate(("quoted", "quote"), start=2):
        lines.append(json.dumps({"ts": f"2026-11-23T09:2{n}:00+08:00", "room": "r-b3", "from": f"u-10{n}",
                                 "text": "我也是", key: json.loads(GOOD_LINE)["text"]}, ensure_ascii=False))
    code, out, _ = run(capsys, bad_transcript(tmp_path, lines), "--config", CONFIG)
    assert code == 0 and [o["text"] for o in out[1:]] == [
        "已有 #1 在处理，已记下您的反映（共 2 人）。", "已有 #1 在处理，已记下您的反映（共 3 人）。"]
    path = bad_transcript(tmp_path, [GOOD_LINE.replace('"text"', '"quoted": 5, "text"')])
    code, _, err = run(capsys, path, "--config", CONFIG)
    assert code == 2 and "line 1" in err and '"quoted"' in err


def test_tick_runs_jobs_at_their_virtual_time(tmp_path, capsys):
    tick = json.dumps({"ts": "2026-11-25T00:00:00+08:00", "tick": True})
    path = bad_transcript(tmp_path, [GOOD_LINE, tick])
    code, out, _ = run(capsys, path, "--config", CONFIG)
    assert code == 0
    later = [o for o in out if o["ts"] > "2026-11-23T09:15:00+08:00"]
    assert later, "a scheduled job should have fired before the tick's time"
    assert all(o["ts"] <= "2026-11-25T00:00:00+08:00" for o in out)


def test_transcripts_are_valid_json_lines():
    for path in (ROOT / "tests" / "transcripts").glob("*.jsonl"):
        assert read_jsonl(path), path
