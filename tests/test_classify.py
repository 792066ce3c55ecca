"""The trained classifier (issue 4): `linli classify` contract (SPEC §7), normalisation,
buildings, the hard cases, `linli train` / `linli eval`, and learning from staff corrections."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from handlers.classify import CATEGORIES, KINDS, load_classifier
from handlers.classify.building import find_building
from handlers.classify.features import cut, features
from handlers.classify.normalize import normalize
from storage.corrections import add_correction
from storage.db import create_schema, make_engine, session_scope
from tests.conftest import CONFIG, START, database_url

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"
SEP = "\n- - - - - - - - - - - - - - -\n"


@pytest.fixture(scope="module")
def classify():
    return load_classifier().classify


def run_cli(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# -- linli classify (SPEC §7) -------------------------------------------------------------------

def test_classify_writes_one_line_per_message_in_order(monkeypatch, capsys):
    lines = [{"id": "m1", "text": "3号楼电梯又坏了，物业什么时候来修"}, {"id": 7, "text": "收到，谢谢"},
             {"id": "m3", "text": "同意"}]
    code, out, _ = run_cli(monkeypatch, capsys, ["classify"],
                           "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["m1", 7, "m3"]
    for r in rows:
        assert list(r) == ["id", "kind", "category", "urgent", "building", "confidence"]
        assert r["kind"] in KINDS and isinstance(r["urgent"], bool)
        assert 0 <= r["confidence"] <= 1 and round(r["confidence"], 2) == r["confidence"]
    assert rows[0] == {**rows[0], "kind": "complaint", "category": "设施维修", "urgent": False, "building": "3号楼"}
    assert (rows[1]["kind"], rows[1]["category"]) == ("chat", None)
    assert (rows[2]["kind"], rows[2]["category"]) == ("vote", None)


def test_classify_bad_line_exits_2_naming_the_line(monkeypatch, capsys):
    code, out, err = run_cli(monkeypatch, capsys, ["classify"], '{"id": 1, "text": "好的"}\n{"id": 2}\n')
    assert code == 2 and "line 2" in err
    assert len(out.splitlines()) == 1


# -- normalisation and buildings ------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("3號樓電梯又壞了", "3号楼电梯又坏了"),
    ("ＡＢＣ１２３！", "abc123!"),
    ("电梯坏了[图片][表情]", "电梯坏了"),
    ("@物业-小王\u2005@网格员老毛 路灯不亮", "路灯不亮"),
    ("「王阿姨：电梯又坏了」" + SEP + "我也被困过", "我也被困过"),
    ("  好的 \n 收到  ", "好的 收到"),
])
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize("text, building", [
    ("3号楼电梯又坏了", "3号楼"), ("17栋2单元楼道灯不亮", "17栋2单元"), ("B区5幢门口堆满垃圾", "B区5幢"),
    ("十七号楼有人飞线充电", "17号楼"), ("明天3号停水", None), ("小区路灯坏了", None),
])
def test_find_building(text, building):
    assert find_building(text) == building


def test_building_is_found_in_traditional_and_full_width_text(classify):
    assert classify("１７棟２單元樓道燈不亮").building == "17栋2单元"
    assert classify("b区5幢门口堆满垃圾").building == "B区5幢"


# -- the hard cases of issue 4 --------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, category", [
    ("电梯修好了，谢谢物业👍", "chat", None),
    ("物业通知：明天停水", "chat", None),
    ("同意楼上，这家面馆好吃", "chat", None),
    ("收到", "chat", None),
    ("[图片]", "chat", None),
    ("同意", "vote", None),
    ("反对，太贵了", "vote", None),
    ("能不能在东门装个快递柜？", "proposal", "公共服务"),
    ("建议物业每季度公示一次账目", "proposal", "物业服务"),
    ("不好意思打扰大家，楼道里堆满了杂物，麻烦物业处理一下，谢谢", "complaint", "环境卫生"),
    ("「王阿姨：电梯又坏了」" + SEP + "我也被困过", "complaint", "设施维修"),
    ("@物业-小王 有车停在消防通道上", "complaint", "停车交通"),
    ("阿拉8栋电梯又坏脱了，侬物业管伐", "complaint", "设施维修"),
    ("楼上半夜还在装修，这咋整啊", "complaint", "噪音扰民"),
    ("樓上半夜還在裝修，吵得睡不著", "complaint", "噪音扰民"),
    ("有人飞线充电，电线从窗户挂下来", "complaint", "安全隐患"),
])
def test_hard_cases(classify, text, kind, category):
    got = classify(text)
    assert (got.kind, got.category) == (kind, category), text


@pytest.mark.parametrize("text", ["有人被困在电梯里了", "6号楼一股煤气味，好像漏气了", "楼道里在冒烟！！",
                                  "地下车库进水了，车都被淹了", "有位老人摔倒了，头在流血", "4號樓廚房著火了"])
def test_danger_is_an_urgent_complaint(classify, text):
    got = classify(text)
    assert (got.kind, got.urgent) == ("complaint", True), text


def test_past_danger_and_chat_about_gas_are_not_urgent(classify):
    assert classify("「王阿姨：电梯又坏了」" + SEP + "我也被困过").urgent is False
    assert classify("请问燃气费在哪里交").kind == "chat"
    assert classify("我困了，睡觉去").kind == "chat"  # 困 as in sleepy


def test_a_feared_danger_is_a_hazard_not_an_alarm(classify):
    got = classify("5号楼302的邻居在楼道里给电瓶车充电，飞线从窗户拉下来，我怕着火")
    assert (got.kind, got.category, got.urgent) == ("complaint", "安全隐患", False)
    assert classify("着火了！我怕火灾蔓延到楼上").urgent is True  # fear beside a real fire


def test_every_answer_uses_the_spec_labels(classify):
    for text in ("", "   ", "😀", "a" * 2000, "#" * 10, "3号楼" * 300):
        got = classify(text)
        assert got.kind in KINDS and (got.category is None or got.category in CATEGORIES)
        assert 0 <= got.confidence <= 1


# -- speed paths give the same answers -------------------------------------------------------------

ODD = ["", "   ", "😀", "a" * 2000, "3号楼" * 300, "wifi又断了", "abc def 12345", "中华人民共和国万岁",
       "有人飞线充电，电线从窗户挂下来", "@物业-小王\u2005 [图片]", "樓上半夜還在裝修", "ＡＢＣＤ电梯"]


def heldout_texts() -> list[str]:
    lines = (CORPUS / "heldout.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line] + ODD


def test_classify_many_gives_exactly_the_answers_of_classify():
    classifier = load_classifier()
    texts = heldout_texts()
    one = [classifier.classify(t) for t in texts]
    assert classifier.classify_many(texts) == one  # confidences equal to the last bit
    assert classifier.classify_many(texts[:5]) + classifier.classify_many(texts[5:]) == one
    assert classifier.classify_many([]) == []


def test_skipping_jieba_never_changes_the_features():
    """Where no dictionary word of 4+ characters (nor a 4+ latin run) can start, jieba's words
    are all character n-grams already, so `WordCutter` skips the cut; the features must be
    those of the full cut."""
    classifier = load_classifier()
    skipped = 0
    for text in heldout_texts():
        t = normalize(text)
        words = classifier.words(t)
        skipped += not words
        assert features(t, words) == features(t, cut(classifier.tokenizer, t)), text
    assert skipped > 100  # the skip is taken for most messages
    assert classifier.words("业委会讨论飞线充电") and classifier.words("wifi坏了")


async def test_urgent_message_opens_an_item_even_when_the_model_is_unsure(harness):
    sent = await harness.say("r-b3", "u-101", "救命，电梯卡住了出不去")
    assert sent and "#1" in sent[0].text


# -- linli train / linli eval ---------------------------------------------------------------------

TINY = [("电梯坏了", "complaint", "设施维修"), ("路灯不亮了", "complaint", "设施维修"),
        ("楼道灯坏了没人修", "complaint", "设施维修"), ("垃圾没人清，好臭", "complaint", "环境卫生"),
        ("楼下垃圾堆满了", "complaint", "环境卫生"), ("建议装个快递柜", "proposal", "公共服务"),
        ("建议多种几棵树", "proposal", "绿化环境"), ("能不能加个充电桩", "proposal", "公共服务"),
        ("同意", "vote", None), ("反对", "vote", None), ("弃权", "vote", None), ("收到", "chat", None),
        ("谢谢", "chat", None), ("好的", "chat", None), ("早上好", "chat", None), ("哈哈", "chat", None)]


def write_corpus(path, rows) -> None:
    path.write_text("".join(json.dumps({"text": t, "kind": k, "category": c, "urgent": False,
                                        "building": None, "lang": "zh-Hans"}, ensure_ascii=False) + "\n"
                            for t, k, c in rows), encoding="utf-8")


def test_train_then_eval_round_trip(tmp_path, monkeypatch, capsys):
    corpus, model = tmp_path / "tiny.jsonl", tmp_path / "model.json.gz"
    write_corpus(corpus, TINY * 3)
    code, out, err = run_cli(monkeypatch, capsys, ["train", "--no-corrections", "--corpus", str(corpus),
                                                   "--out", str(model), "--calibrate", ""])
    assert code == 0, err
    assert "48 corpus messages and 0 corrections" in out and model.exists()
    code, out, _ = run_cli(monkeypatch, capsys, ["eval", str(corpus), "--model", str(model)])
    assert code == 0
    assert "confusion" in out and "category accuracy" in out
    macro = float(next(line for line in out.splitlines() if line.startswith("macro-F1")).split()[-1])
    assert macro == 1.0  # a tiny corpus is learnt by heart


def test_eval_and_train_reject_bad_files(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "电梯坏了", "kind": "moan"}\n', encoding="utf-8")
    code, _, err = run_cli(monkeypatch, capsys, ["eval", str(bad)])
    assert code == 2 and "line 1" in err and "moan" in err
    code, _, err = run_cli(monkeypatch, capsys, ["eval", str(tmp_path / "missing.jsonl")])
    assert code == 2 and "not found" in err
    code, _, err = run_cli(monkeypatch, capsys, ["train", "--no-corrections", "--corpus", str(bad),
                                                 "--out", str(tmp_path / "m.gz")])
    assert code == 2 and "moan" in err


def test_train_learns_from_staff_corrections(tmp_path, monkeypatch, capsys):
    db = database_url(tmp_path / 'linli.db')
    engine = make_engine(db)
    create_schema(engine)
    text = "楼下的桂花开了，好香"  # looks like nothing the tiny corpus knows
    with session_scope(engine) as s:
        add_correction(s, text=text, kind="complaint", category="绿化环境", source="opened_by_hand",
                       at=START)
    engine.dispose()
    monkeypatch.setenv("LINLI_DATABASE", db)
    corpus, model = tmp_path / "tiny.jsonl", tmp_path / "model.json.gz"
    write_corpus(corpus, TINY * 3 + [(text, "chat", None)])
    code, out, err = run_cli(monkeypatch, capsys, ["train", "--config", str(CONFIG), "--corpus", str(corpus),
                                                   "--out", str(model), "--calibrate", ""])
    assert code == 0, err
    assert "1 corrections" in out
    got = load_classifier(model).classify(text)
    assert (got.kind, got.category) == ("complaint", "绿化环境")  # the staff's label outweighs the corpus


async def test_a_rejected_item_teaches_the_next_model(harness, tmp_path, capsys):
    """#驳回 stores the message as chat (handlers/cases.py); `linli train` learns it."""
    from bot.cli import train_model
    text = "3号楼电梯又坏了，物业什么时候来修"
    assert "#1" in (await harness.say("r-b3", "u-101", text))[0].text
    await harness.say("r-b3", "u-mao", "#驳回 1 演练消息，不是真的")
    corpus, model = tmp_path / "tiny.jsonl", tmp_path / "model.json.gz"
    write_corpus(corpus, TINY * 3)
    settings = harness.bot.settings.model_copy(update={"database": harness.bot.engine.url.render_as_string(hide_password=False)})
    assert train_model([str(corpus)], settings, str(model)) == 0
    assert "1 corrections" in capsys.readouterr().out
    assert load_classifier(model).classify(text).kind == "chat"
