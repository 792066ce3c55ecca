"""Build data/corpus/heldout.jsonl and dev.jsonl from their hand-written *_source.txt files.

Neither is ever used for training. dev was written first and used for error analysis while the
training templates were improved (its figures are optimistic); heldout was written afterwards
and evaluated only at the end.

Every 6th message is turned into traditional script with OpenCC (s2t or s2tw) so the held-out
split has about the same share of traditional script as the training set.
Run: python data/corpus/make_heldout.py
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import opencc

from handlers.classify.building import find_building

HERE = Path(__file__).parent
_HEAD = re.compile(r"^([cupvh])(?: (\S+))? \| (.*)$")
KIND = {"c": "complaint", "u": "complaint", "p": "proposal", "v": "vote", "h": "chat"}


def records(lines):
    current = None
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        m = _HEAD.match(line)
        if m:
            if current:
                yield current
            tag, category, text = m.groups()
            current = {"text": text, "kind": KIND[tag], "category": category, "urgent": tag == "u"}
        else:
            current["text"] += "\n" + line
    if current:
        yield current


def build(name: str) -> None:
    converters = [opencc.OpenCC("s2t"), opencc.OpenCC("s2tw")]
    rows = list(records((HERE / f"{name}_source.txt").read_text(encoding="utf-8").splitlines()))
    with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as f:
        for n, row in enumerate(rows):
            row["building"] = find_building(row["text"])
            row["lang"] = "zh-Hans"
            if n % 6 == 3:
                row["text"] = converters[n % 2].convert(row["text"])
                row["lang"] = "zh-Hant"
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(name, len(rows), "rows")


if __name__ == "__main__":
    build("dev")
    build("heldout")
