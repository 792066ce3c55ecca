"""Generate data/corpus/train.jsonl: hand-written seeds expanded by templates with varied slots.

Why generated: no labelled corpus of Chinese residential group chat exists that we may ship, so
the seeds below were written by hand for this project (problems, proposals, ballots, chat,
including the hard cases of issue 4) and combined with buildings, openings, endings, WeChat
artefacts and dialect. About 15% are turned into traditional script with OpenCC (s2t / s2tw /
s2hk). The held-out split (make_heldout.py) is written separately and never read here.

Run: python data/corpus/make_train.py  (deterministic: fixed seed)
"""
from __future__ import annotations

import json
import random
from pathlib import Path

import opencc

OUT = Path(__file__).with_name("train.jsonl")
rng = random.Random(20261123)

BUILDINGS = ["3号楼", "5号楼", "17号楼", "2栋", "8栋", "12栋3单元", "17栋2单元", "B区5幢", "A区2幢",
             "十七号楼", "六号楼", "9号楼1单元", "1幢", "东区4栋", "21号楼", "11栋", "7号楼"]

# (problem phrase, category, urgent)
PROBLEMS = [
    ("电梯又坏了", "设施维修", False), ("电梯停在8楼不动了", "设施维修", False),
    ("电梯按钮失灵", "设施维修", False), ("电梯门关不上，一直开开关关", "设施维修", False),
    ("楼道灯不亮好几天了", "设施维修", False), ("路灯坏了晚上黑漆漆的", "设施维修", False),
    ("门禁刷不开", "设施维修", False), ("单元门的闭门器坏了，门砰砰响", "设施维修", False),
    ("楼道窗户玻璃碎了", "设施维修", False), ("地库闸机抬不起来", "设施维修", False),
    ("水压太小，洗澡都洗不了", "设施维修", False), ("又停电了，什么情况", "设施维修", False),
    ("楼顶漏水，墙都发霉了", "设施维修", False), ("对讲机坏了按了没反应", "设施维修", False),
    ("单元门口的台阶塌了一块", "设施维修", False), ("水表井盖坏了", "设施维修", False),
    ("风幕机一直响还不出风", "设施维修", False), ("信报箱的锁被撬了", "设施维修", False),
    ("垃圾桶满了两天没人清", "环境卫生", False), ("楼道里堆满了杂物和纸箱", "环境卫生", False),
    ("大件垃圾堆在单元门口一个星期了", "环境卫生", False), ("草坪上全是狗屎没人管", "环境卫生", False),
    ("下水道堵了，臭得要命", "环境卫生", False), ("垃圾房臭气熏天", "环境卫生", False),
    ("楼道里有老鼠窜来窜去", "环境卫生", False), ("装修垃圾乱堆在楼下", "环境卫生", False),
    ("污水从井盖里冒出来了", "环境卫生", False), ("蟑螂特别多，能不能消杀一下", "环境卫生", False),
    ("楼梯好久没拖了，全是灰", "环境卫生", False), ("有人把剩饭倒在绿化带里", "环境卫生", False),
    ("有车停在消防通道上", "停车交通", False), ("电动车在门口乱停，轮椅过不去", "停车交通", False),
    ("我的车位又被别人占了", "停车交通", False), ("外来车辆随便进出，小区里停满了", "停车交通", False),
    ("地库出口天天堵", "停车交通", False), ("共享单车堆在东门口", "停车交通", False),
    ("小区里车开得飞快，小孩很危险", "停车交通", False), ("有辆车堵住了我的车出不去", "停车交通", False),
    ("楼上半夜还在装修", "噪音扰民", False), ("广场舞声音太大了，孩子没法写作业", "噪音扰民", False),
    ("空调外机嗡嗡响一晚上", "噪音扰民", False), ("狗一直叫，吵得睡不着", "噪音扰民", False),
    ("半夜有人在楼下喝酒吵闹", "噪音扰民", False), ("早上七点不到就开始电钻", "噪音扰民", False),
    ("楼上天天跺脚拖椅子", "噪音扰民", False), ("水泵房噪音特别大", "噪音扰民", False),
    ("有人飞线充电，电线从窗户挂下来", "安全隐患", False), ("有人把电动车推进电梯带上楼", "安全隐患", False),
    ("又有人高空抛物，差点砸到人", "安全隐患", False), ("消防通道堆满了杂物", "安全隐患", False),
    ("楼道里有电瓶车在充电", "安全隐患", False), ("消防门被锁死了", "安全隐患", False),
    ("外墙瓷砖掉下来了", "安全隐患", False), ("灭火器都过期了", "安全隐患", False),
    ("井盖松了，踩上去会翻", "安全隐患", False), ("儿童滑梯有个螺丝露出来很尖", "安全隐患", False),
    ("物业电话一直打不通", "物业服务", False), ("保安在岗亭里睡觉，谁都放进来", "物业服务", False),
    ("保洁好几天没来打扫了", "物业服务", False), ("物业费涨了也不说明", "物业服务", False),
    ("报修三天了没人来", "物业服务", False), ("物业客服态度太差", "物业服务", False),
    ("快递被保安乱放丢了", "物业服务", False), ("物业说好的维修一拖再拖", "物业服务", False),
    ("邻居在走道里堆鞋柜占地方", "邻里纠纷", False), ("邻居家的狗不拴绳还凶", "邻里纠纷", False),
    ("对门装的摄像头正对着我家门", "邻里纠纷", False), ("楼上晾衣服的水滴到我家被子上", "邻里纠纷", False),
    ("楼上漏水到我家，他们不让进去查", "邻里纠纷", False), ("隔壁把公共走廊圈起来当自家的", "邻里纠纷", False),
    ("楼上家的孩子天天往下扔东西", "邻里纠纷", False),
    ("树枝长得挡住了我家窗户", "绿化环境", False), ("草坪被踩秃了一大片", "绿化环境", False),
    ("有人在绿地里种菜", "绿化环境", False), ("绿化带被挖掉铺成了停车位", "绿化环境", False),
    ("树上好多毛毛虫掉下来", "绿化环境", False), ("花坛里的花全死了没人补种", "绿化环境", False),
    ("快递柜满了，快递只能堆地上", "公共服务", False), ("健身器材坏了好久没人修", "公共服务", False),
    ("老年活动室一直锁着不开门", "公共服务", False), ("社区食堂饭菜又贵又难吃", "公共服务", False),
    ("小区门口的公交站取消了，老人出门很不方便", "公共服务", False),
    ("流浪猫太多了，晚上叫得瘆人", "其他", False), ("小区名字牌子掉了一半", "其他", False),
    ("wifi信号覆盖不到地库", "其他", False), ("有人在群里发广告", "其他", False),
    ("闻到很浓的煤气味", "安全隐患", True), ("楼道里在冒烟", "安全隐患", True),
    ("有户人家着火了", "安全隐患", True), ("燃气管道好像漏气了，味道很重", "安全隐患", True),
    ("电瓶车起火了，烟好大", "安全隐患", True), ("有人被困在电梯里了", "设施维修", True),
    ("电梯突然停了，我和孩子被困在里面", "设施维修", True), ("水管爆了，家里淹了", "设施维修", True),
    ("地下车库进水了，车都被淹了", "设施维修", True), ("有位老人在楼梯上摔倒了，头在流血", "安全隐患", True),
    ("天然气泄漏，整个楼道都是味道", "安全隐患", True), ("配电箱冒火花还有烟", "安全隐患", True),
    ("一楼进水了，水都漫到门口了", "设施维修", True), ("小孩被困在电梯里出不来", "设施维修", True),
    ("有人从楼梯上摔下来受伤了", "安全隐患", True), ("厨房着火了快来人", "安全隐患", True),
]

OPENINGS = ["", "", "", "各位邻居，", "物业你好，", "@物业-小王 ", "@网格员老毛 ", "麻烦看一下，",
            "不好意思打扰大家，", "反映个问题：", "我想反映一下，", "又来了，", "请问物业，", "网格员你好，"]
ENDINGS = ["", "", "", "，物业什么时候来修", "，有没有人管管", "，都好几天了", "，太不像话了",
           "😡", "，谢谢", "，麻烦处理一下，谢谢", "！！", "，这是第三次了", "，请尽快处理",
           "，谁来管管啊", "[图片]", "，辛苦了", "。", "，能不能派人来看看", "🙏"]
URGENT_ENDINGS = ["！！！快来人", "，快打119", "，赶紧来人啊", "！！", "，物业快来", "，太危险了！", "[图片]"]
DIALECT_COMPLAINT = ["阿拉{b}{p}，侬物业管伐", "{b}{p}，这咋整啊", "{p}，物业咋整的嘛", "{b}{p}，搞么子名堂",
                     "{p}，啥辰光来修", "{p}，和物业讲了不搭界一样", "{b}{p}，整得人闹心"]

IMPROVEMENTS = [
    ("在东门装个快递柜", "公共服务"), ("多装几个快递柜", "公共服务"), ("增加几个电动车充电桩", "公共服务"),
    ("开个老年食堂", "公共服务"), ("在小区里建个儿童游乐场", "公共服务"), ("周末开放活动室给孩子们", "公共服务"),
    ("在单元门口装个挂号信箱", "公共服务"), ("请社区医院每月来义诊一次", "公共服务"),
    ("在每个单元门口放个垃圾分类亭", "环境卫生"), ("垃圾桶每天多清运一次", "环境卫生"),
    ("在草坪边放个狗便袋箱", "环境卫生"), ("每月组织一次大扫除", "环境卫生"),
    ("给访客划专门的临时车位", "停车交通"), ("在主路上装几个减速带", "停车交通"),
    ("地库加装车位引导灯", "停车交通"), ("电动车统一停到东边车棚", "停车交通"),
    ("广场舞限定在晚上八点半前结束", "噪音扰民"), ("装修时间限定在早八点到晚六点", "噪音扰民"),
    ("电梯里装电动车阻车器", "安全隐患"), ("楼道里装监控防高空抛物", "安全隐患"),
    ("在每层楼放一个灭火器", "安全隐患"), ("组织一次消防演练", "安全隐患"),
    ("物业每季度公示一次账目", "物业服务"), ("物业公开维修基金的使用情况", "物业服务"),
    ("成立业委会", "物业服务"), ("物业设一个24小时值班电话", "物业服务"),
    ("大堂门口装一台风幕机", "设施维修"), ("老楼加装电梯", "设施维修"), ("单元门口修个无障碍坡道", "设施维修"),
    ("楼道灯换成声控的", "设施维修"),
    ("在空地上多种几棵树", "绿化环境"), ("把那块荒地改成小花园", "绿化环境"), ("草坪上铺条石子小路", "绿化环境"),
    ("制定一个养宠物公约", "邻里纠纷"), ("建个邻里调解小组", "邻里纠纷"),
    ("办个邻里百家宴", "其他"), ("给小区起个新的群名", "其他"), ("搞个旧物交换集市", "其他"),
]
PROPOSAL_FORMS = ["建议{i}", "能不能{i}？", "可不可以{i}", "希望物业能{i}", "提议：{i}，大家觉得怎么样？",
                  "我有个想法，{i}", "要不要{i}？", "倡议{i}，同意的接个龙", "是不是可以考虑{i}",
                  "大家觉得{i}好不好？", "强烈建议{i}！", "物业能否{i}？", "我觉得应该{i}",
                  "咱们小区能不能{i}", "建议物业{i}，方便大家", "{i}，这个提议大家支持吗",
                  "阿拉小区{i}好伐", "能不能{i}啊，咋整都行", "想问下物业有没有可能{i}"]

VOTES = ["附议", "我附议", "附议+1", "同意", "同意！", "反对", "弃权", "赞成", "支持", "我同意", "我反对", "投赞成票", "投反对票",
         "同意👍", "支持支持", "赞成+1", "我家同意", "同意。", "反对，太贵了", "弃权吧", "我投同意",
         "{b}302同意", "{b}501 反对", "支持这个方案", "同意装", "不同意", "我选同意", "赞同",
         "全家都同意", "反对反对", "举双手赞成", "+1 同意", "同意，早该装了", "赞成票", "阿拉同意"]

CHAT = [
    "收到", "收到，谢谢", "好的", "谢谢物业👍", "辛苦了", "早上好", "大家早", "哈哈哈哈", "[表情]", "[图片]",
    "👍👍👍", "晚安", "好的好的", "知道了", "谢谢网格员", "辛苦师傅们了", "哈哈，太逗了", "[强][强]",
    "电梯修好了，谢谢物业👍", "路灯修好了，辛苦师傅", "门禁已经好了，谢谢", "垃圾清掉了，点赞",
    "物业通知：明天9:00-17:00停水，请提前储水", "物业通知：本周六上午电梯年检，请走楼梯",
    "通知：今晚10点到12点停电检修", "社区通知：周三下午在活动室打疫苗，带身份证",
    "温馨提示：明天有台风，请收好阳台上的花盆", "燃气公司通知：下周入户安检，请家里留人",
    "同意楼上，这家面馆好吃", "同意楼上说的，那家超市确实便宜", "支持楼上，周末一起去爬山",
    "建议大家出门带伞，今天下午有雨", "建议去东门那家水果店，挺新鲜的", "我觉得这家理发店不错，建议试试",
    "接龙：团购橙子\n1. 3-201 两箱\n2. 5-302 一箱", "接龙 周六包饺子活动\n1. 王阿姨\n2. 李师傅",
    "有人知道附近哪里能配钥匙吗", "请问谁家捡到一串钥匙？", "谁家的橘猫在我家门口", "出闲置婴儿车，九成新",
    "今天快递到了吗", "有没有一起拼车去机场的", "明天几点打疫苗？", "楼下新开了家包子铺，挺好吃",
    "求推荐靠谱的装修师傅", "今天天气真好", "孩子们放学了注意安全", "我家猫生了，有要的吗",
    "谢谢大家帮我找到钥匙", "物业的小王人真好", "这周的活动真热闹", "新年快乐🎉",
    "谁有多余的纸箱子，搬家用", "周末有人一起打羽毛球吗", "感谢保安大哥帮忙搬东西", "恭喜恭喜",
    "楼上说得对", "同意，这家面馆确实不错", "是的", "对对对", "没错", "我也觉得", "哈哈，确实",
    "电梯昨天修了，今天好好的", "水已经来了", "停电恢复了，谢谢", "刚刚那辆车已经开走了，谢谢大家",
    "阿拉晓得了", "侬讲得对", "这咋整，我也不知道", "这个跟阿拉不搭界", "整挺好", "么得问题",
    "请问燃气费在哪里交", "煤气灶哪里修得好？推荐一下", "消防演练几点开始？", "着火了吗？没有吧，刚才是演练",
    "物业通知：明天上午消防演练，听到警报不要慌", "小区停车费怎么交", "电动车充电桩在哪里",
    "有没有人知道电梯年检是哪天", "垃圾分类的时间改了吗", "快递柜的取件码过期了怎么办",
    "感谢物业这么快就修好了电梯", "装修的师傅今天已经完工了，谢谢邻居们包涵",
    "明天社区有义诊，需要的老人可以去", "网格员提醒：最近有电信诈骗，大家小心", "我家今天装修最后一天，打扰大家了，抱歉",
    "同意楼上，建议大家都去看看", "昨天的广场舞表演真好看", "业委会选举结果出来了吗",
    "我也想知道", "+1", "谢谢提醒", "我到了，在东门", "谁家的快递放错了，在我家门口",
]

ME_TOO = ["我也被困过", "我家也是", "我们楼也这样", "同样的问题，我家也是", "对，好几天了", "我也遇到了，太烦了"]
QUOTES = ["王阿姨：电梯又坏了", "李师傅：楼道灯不亮", "张姐：垃圾没人清", "小刘：车位被占了"]
SEP = "\n- - - - - - - - - - - - - - -\n"
LONG_PAD = ["我住这里十几年了，", "说实话平时也不想麻烦大家，", "上周已经打过电话，当时说马上来，结果到现在也没人，",
            "家里有老人小孩，", "前几天开业主会的时候也提过，", "我们交了物业费的，"]


def item(text, kind, category=None, urgent=False):
    return {"text": text, "kind": kind, "category": category, "urgent": urgent}


def complaints():
    for problem, cat, urgent in PROBLEMS:
        n = 14 if urgent else 9
        for _ in range(n):
            b = rng.choice(BUILDINGS) if rng.random() < 0.6 else ""
            if urgent:
                text = rng.choice(["", "紧急！", "快来人，", "@物业-小王 "]) + b + problem + rng.choice(URGENT_ENDINGS)
            elif rng.random() < 0.12:
                text = rng.choice(DIALECT_COMPLAINT).format(b=b, p=problem)
            else:
                text = rng.choice(OPENINGS) + b + problem + rng.choice(ENDINGS)
                if rng.random() < 0.07:
                    text = "".join(rng.sample(LONG_PAD, 3)) + text + "，希望这次能真正解决。"
            yield item(text, "complaint", cat, urgent)
    for _ in range(60):
        yield item("「" + rng.choice(QUOTES) + "」" + SEP + rng.choice(ME_TOO), "complaint",
                   rng.choice(["设施维修", "环境卫生", "停车交通"]), False)


def proposals():
    for imp, cat in IMPROVEMENTS:
        for _ in range(11):
            form = rng.choice(PROPOSAL_FORMS)
            text = form.format(i=imp)
            if rng.random() < 0.25:
                text = rng.choice(["各位邻居，", "物业你好，", "@业委会 ", "我是" + rng.choice(BUILDINGS) + "的，"]) + text
            if rng.random() < 0.15:
                text += rng.choice(["🙏", "[图片]", "，谢谢", "，费用大家可以分摊"])
            yield item(text, "proposal", cat)


def votes():
    for _ in range(260):
        v = rng.choice(VOTES).format(b=rng.choice(BUILDINGS))
        if rng.random() < 0.1:
            v = "@邻里小助手 " + v
        yield item(v, "vote")


def chats():
    for text in CHAT:
        for _ in range(6):
            t = text
            r = rng.random()
            if r < 0.1:
                t += rng.choice(["[图片]", "[表情]", "👍", "😄", "🙏"])
            elif r < 0.2:
                t = rng.choice(["@王阿姨 ", "@李师傅 ", "@物业-小王 "]) + t
            elif r < 0.25:
                t = "「" + rng.choice(QUOTES) + "」" + SEP + t
            yield item(t, "chat")


FIXED = ["电梯", "路灯", "门禁", "楼道灯", "水管", "单元门", "对讲机", "地库闸机", "健身器材", "风幕机"]
WHO = ["物业", "师傅", "网格员", "小王", "保安大哥", "社区", "大家"]
SERVICES = [("停水", "请提前储水"), ("停电", "请提前做好准备"), ("电梯检修", "请走楼梯"), ("燃气入户安检", "请家里留人"),
            ("二次供水水箱清洗", "期间水压偏小"), ("消防演练", "听到警报不要惊慌"), ("草坪打药", "请看好孩子和宠物"),
            ("外墙清洗", "请关好窗户"), ("化粪池清掏", "期间有异味请谅解")]
DAYS = ["明天", "今天下午", "本周六", "下周一", "11月25日", "周三上午", "后天"]
GOODS = ["橙子", "大米", "鸡蛋", "草莓", "牛奶", "月饼", "粽子", "水饺", "苹果", "猪肉"]
ASK = ["有人知道{x}在哪里吗", "请问{x}怎么走", "谁知道{x}几点开门", "求推荐{x}", "{x}还营业吗", "{x}在哪里办"]
PLACES = ["社区医院", "菜市场", "派出所", "附近的药店", "修鞋的", "开锁师傅", "疫苗接种点", "居委会", "家政阿姨", "快递站"]
CHITCHAT = ["今天好冷啊", "下雨了，记得收衣服", "楼下的桂花开了，好香", "谁家孩子钢琴弹得真好", "晚上一起散步吗",
            "今天的夕阳真美[图片]", "阿拉屋里厢今朝烧红烧肉", "周末带孩子去公园了，人好多", "哈哈哈笑死我了",
            "这个视频太搞笑了[链接]", "大家中秋快乐", "元宵节快乐，记得吃汤圆", "我家狗狗今天满一岁啦[图片]"]


def chat_combos():
    for _ in range(120):
        yield item(f"{rng.choice(FIXED)}{rng.choice(['修好了', '已经好了', '恢复正常了', '换新的了'])}，"
                   f"{rng.choice(['谢谢', '辛苦', '感谢', '点赞'])}{rng.choice(WHO)}{rng.choice(['', '👍', '🙏', '！'])}", "chat")
    for _ in range(110):
        what, tip = rng.choice(SERVICES)
        yield item(f"{rng.choice(['物业通知：', '【通知】', '社区通知：', '温馨提示：', ''])}{rng.choice(DAYS)}"
                   f"{rng.choice(['', '9点到17点', '上午', '晚上'])}{what}，{tip}{rng.choice(['', '。', '，谢谢配合'])}", "chat")
    for _ in range(80):
        g = rng.sample(GOODS, 1)[0]
        lines = "\n".join(f"{i}. {rng.randint(1, 21)}-{rng.randint(1, 6)}0{rng.randint(1, 4)} {rng.randint(1, 5)}份"
                          for i in range(1, rng.randint(2, 6)))
        yield item(f"{rng.choice(['接龙', '#接龙', '团购接龙'])} {g}\n{lines}", "chat")
    for _ in range(120):
        yield item(rng.choice(ASK).format(x=rng.choice(PLACES)) + rng.choice(["", "？", "，谢谢", "～"]), "chat")
    for _ in range(100):
        yield item(rng.choice(CHITCHAT) + rng.choice(["", "😄", "[表情]", "～", "！"]), "chat")
    for _ in range(80):
        yield item(f"{rng.choice(['同意楼上', '支持楼上', '赞同', '楼上说得对'])}，{rng.choice(['这家', '那家', '东门的', '新开的'])}"
                   f"{rng.choice(['面馆', '超市', '理发店', '包子铺', '水果店', '奶茶店'])}{rng.choice(['好吃', '便宜', '不错', '服务好', '值得去'])}", "chat")
    for _ in range(80):
        yield item(f"{rng.choice(['建议大家', '提醒大家', '大家'])}{rng.choice(['出门带伞', '关好门窗', '注意防诈骗', '多喝热水', '早点休息', '看好孩子', '收好快递'])}"
                   f"{rng.choice(['，今天有雨', '，最近骗子多', '', '，天气转凉了', '哦'])}", "chat")
    for _ in range(60):
        yield item(f"{rng.choice(['出', '转让', '送'])}{rng.choice(['闲置', '九成新', '全新'])}"
                   f"{rng.choice(['婴儿车', '书桌', '自行车', '电饭煲', '沙发', '儿童绘本'])}，{rng.choice(['有意私聊', '自提', '便宜出', '楼下自取'])}", "chat")


def vote_combos():
    for _ in range(200):
        b = rng.choice(BUILDINGS)
        v = rng.choice(["同意", "反对", "弃权", "赞成", "支持", "不同意"])
        yield item(rng.choice([f"{b}{rng.randint(1, 30)}0{rng.randint(1, 4)}{v}", f"{rng.randint(1, 21)}-{rng.randint(1, 30)}0{rng.randint(1, 4)} {v}",
                               f"{v}（{b}）", f"{rng.choice(['王', '李', '张', '刘', '陈'])}{rng.choice(['阿姨', '师傅', '姐', '哥'])} {v}"]), "vote")


PETS = ["小狗", "橘猫", "小白狗", "鹦鹉", "小兔子", "泰迪"]
THINGS_LOST = ["钥匙", "手机", "钱包", "雨伞", "书包", "水杯", "快递", "身份证", "公交卡", "玩具车"]
STAFF_WORK = ["疏通下水道", "扫雪", "搬东西", "修路灯", "清理垃圾", "巡逻", "值班"]
NICE = ["保安大哥真负责", "保洁阿姨好勤快", "网格员回复真快", "物业这次效率很高", "小区的花开得真好",
        "新装的路灯好亮", "新换的电梯很稳", "绿化弄得越来越好", "邻居们都好热心"]
PROCEDURES = ["居住证", "老年卡", "停车月卡", "门禁卡", "装修备案", "医保卡", "出入证", "燃气开户"]
GLITCH = ["刚才电梯停了一下，现在好了", "刚才停了几分钟电，已经来了", "水刚才停了一会，现在有了",
          "门禁刚才刷不开，重启后好了", "路灯刚才闪了一下，没事了", "网络刚才断了一下，现在恢复了"]


def chat_with_problem_words():
    for _ in range(90):
        b = rng.choice(BUILDINGS)
        yield item(rng.choice([
            f"谁家的{rng.choice(PETS)}跑出来了，在{b}下面",
            f"谁的{rng.choice(THINGS_LOST)}掉在{b}门口了，放在门卫了",
            f"有人捡到一个{rng.choice(THINGS_LOST)}吗，{rng.choice(['孩子丢了', '老人丢了', '急用'])}",
            f"我家门口多了一个{rng.choice(THINGS_LOST)}，不是我的，谁的来拿一下",
            f"{b}门口有个{rng.choice(THINGS_LOST)}，谁的赶紧拿走",
            f"在电梯里{rng.choice(['碰到', '遇到'])}{rng.choice(['的小朋友', '的新邻居', '的王阿姨'])}真{rng.choice(['有礼貌', '热情', '可爱'])}",
        ]) + rng.choice(["", "[图片]", "～", "。"]), "chat")
    for _ in range(60):
        yield item(rng.choice(GLITCH) + rng.choice(["", "，没事了", "，大家别担心", "，谢谢"]), "chat")
    for _ in range(60):
        yield item(f"辛苦{rng.choice(WHO)}{rng.choice(['了', '', '大哥了'])}，{rng.choice(['下这么大雨', '这么冷的天', '大半夜的', '周末'])}"
                   f"还在{rng.choice(STAFF_WORK)}", "chat")
    for _ in range(60):
        yield item(rng.choice(NICE) + rng.choice(["", "👍", "，点赞", "，谢谢", "！"]), "chat")
    for _ in range(60):
        yield item(f"{rng.choice(['问一下，', '请问', '想问下', ''])}{rng.choice(['小区里能办', '在哪里办', '怎么办', '去哪里领'])}"
                   f"{rng.choice(PROCEDURES)}{rng.choice(['吗', '？', '呀', ''])}", "chat")
    for _ in range(50):
        yield item(f"{rng.choice(['支持一下', '推荐一下', '帮忙宣传下'])}{rng.choice(['楼上的店', '楼下的面馆', '邻居开的蛋糕店', '3号楼阿姨的手工'])}，"
                   f"{rng.choice(['老板人很好', '东西实惠', '味道不错', '很用心'])}", "chat")
    for _ in range(40):
        yield item(f"{rng.choice(['有没有', '有谁', '找'])}会{rng.choice(['弹吉他', '下象棋', '打乒乓球', '跳舞', '修电脑'])}的邻居，"
                   f"{rng.choice(['想组个乐队', '一起玩', '交流一下', '约起来'])}", "chat")
    for _ in range(40):
        yield item(f"{rng.choice(['这事', '这个', '那件事'])}{rng.choice(['跟咱不搭界', '跟阿拉不搭界', '不归我们管', '不用操心'])}，"
                   f"{rng.choice(['别管了', '算了', '随他去吧', '大家散了吧'])}", "chat")


EXTRA_COMPLAINTS = [
    ("{x}全都不亮", ["安全出口的指示灯", "地库的灯", "楼梯间的灯", "小区门口的灯箱"], "设施维修"),
    ("{x}断了一根", ["秋千的链子", "晾衣杆", "楼梯扶手的栏杆", "单元门的拉手"], "设施维修"),
    ("{x}在滴水", ["消防喷淋", "楼道的水管", "电梯井顶上", "空调冷凝管"], "设施维修"),
    ("说好{x}，去了几次都锁着", ["周末开放的图书室", "活动室白天开放", "健身房早上开门", "阅览室晚上开"], "公共服务"),
    ("{x}从早上七点{y}到晚上九点", ["隔壁装修", "楼上", "对面工地"], "噪音扰民"),
    ("{x}声音大得睡不着觉", ["饭店的排风扇", "楼下的水泵", "隔壁的音响", "工地的打桩机"], "噪音扰民"),
    ("{x}每天{y}到半夜", ["楼下棋牌室", "隔壁", "楼上"], "噪音扰民"),
    ("{x}莫得用了，咋整嘛", ["电梯", "门禁", "热水", "路灯"], "设施维修"),
]
NOISE_VERBS = ["敲", "砸", "打麻将", "唱歌", "电钻"]
PROPOSAL_FORMS_2 = ["要是能{i}就好了", "可否{i}，大家方便", "希望物业定期{i}", "想请物业考虑{i}", "能不能考虑{i}",
                    "如果能{i}就更好了", "有没有可能{i}？", "建议：{i}"]


def more_items():
    for form, xs, cat in EXTRA_COMPLAINTS:
        for _ in range(10):
            text = form.format(x=rng.choice(xs), y=rng.choice(NOISE_VERBS))
            yield item(rng.choice(OPENINGS[:6]) + text + rng.choice(ENDINGS), "complaint", cat)
    for short in ["电梯坏", "灯不亮", "又停水", "没水了", "门禁坏", "太吵了", "好臭", "车堵了", "没人管吗", "垃圾没人收"]:
        for _ in range(3):
            yield item(short + rng.choice(["", "！", "！！", "😡", "啊", "了"]), "complaint",
                       {"电梯坏": "设施维修", "灯不亮": "设施维修", "又停水": "设施维修", "没水了": "设施维修",
                        "门禁坏": "设施维修", "太吵了": "噪音扰民", "好臭": "环境卫生", "车堵了": "停车交通",
                        "没人管吗": "物业服务", "垃圾没人收": "环境卫生"}[short])
    for imp, cat in IMPROVEMENTS:
        for _ in range(3):
            yield item(rng.choice(PROPOSAL_FORMS_2).format(i=imp), "proposal", cat)


CONVERTERS = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]


def main():
    from handlers.classify.building import find_building
    rows = [*complaints(), *proposals(), *votes(), *chats(), *chat_combos(), *vote_combos(),
            *chat_with_problem_words(), *more_items()]
    seen, out = set(), []
    for row in rows:
        if row["text"] in seen:
            continue
        seen.add(row["text"])
        row["lang"] = "zh-Hans"
        row["building"] = find_building(row["text"])  # labelled on the simplified text
        if rng.random() < 0.15:
            row["text"] = rng.choice(CONVERTERS).convert(row["text"])
            row["lang"] = "zh-Hant"
        out.append(row)
    rng.shuffle(out)
    with OUT.open("w", encoding="utf-8") as f:
        for row in out:
            f.write(json.dumps({k: row[k] for k in ("text", "kind", "category", "urgent", "building", "lang")},
                               ensure_ascii=False) + "\n")
    print(len(out), "rows →", OUT)


if __name__ == "__main__":
    main()
