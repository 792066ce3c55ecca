"""Features of a normalised message: jieba words and bigrams, and character 1–3-grams.

Why both: words carry meaning (电梯, 坏了, 建议) but jieba splits unseen words and dialect
badly; character n-grams still match 坏脱, 咋整 or a traditional form OpenCC left alone.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

import jieba

USERDICT = Path(__file__).with_name("userdict.txt")
jieba.setLogLevel(logging.WARNING)  # jieba prints "Building prefix dict…" at debug level


def make_tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer of our own (the global one stays untouched) with the community words."""
    tok = jieba.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(USERDICT))
    return tok


def cut(tokenizer: jieba.Tokenizer, text: str) -> list[str]:
    """jieba words by dictionary only. Why no HMM: its new-word guesses cost a third of jieba's
    time, and the character n-grams already cover words the dictionary lacks."""
    return tokenizer.lcut(text, HMM=False)


class WordCutter:
    """jieba's words for `features`, skipping the cut where it cannot add a feature.

    Why that is exact: every jieba word is a piece of the text without spaces, and every piece
    of up to three characters is already a character n-gram, so only words of four or more
    characters add a feature. With HMM=False jieba makes such a word only from a dictionary word
    of four or more characters, or from a run of four or more latin letters and digits. A text
    with neither (most group messages: 收到, 电梯又坏了) gets no jieba call; the others get
    the full cut, so the features are the same as `features(text, cut(tokenizer, text))`.
    """

    def __init__(self, tokenizer: jieba.Tokenizer) -> None:
        self.tokenizer = tokenizer
        # jieba's prefix dictionary holds every word (user words too) and every prefix of one,
        # so a word of four or more characters starts where the text's next four characters are
        # a key. No set of our own to build: it would cost 30 ms of start-up.
        self.long_starts = tokenizer.FREQ.keys()

    def __call__(self, text: str) -> list[str]:
        n = len(text)
        if n < 4:
            return []
        if _LATIN_RUN.search(text) or not self.long_starts.isdisjoint([text[i:i + 4] for i in range(n - 3)]):
            return self.tokenizer.lcut(text, HMM=False)
        return []


_LATIN_RUN = re.compile(r"[a-zA-Z0-9]{4}")  # jieba joins such runs into one word


# Cue words per category and per intent. Why a lexicon next to learnt n-grams: the corpus has a
# few dozen problems per category; the lexicon lets a new problem (鸽子屎, 唢呐) reach the right
# category through a word it shares with the cue list, and the model still weighs each cue.
LEXICON = {
    "设施维修": "电梯 路灯 灯 门禁 门锁 水管 水龙头 水压 停水 停电 漏水 渗水 跳闸 维修 报修 修 坏 故障 失灵 卡住 "
                "屋顶 外墙 墙皮 窗户 玻璃 井盖 台阶 地砖 管道 供水 热水 水泵 闸 对讲 楼梯 扶手 排水 下水 墙",
    "环境卫生": "垃圾 臭 味道 脏 卫生 保洁 打扫 清扫 清运 堆放 杂物 狗屎 狗粪 粪 尿 苍蝇 蚊子 老鼠 蟑螂 污水 "
                "化粪池 小广告 油烟 馊 发霉 消杀 灰 烟头 拖",
    "停车交通": "车 停车 车位 车库 地库 占道 堵 乱停 挪车 消防通道 车道 电动车 单车 道闸 开得快 限速 喇叭 掉头 SUV",
    "噪音扰民": "吵 噪音 声音 响 装修 电钻 广场舞 音响 喇叭 半夜 凌晨 睡不着 叫 嗡嗡 咚咚 砰砰 唱歌 跺脚",
    "安全隐患": "飞线 充电 电瓶 高空抛物 扔 砸 消防 灭火器 隐患 危险 煤气 燃气 天然气 着火 冒烟 电线 护栏 掉下来 "
                "防火门 安全出口 摇晃 松动 漏电 火 烟",
    "物业服务": "物业 保安 门卫 物业费 客服 前台 管家 不理 态度 没人来 不登记 收费 收据 公示 账目 业委会 值班 投诉",
    "邻里纠纷": "邻居 楼上 楼下 对门 隔壁 他家 他们家 不听 说了 占用 圈 私自 摄像头 晾 滴 养狗 狗 猫 鸽子",
    "绿化环境": "绿化 树 树枝 树叶 草坪 草 花坛 花园 灌木 修剪 种 菜地 绿地 枯 虫",
    "公共服务": "快递柜 快递 健身 器材 活动室 食堂 老年 公交 图书 充电桩 卫生站 医院 儿童 游乐 托管 便民",
    "chat": "谢谢 感谢 辛苦 收到 好的 修好 好了 恢复 通知 提醒 温馨 接龙 团购 请问 有没有人 谁家 谁的 推荐 哈哈 "
            "早上好 晚安 快乐 恭喜 出 转让 闲置 点赞 楼上说 同意楼上 支持楼上",
    "proposal": "建议 提议 倡议 希望 能不能 可不可以 可否 能否 要不要 是否可以 考虑 要是能 如果能 最好 应该 想法 "
                "增加 增设 加装 多装 设置 开设 成立 组织 公示",
    "complaint": "坏 不亮 没人管 没人 太 又 还 天天 一直 好几天 投诉 反映 不像话 受不了 怎么 什么时候 堵 臭 吵 漏",
    "vote": "同意 反对 弃权 赞成 支持 附议 投票",
}
_CUE_GROUPS: dict[str, list[str]] = {}
for _name, _words in LEXICON.items():
    for _cue in _words.split():
        _CUE_GROUPS.setdefault(_cue, []).append(_name)
# Precomputed for speed (features() runs on every message): the cue words as one set, so a C-level
# set intersection finds the few cues a message has instead of a Python loop over all its
# features, and the flag names, so no string is built per message.
_CUE_SET = frozenset(_CUE_GROUPS)
_CUE1 = {name: "cue=" + name for name in LEXICON}
_CUE2 = {name: "cue2=" + name for name in LEXICON}
_LEN = [f"len={k}" for k in range(11)]  # a length bucket: min(n, 40) // 4


def features(text: str, words: list[str]) -> set[str]:
    """Feature names for one normalised text and its jieba words.

    Words and character n-grams share one name space (电梯 the word and 电梯 the two
    characters are one feature); `^xy` and `xy$` mark how the message starts and ends.
    """
    s = text.replace(" ", "")
    n = len(s)
    feats = set(s)
    feats.update([s[i:i + 2] for i in range(n - 1)])
    feats.update([s[i:i + 3] for i in range(n - 2)])
    feats.update(words)
    feats.discard(" ")  # jieba's token for a space (s itself has none)
    hit = _CUE_SET.intersection(feats)
    if hit:
        counts: dict[str, int] = {}
        for cue in hit:
            for name in _CUE_GROUPS[cue]:
                counts[name] = counts.get(name, 0) + 1
        for name, count in counts.items():
            feats.add(_CUE1[name])
            if count > 1:
                feats.add(_CUE2[name])
    # (word pairs `a|b` were tried: no better on dev, ~5% slower)
    feats.add("^" + s[:2])
    feats.add(s[-2:] + "$")
    feats.add(_LEN[min(n, 40) // 4])  # present in every message
    return feats
