"""What the triage model sees of a text: hashed character n-grams and a hand-written lexicon.

Nothing here stores text. Character n-grams (1 to 3 characters of the normalised text, Latin
words whole) are *hashed* into a fixed number of buckets (CRC-32, stable across processes), so
the shipped model holds numbers only: no vocabulary, no training text.

The lexicon (``LEXICON``) is written from domain knowledge of after-sales complaints, one group
of words per idea (delivery words, installation words, attitude words…). A matched group is a
feature of its own, and the matched words are the reasons the page shows.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from aftersales.core.text import normalise

HASH_BUCKETS = 1 << 18
NGRAM_MAX = 3

# One group per idea; the words are matched as substrings of the normalised text.
# fmt: off
LEXICON: dict[str, tuple[str, ...]] = {
    # Category ideas
    "fault": (
        "坏了", "坏掉", "故障", "死机", "黑屏", "白屏", "花屏", "蓝屏", "重启", "开不了机", "开不开机", "不开机", "无法开机", "自动关机", "卡顿",
        "很卡", "太卡", "反应慢", "没反应", "失灵", "不灵", "坏点", "亮点", "漏光", "划痕", "裂", "噪音", "异响", "杂音", "发热", "发烫",
        "烫手", "不加热", "不出热水", "漏水", "掉电", "耗电", "待机", "充不进", "充不上", "信号差", "没信号", "断流", "掉线", "不好用", "不能用",
        "用不了", "质量", "毛病", "问题", "摄像头", "屏幕", "电池", "触屏", "触摸", "按键", "wifi", "蓝牙", "死掉", "残次", "次品", "瑕疵",
        "做工", "性能", "卡死", "闪退"
    ),
    "attitude": (
        "态度", "服务差", "服务太差", "服务很差", "不耐烦", "爱理不理", "不理", "理都不理", "敷衍", "推诿", "推脱", "推卸", "踢皮球", "扯皮", "骂",
        "凶", "吼", "挂电话", "挂了电话", "素质", "不礼貌", "冷漠", "忽悠", "欺骗", "骗", "耍", "刁难", "傲慢", "不负责", "不作为", "客服",
        "服务员", "售后人员", "工作人员"
    ),
    "slow": (
        "回复", "答复", "没人回", "不回", "没回", "没人理", "没人管", "没人处理", "没有处理", "没处理", "迟迟", "一直没", "一直不", "至今", "到现在",
        "到今天", "还没有", "还没", "没有结果", "没结果", "没消息", "没有消息", "石沉大海", "催", "等了", "等待", "拖", "效率", "几天", "多天",
        "一周", "一个星期", "半个月", "一个月", "好久", "很久", "处理慢", "速度慢", "尽快", "杳无音信", "没动静"
    ),
    "install": (
        "安装", "装机", "装好", "装上", "装不上", "装不了", "装系统", "重装", "驱动", "系统", "xp", "win7", "win 7", "vista",
        "windows", "win8", "win10", "分区", "bios", "调试", "打孔", "支架", "管件", "材料费", "安装费", "上门安装", "师傅", "水管",
        "阀", "预装", "linux", "dos", "激活"
    ),
    "repair": (
        "维修", "修理", "修了", "修好", "修不好", "没修好", "返修", "送修", "保修", "检修", "检测", "维修点", "维修站", "售后点", "服务站",
        "修过", "又坏", "再次", "多次", "几次", "第二次", "第三次", "反复", "寄回", "寄修", "返厂", "配件", "等配件", "换主板", "换屏"
    ),
    "delivery": (
        "快递", "物流", "送货", "配送", "发货", "到货", "收货", "签收", "派送", "运输", "包装", "外包装", "箱子", "纸箱", "送到", "送来",
        "寄来", "顺丰", "圆通", "申通", "中通", "韵达", "ems", "邮政", "快递员", "送货员", "配送员", "自提", "货到", "到了", "才到", "没到",
        "延迟", "压坏", "破损", "摔坏", "丢件", "少件", "漏发", "错发", "发错", "上楼", "天才到"
    ),
    "other": (
        "价格", "降价", "价保", "保价", "差价", "便宜", "贵", "涨价", "赠品", "送的", "礼品", "赠送", "发票", "不符", "描述", "宣传", "虚假",
        "翻新", "二手", "旧的", "用过", "水货", "假货", "正品", "山寨", "优惠", "活动", "促销", "优惠券", "积分", "返券", "配置", "缺货",
        "预售", "价钱"
    ),
    # Request ideas
    "want_repair": (
        "维修", "修理", "修一下", "修好", "保修", "送修", "返修", "上门", "检测", "寄修"
    ),
    "want_return": (
        "退货", "退掉", "退回", "要退", "想退", "申请退", "无理由", "退了", "退机"
    ),
    "want_exchange": (
        "换货", "换一", "换个", "换新", "更换", "调换", "换机", "要换", "换了"
    ),
    "want_refund": (
        "退款", "退钱", "差价", "价保", "保价", "返还", "补差", "退差", "返现", "钱退"
    ),
    "want_compensation": (
        "赔偿", "赔", "补偿", "损失", "索赔", "精神损失"
    ),
    "want_consultation": (
        "请问", "怎么办", "怎么回事", "怎么弄", "如何", "咨询", "是不是", "能不能", "吗"
    ),
    "want_installation": (
        "安装", "上门安装", "预约安装", "装一下"
    ),
    # Urgency ideas
    "escalate": (
        "投诉", "12315", "消协", "消费者协会", "工商", "曝光", "媒体", "起诉", "法院", "律师", "315", "再也不", "无法使用", "不能使用",
        "彻底", "报废", "多次维修", "修了几次", "第三次", "第四次"
    ),
    "minor": (
        "还行", "还可以", "凑合", "一般", "不错", "满意", "总体", "整体", "总的来说", "建议", "希望"
    ),
    "pending": (
        "还没", "至今", "一直", "等", "没有结果", "不解决", "没解决", "解决", "处理"
    ),
}

# The labelling rules of shared/triage/README.md written as word groups (from the rules and common
# usage, not from its texts): resolved issues, opinions and venting are normal; an unusable product
# and a demand for action need action; a new faulty unit is exchanged, one used for a while repaired.
# Dense features of the urgency answer only (measured: they help it and not the others).
RULES: dict[str, tuple[str, ...]] = {
    "resolved": (
        "已解决", "已经解决", "解决了", "问题解决", "已经换了", "给换了", "换了一台", "给退了", "已退", "退款已", "已经退",
        "总算", "终于", "最后还是", "后来", "好在", "还好", "幸好", "已经好了", "已修好"
    ),
    "opinion": (
        "感觉", "觉得", "认为", "个人", "不推荐", "不建议", "推荐", "性价比", "外观", "手感", "不值", "一般般", "失望", "后悔",
        "郁闷", "无语", "垃圾", "差评", "不会再", "以后不", "再也不买", "大家", "慎重", "谨慎"
    ),
    "new_unit": (
        "刚买", "新买", "才买", "刚到", "到手", "收到", "拿到", "第一天", "第二天", "没用几天", "才用", "刚用", "开箱",
        "全新", "新机", "没几天", "两天", "三天", "一周内", "七天", "7天", "15天", "十五天"
    ),
    "used_while": (
        "用了一年", "用了半年", "用了两年", "个月", "一年多", "年多", "半年", "保修期", "过保", "出保", "保内", "保外"
    ),
    "demand": (
        "要求", "必须", "给个说法", "给我解决", "尽快", "赶紧", "马上", "到底", "怎么处理", "处理一下", "联系", "打电话",
        "找", "答应", "承诺"
    ),
    "unusable": (
        "用不了", "不能用", "无法使用", "不能使用", "开不了机", "无法开机", "不开机", "开不开机", "报废", "彻底坏",
        "完全", "根本"
    ),
}

# The labelling rule of the request type (shared/triage/README.md: "if the customer asks for
# nothing, it is complaint; otherwise what they most likely want: exchange for a new unit that is
# faulty, repair for a unit used a while, refund for a price difference"), written as word groups
# from the rule and general after-sales usage (not from the dev texts). A wish counts only where
# the customer asks for it: a wish word whose clause declines it before (不想退, 懒得换, 算了) does
# not count; a refusal by the seller (不给退, 不让换) still shows the wish. Dense features of the
# request-type answer only (features ``request_rule_vector``).
REQUEST_RULES: dict[str, tuple[str, ...]] = {
    "ask_return": (
        "退货", "退掉", "退回", "要退", "想退", "申请退", "无理由", "退机", "给退", "能退", "可以退", "退了吧", "退给"
    ),
    "ask_exchange": (
        "换货", "换一台", "换一个", "换个", "换新", "更换", "调换", "换机", "要换", "给换", "能换", "想换", "换台", "换一部"
    ),
    "ask_refund": (
        "退款", "退钱", "钱退", "返还", "返款", "退差", "补差", "差价", "价保", "保价", "价格保护", "降价", "掉价", "跌价",
        "便宜了", "降了", "返现"
    ),
    "ask_repair": (
        "维修", "修理", "修一下", "修好", "送修", "返修", "报修", "寄修", "保修", "上门维修", "检修", "拿去修", "去修"
    ),
    "ask_compensation": (
        "赔偿", "赔钱", "补偿", "索赔", "损失", "赔我", "要求赔"
    ),
    "ask_consultation": (
        "请问", "咨询", "想问", "问一下", "想知道", "谁知道", "有谁知道", "求助", "求解"
    ),
    "ask_installation": (
        "预约安装", "上门安装", "来安装", "帮忙安装", "给装", "什么时候安装", "还没安装", "没人来装", "没来装"
    ),
}
# Declining a wish, before the wish word in its clause.
DECLINE_WORDS: tuple[str, ...] = ("不想", "不要", "不用", "不打算", "懒得", "没必要", "算了", "不必", "不愿")
# A fault of the unit itself (for "a new unit that is faulty" / "a unit used a while").
FAULT_WORDS: tuple[str, ...] = (
    "坏了", "坏掉", "故障", "死机", "黑屏", "白屏", "花屏", "蓝屏", "重启", "开不了机", "不开机", "无法开机", "自动关机", "失灵",
    "坏点", "亮点", "漏光", "异响", "杂音", "不加热", "漏水", "充不进", "充不上", "没信号", "不能用", "用不了", "毛病", "卡死",
    "闪退", "死掉", "次品", "瑕疵", "不亮", "不转", "没声音"
)

# The urgency rule of shared/triage/README.md ("faults and pending service failures are important;
# price, gifts, opinions, resolved issues and venting are normal; urgent: a hazard, or a product
# unusable after repeated failed repairs that is being escalated"), written as word groups from the
# rule and general after-sales usage (not from the dev texts). Dense features of a second urgency
# head that sees only the dense features (``urgency_rule_vector``; training.Config.urgency_mix).
URGENCY_RULES: dict[str, tuple[str, ...]] = {
    # Needs action: a fault of the unit, a service failure still open, repeated failures, a loss,
    # a deadline, an escalation.
    "defect": (
        *FAULT_WORDS, "不工作", "不能充电", "无法充电", "充不了电", "关机", "没反应", "不显示", "进水", "烧坏", "卡屏", "失效", "不能开机", "碎了",
        "裂了", "掉漆"
    ),
    "unresolved": (
        "还没", "至今", "一直没", "一直不", "没人理", "没人管", "没人处理", "不回复", "没回复", "没有回复", "不回", "石沉大海", "等了",
        "还在等", "没有解决", "没解决", "不给解决", "不解决", "不处理", "没处理", "推诿", "推脱", "踢皮球", "拖", "杳无音信", "没下文",
        "没有下文", "不给退", "不给换", "不给修", "不让退", "不让换", "拒绝"
    ),
    "repeated": (
        "又坏", "又出现", "再次", "多次", "几次", "反复", "第二次", "第三次", "修了", "返修", "还是不行", "还是坏", "依旧", "依然", "仍然",
        "换了两", "换了几"
    ),
    "escalation": (
        "投诉", "12315", "消协", "消费者协会", "工商", "曝光", "媒体", "起诉", "律师", "法院", "维权", "315", "报警", "记者", "微博"
    ),
    "loss": ("损失", "赔偿", "耽误", "误工", "数据丢失", "资料丢失", "丢失", "损坏", "泡了", "淹了", "白花", "浪费"),
    "time_pressure": ("急用", "着急", "急需", "急死", "马上要", "工作需要", "耽误工作", "出差", "考试", "急着"),
    # Nothing to act on: the customer gives up, an opinion of the design or the specification, a
    # warning to other buyers, price or gifts.
    "resigned": (
        "算了", "懒得", "将就", "凑合", "自认倒霉", "认倒霉", "认了", "不想折腾", "麻烦", "就这样吧", "留着用", "不退了", "不换了", "买个教训",
        "长个记性", "吃一堑", "无所谓", "没办法", "没辙"
    ),
    "spec_opinion": (
        "分辨率", "像素", "音质", "音效", "内存", "运存", "配置", "字体", "外观", "颜色", "手感", "重量", "太重", "太厚", "续航", "性价比",
        "不值", "一分钱一分货", "不如", "比不上", "功能少", "设计", "画质", "清晰度", "速度慢", "反应慢", "耗电", "待机时间"
    ),
    "warn_others": (
        "大家", "千万别", "千万不要", "别买", "不要买", "慎买", "慎重", "劝", "建议不要", "不推荐", "奉劝", "买的朋友", "朋友们", "亲们",
        "同学们", "各位"
    ),
    "price_gift": ("降价", "差价", "价保", "保价", "赠品", "送的", "发票", "便宜", "贵", "优惠", "活动", "价格", "价钱", "少送", "没送"),
}
# The wishes that ask for action on the unit (REQUEST_RULES groups).
REMEDY_WISHES: tuple[str, ...] = ("ask_return", "ask_exchange", "ask_repair", "ask_compensation", "ask_installation")
# fmt: on

# Product category words that hint at the category of a complaint (source categories and the
# catalogue's names).
_CLAUSE_SPLIT = re.compile(r"[\s,.!?;:，。！？；：、…~\-—\"'“”‘’()（）\[\]【】<>《》]+")
_LATIN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Analysed:
    """The normalised text, its hashed n-gram counts and the lexicon groups it matched."""

    text: str
    hashed: dict[int, float]
    lexicon: dict[str, tuple[str, ...]]
    rules: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the RULES groups matched
    wishes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # request_rule_hits
    urgency: dict[str, tuple[str, ...]] = field(default_factory=dict)  # urgency_rule_hits


def _bucket(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8")) % HASH_BUCKETS


def ngram_features(text: str) -> list[str]:
    """The character 1–3-grams of each clause (Latin/digit runs as whole words)."""
    out: list[str] = []
    for clause in _CLAUSE_SPLIT.split(text):
        if not clause:
            continue
        for word in _LATIN.findall(clause):
            out.append("w:" + word)
        chars = _LATIN.sub("#", clause)
        for n in range(1, NGRAM_MAX + 1):
            for i in range(len(chars) - n + 1):
                gram = chars[i : i + n]
                if n == 1 and gram == "#":
                    continue
                out.append(gram)
    return out


def lexicon_hits(text: str, lexicon: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    """The lexicon groups found in the (normalised) text, each with its matched words."""
    hits: dict[str, tuple[str, ...]] = {}
    for group, words in (LEXICON if lexicon is None else lexicon).items():
        found = tuple(w for w in words if w in text)
        if found:
            hits[group] = found
    return hits


def request_rule_hits(text: str) -> dict[str, tuple[str, ...]]:
    """The REQUEST_RULES groups the customer asks for in the (normalised) text, each with its
    matched words (a wish declined in its clause, 不想退, does not count), plus ``new_faulty`` (a
    fault of a new unit: exchange) and ``used_faulty`` (a fault after a while of use: repair)."""
    clauses = [c for c in _CLAUSE_SPLIT.split(text) if c]
    hits: dict[str, tuple[str, ...]] = {}
    for group, words in REQUEST_RULES.items():
        found: list[str] = []
        for clause in clauses:
            for word in words:
                at = clause.find(word)
                # Declined before the wish or at its start (不想退货: 想退 is inside 不想退).
                if at >= 0 and not any(d in clause[: at + len(word)] for d in DECLINE_WORDS):
                    found.append(word)
        if found:
            hits[group] = tuple(dict.fromkeys(found))
    faults = tuple(w for w in FAULT_WORDS if w in text)
    new = tuple(w for w in RULES["new_unit"] if w in text)
    used = tuple(w for w in RULES["used_while"] if w in text)
    if faults and used:
        hits["used_faulty"] = faults[:1] + used[:1]
    elif faults and new:
        hits["new_faulty"] = faults[:1] + new[:1]
    return hits


def declined_wishes(text: str) -> tuple[str, ...]:
    """The wish words of the (normalised) text declined in their clause (不想退, 懒得换, 算了换):
    the customer gives up what they could ask for."""
    found: list[str] = []
    for clause in (c for c in _CLAUSE_SPLIT.split(text) if c):
        for group in (*REMEDY_WISHES, "ask_refund"):
            for word in REQUEST_RULES[group]:
                at = clause.find(word)
                if at >= 0 and any(d in clause[: at + len(word)] for d in DECLINE_WORDS):
                    found.append(word)
    return tuple(dict.fromkeys(found))


def urgency_rule_hits(
    text: str, wishes: dict[str, tuple[str, ...]], rules: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The URGENCY_RULES groups of the (normalised) text with their matched words, plus the rule's
    combinations: ``remedy_wish`` (asks for a return, an exchange, a repair…), ``declined`` (a wish
    given up), ``open_fault`` (a fault not resolved, not given up: "a fault that needs action") and
    ``nothing_to_act_on`` (no fault, nothing pending, no wish, no repeated failure, no escalation:
    an opinion or venting)."""
    hits = lexicon_hits(text, URGENCY_RULES)
    remedy = tuple(w for g in REMEDY_WISHES for w in wishes.get(g, ()))
    if remedy:
        hits["remedy_wish"] = remedy
    declined = declined_wishes(text)
    if declined:
        hits["declined"] = declined
    if "defect" in hits and not ("resigned" in hits or declined or "resolved" in rules):
        hits["open_fault"] = hits["defect"]
    if not any(g in hits for g in ("defect", "unresolved", "remedy_wish", "repeated", "escalation")):
        hits["nothing_to_act_on"] = ("-",)
    return hits


def analyse(text: str, *, product_category: str | None = None) -> Analysed:
    body = normalise(text)
    counts: dict[int, float] = {}
    features = ngram_features(body)
    lex = lexicon_hits(body)
    for group, words in lex.items():
        features.extend(["lex:" + group] * len(words))
    if product_category:
        features.append("pc:" + normalise(product_category))
    for feature in features:
        b = _bucket(feature)
        counts[b] = counts.get(b, 0.0) + 1.0
    # Sublinear term frequency, then L2 normalisation.
    for b, c in counts.items():
        counts[b] = 1.0 + math.log(c)
    norm = math.sqrt(sum(v * v for v in counts.values())) or 1.0
    rules = lexicon_hits(body, RULES)
    wishes = request_rule_hits(body)
    return Analysed(
        text=body,
        hashed={b: v / norm for b, v in counts.items()},
        lexicon=lex,
        rules=rules,
        wishes=wishes,
        urgency=urgency_rule_hits(body, wishes, rules),
    )


LEXICON_GROUPS: tuple[str, ...] = tuple(LEXICON)
RULE_GROUPS: tuple[str, ...] = tuple(RULES)
REQUEST_RULE_GROUPS: tuple[str, ...] = (*REQUEST_RULES, "new_faulty", "used_faulty", "no_wish")
URGENCY_RULE_GROUPS: tuple[str, ...] = (*URGENCY_RULES, "remedy_wish", "declined", "open_fault", "nothing_to_act_on")


def lexicon_vector(lex: dict[str, tuple[str, ...]]) -> np.ndarray:
    """One dense value per lexicon group: log(1 + number of matched words)."""
    return np.array([math.log1p(len(lex.get(g, ()))) for g in LEXICON_GROUPS], dtype=np.float32)


def rule_vector(rules: dict[str, tuple[str, ...]]) -> np.ndarray:
    """One dense value per labelling-rule group: log(1 + number of matched words)."""
    return np.array([math.log1p(len(rules.get(g, ()))) for g in RULE_GROUPS], dtype=np.float32)


def request_rule_vector(wishes: dict[str, tuple[str, ...]]) -> np.ndarray:
    """One dense value per request-rule group: log(1 + matched words); ``no_wish`` is 1 when the
    customer asks for nothing (the rule's "complaint")."""
    asked = any(g in wishes for g in REQUEST_RULES)
    return np.array(
        [float(not asked) if g == "no_wish" else math.log1p(len(wishes.get(g, ()))) for g in REQUEST_RULE_GROUPS],
        dtype=np.float32,
    )


def urgency_rule_vector(hits: dict[str, tuple[str, ...]]) -> np.ndarray:
    """One dense value per urgency-rule group: log(1 + matched words); the combinations
    (``open_fault``, ``nothing_to_act_on``) are 0 or 1."""
    flags = ("open_fault", "nothing_to_act_on")
    return np.array(
        [float(g in hits) if g in flags else math.log1p(len(hits.get(g, ()))) for g in URGENCY_RULE_GROUPS],
        dtype=np.float32,
    )


def hashed_matrix(items: Iterable[Analysed]):  # type: ignore[no-untyped-def]
    """A CSR matrix (rows × HASH_BUCKETS) of the analysed texts (training; needs SciPy)."""
    from scipy.sparse import csr_matrix

    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for item in items:
        for b in sorted(item.hashed):
            indices.append(b)
            data.append(item.hashed[b])
        indptr.append(len(indices))
    return csr_matrix((np.array(data, dtype=np.float32), indices, indptr), shape=(len(indptr) - 1, HASH_BUCKETS))
