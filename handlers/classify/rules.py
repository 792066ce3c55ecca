"""A small keyword rule set: the skeleton's classifier, replaced by a trained model later."""
from __future__ import annotations

import re

from handlers.classify.building import find_building
from handlers.classify.result import Classification

_URGENT = ("煤气", "燃气", "天然气", "着火", "起火", "冒烟", "烟雾", "火灾", "困在", "被困",
           "关在电梯", "淹", "进水", "漏水严重", "受伤", "流血", "摔倒", "晕倒")
_CATEGORY_WORDS = {
    "设施维修": ("电梯", "路灯", "灯不亮", "门禁", "水管", "漏水", "坏了", "维修", "报修", "停电", "跳闸"),
    "环境卫生": ("垃圾", "大件", "臭", "卫生", "清运", "堆放", "狗屎", "污水"),
    "停车交通": ("停车", "车位", "占道", "堵车", "乱停", "消防通道"),
    "噪音扰民": ("噪音", "吵", "外机", "装修声", "广场舞", "嗡嗡"),
    "安全隐患": ("飞线", "充电", "高空抛物", "隐患", "消防", "煤气", "燃气", "着火", "冒烟"),
    "物业服务": ("物业", "保安", "保洁", "物业费"),
    "邻里纠纷": ("邻居", "楼上", "楼下", "吵架", "纠纷"),
    "绿化环境": ("绿化", "树", "草坪", "花坛"),
    "公共服务": ("快递柜", "健身", "活动室", "养老", "公交"),
}
_COMPLAINT = ("坏了", "又坏", "不亮", "没人管", "投诉", "报修", "太吵", "堆了", "乱停", "漏水",
              "什么时候来修", "怎么还", "隐患", "占用", "扰民", "反映", "臭", "堵", "困")
_PROPOSAL = ("建议", "提议", "能不能", "可不可以", "希望", "最好", "要不要", "倡议")
_CHAT = ("谢谢", "收到", "好的", "修好了", "通知", "辛苦", "👍", "哈哈", "接龙", "早上好")
_VOTE = re.compile(r"^(同意|反对|弃权|赞成|支持)[!！。.]*$")


class RuleClassifier:
    def classify(self, text: str) -> Classification:
        t = text.strip()
        building = find_building(t)
        urgent = any(w in t for w in _URGENT)
        if _VOTE.match(t):
            return Classification("vote", None, False, building, 0.9)
        chat_hits = sum(w in t for w in _CHAT)
        complaint_hits = sum(w in t for w in _COMPLAINT) + (2 if urgent else 0)
        proposal_hits = sum(w in t for w in _PROPOSAL)
        if chat_hits and chat_hits >= complaint_hits and not urgent:
            return Classification("chat", None, False, building, 0.7)
        if proposal_hits > complaint_hits:
            kind = "proposal"
        elif complaint_hits:
            kind = "complaint"
        else:
            return Classification("chat", None, False, building, 0.6)
        category = self._category(t)
        confidence = min(0.95, 0.6 + 0.1 * max(complaint_hits, proposal_hits))
        return Classification(kind, category, urgent and kind == "complaint", building, confidence)

    @staticmethod
    def _category(text: str) -> str:
        best, score = "其他", 0
        for cat, words in _CATEGORY_WORDS.items():
            s = sum(w in text for w in words)
            if s > score:
                best, score = cat, s
        return best
