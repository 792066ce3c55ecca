"""The classifier's answer, in the shape of SPEC §7."""
from __future__ import annotations

from dataclasses import asdict, dataclass

KINDS = ("complaint", "proposal", "vote", "chat")
CATEGORIES = ("设施维修", "环境卫生", "停车交通", "噪音扰民", "安全隐患", "物业服务",
              "邻里纠纷", "绿化环境", "公共服务", "其他")


@dataclass(frozen=True)
class Classification:
    kind: str
    category: str | None
    urgent: bool
    building: str | None
    confidence: float

    def as_json(self) -> dict:
        d = asdict(self)
        d["confidence"] = round(self.confidence, 2)
        return d
