"""The Chinese vocabularies the demo data is made of: geography, names, products and problems.

Everything here is plain data; ``generate.py`` draws from it with a seeded random generator.
Place names are real (province → prefecture-level city → district); people and companies are
invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.catalog.models import SalesChannel, WarrantyBasis
from aftersales.tickets.choices import Cause, Nature, Priority, RequestType, Responsibility, Severity

# --- Geography ---------------------------------------------------------------------------------

# (code, name, English name, provinces); the order is the order of the regions' teams.
REGIONS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("east", "华东", "East China", ("上海市", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省")),
    ("south", "华南", "South China", ("广东省", "广西壮族自治区", "海南省")),
    ("north", "华北", "North China", ("北京市", "天津市", "河北省", "山西省", "内蒙古自治区")),
    ("central", "华中", "Central China", ("河南省", "湖北省", "湖南省")),
    ("southwest", "西南", "Southwest China", ("重庆市", "四川省", "贵州省", "云南省", "西藏自治区")),
    ("northwest", "西北", "Northwest China", ("陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区")),
    ("northeast", "东北", "Northeast China", ("辽宁省", "吉林省", "黑龙江省")),
)

# Province → (population in millions, used as the weight of customers there; cities → districts).
PROVINCES: dict[str, tuple[int, dict[str, tuple[str, ...]]]] = {
    "上海市": (25, {"上海市": ("浦东新区", "徐汇区", "闵行区", "静安区", "宝山区", "杨浦区")}),
    "江苏省": (
        85,
        {
            "南京市": ("玄武区", "鼓楼区", "江宁区", "建邺区"),
            "苏州市": ("姑苏区", "吴中区", "相城区", "吴江区"),
            "无锡市": ("梁溪区", "滨湖区", "新吴区"),
        },
    ),
    "浙江省": (
        65,
        {
            "杭州市": ("西湖区", "上城区", "拱墅区", "滨江区", "余杭区"),
            "宁波市": ("海曙区", "鄞州区", "江北区"),
            "温州市": ("鹿城区", "瓯海区"),
        },
    ),
    "安徽省": (61, {"合肥市": ("蜀山区", "包河区", "庐阳区", "瑶海区"), "芜湖市": ("镜湖区", "鸠江区")}),
    "福建省": (42, {"福州市": ("鼓楼区", "台江区", "仓山区"), "厦门市": ("思明区", "湖里区", "集美区")}),
    "江西省": (45, {"南昌市": ("东湖区", "西湖区", "红谷滩区"), "赣州市": ("章贡区", "南康区")}),
    "山东省": (
        101,
        {
            "济南市": ("历下区", "市中区", "槐荫区"),
            "青岛市": ("市南区", "市北区", "黄岛区", "崂山区"),
            "烟台市": ("芝罘区", "莱山区"),
        },
    ),
    "广东省": (
        126,
        {
            "广州市": ("天河区", "越秀区", "海珠区", "白云区", "番禺区"),
            "深圳市": ("福田区", "南山区", "罗湖区", "宝安区", "龙岗区"),
            "佛山市": ("禅城区", "南海区", "顺德区"),
            "珠海市": ("香洲区", "金湾区"),
        },
    ),
    "广西壮族自治区": (50, {"南宁市": ("青秀区", "兴宁区", "西乡塘区"), "桂林市": ("秀峰区", "象山区", "七星区")}),
    "海南省": (10, {"海口市": ("龙华区", "美兰区", "秀英区"), "三亚市": ("吉阳区", "天涯区")}),
    "北京市": (22, {"北京市": ("朝阳区", "海淀区", "东城区", "西城区", "丰台区", "昌平区")}),
    "天津市": (14, {"天津市": ("和平区", "南开区", "河西区", "滨海新区")}),
    "河北省": (74, {"石家庄市": ("长安区", "桥西区", "裕华区"), "保定市": ("竞秀区", "莲池区"), "唐山市": ("路北区", "路南区")}),
    "山西省": (35, {"太原市": ("小店区", "迎泽区", "杏花岭区"), "大同市": ("平城区", "云冈区")}),
    "内蒙古自治区": (24, {"呼和浩特市": ("新城区", "回民区", "赛罕区"), "包头市": ("昆都仑区", "青山区")}),
    "河南省": (99, {"郑州市": ("金水区", "二七区", "中原区", "管城回族区"), "洛阳市": ("西工区", "洛龙区")}),
    "湖北省": (58, {"武汉市": ("江汉区", "武昌区", "洪山区", "汉阳区", "江岸区"), "宜昌市": ("西陵区", "伍家岗区")}),
    "湖南省": (66, {"长沙市": ("岳麓区", "芙蓉区", "天心区", "开福区", "雨花区"), "株洲市": ("天元区", "芦淞区")}),
    "重庆市": (32, {"重庆市": ("渝中区", "江北区", "南岸区", "沙坪坝区", "九龙坡区", "渝北区")}),
    "四川省": (84, {"成都市": ("锦江区", "青羊区", "武侯区", "成华区", "金牛区"), "绵阳市": ("涪城区", "游仙区")}),
    "贵州省": (39, {"贵阳市": ("南明区", "云岩区", "观山湖区"), "遵义市": ("红花岗区", "汇川区")}),
    "云南省": (47, {"昆明市": ("五华区", "盘龙区", "官渡区", "西山区"), "曲靖市": ("麒麟区", "沾益区")}),
    "西藏自治区": (4, {"拉萨市": ("城关区", "堆龙德庆区")}),
    "陕西省": (40, {"西安市": ("雁塔区", "碑林区", "未央区", "莲湖区", "长安区"), "宝鸡市": ("渭滨区", "金台区")}),
    "甘肃省": (25, {"兰州市": ("城关区", "七里河区", "安宁区"), "天水市": ("秦州区", "麦积区")}),
    "青海省": (6, {"西宁市": ("城东区", "城中区", "城西区", "城北区")}),
    "宁夏回族自治区": (7, {"银川市": ("兴庆区", "金凤区", "西夏区")}),
    "新疆维吾尔自治区": (26, {"乌鲁木齐市": ("天山区", "沙依巴克区", "新市区"), "克拉玛依市": ("克拉玛依区", "白碱滩区")}),
    "辽宁省": (42, {"沈阳市": ("和平区", "沈河区", "皇姑区", "浑南区"), "大连市": ("中山区", "西岗区", "沙河口区", "甘井子区")}),
    "吉林省": (24, {"长春市": ("朝阳区", "南关区", "绿园区"), "吉林市": ("船营区", "昌邑区")}),
    "黑龙江省": (31, {"哈尔滨市": ("道里区", "南岗区", "香坊区", "松北区"), "大庆市": ("萨尔图区", "让胡路区")}),
}

STREETS = (
    "人民路",
    "中山路",
    "解放路",
    "建设路",
    "新华路",
    "长江路",
    "和平路",
    "文化路",
    "光明路",
    "胜利路",
    "朝阳路",
    "幸福路",
    "青年路",
    "振兴路",
    "滨江路",
    "学府路",
    "科技路",
    "金融街",
    "东风路",
    "迎宾大道",
)
COMMUNITIES = (
    "阳光花园",
    "锦绣家园",
    "翠苑小区",
    "华府名邸",
    "金色家园",
    "滨江花园",
    "世纪新城",
    "御景湾",
    "绿城桂花园",
    "幸福里",
    "书香苑",
    "明珠公寓",
    "龙湖春江郦城",
    "保利香槟国际",
    "融创壹号院",
    "万科金域蓝湾",
)

# --- People and companies ----------------------------------------------------------------------

# The most common surnames, roughly by frequency (the weights follow the order).
SURNAMES = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
    "罗",
    "高",
    "郑",
    "梁",
    "谢",
    "宋",
    "唐",
    "许",
    "韩",
    "冯",
    "邓",
    "曹",
    "彭",
    "曾",
    "肖",
    "田",
    "董",
    "潘",
    "袁",
    "蔡",
    "蒋",
    "余",
    "于",
    "杜",
    "叶",
    "程",
    "魏",
    "苏",
    "吕",
    "丁",
    "任",
    "沈",
    "欧阳",
    "司马",
)
GIVEN_NAME_CHARS = (
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀",
    "霞",
    "平",
    "刚",
    "桂",
    "英",
    "华",
    "玉",
    "萍",
    "红",
    "建",
    "文",
    "辉",
    "鹏",
    "宇",
    "浩",
    "婷",
    "雪",
    "琳",
    "欣",
    "怡",
    "子",
    "涵",
    "梓",
    "轩",
    "晨",
    "思",
    "佳",
    "俊",
    "博",
    "志",
    "国",
    "海",
    "春",
    "燕",
    "亮",
    "斌",
)
COMPANY_WORDS = ("恒信", "华联", "鑫源", "瑞丰", "佳和", "宏达", "金帆", "博远", "天泽", "盛世", "永安", "嘉禾", "新泰", "百川")
COMPANY_KINDS = (
    ("酒店管理有限公司", "工程部经理"),
    ("物业服务有限公司", "物业主管"),
    ("餐饮管理有限公司", "行政主管"),
    ("连锁超市有限公司", "设备主管"),
    ("教育科技有限公司", "后勤主管"),
    ("房地产开发有限公司", "客服经理"),
    ("养老服务中心", "后勤负责人"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Mainland mobile prefixes of the three carriers; any eight digits after them form a valid number.
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "158",
    "159",
    "177",
    "180",
    "186",
    "189",
)

# --- Products ------------------------------------------------------------------------------------

# (code, name, English name, serial prefix, factories that make it)
CATEGORIES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("air-conditioner", "空调", "Air conditioner", "KT", ("佛山工厂", "合肥工厂", "重庆工厂")),
    ("refrigerator", "冰箱", "Refrigerator", "BX", ("合肥工厂", "青岛工厂")),
    ("washing-machine", "洗衣机", "Washing machine", "XY", ("青岛工厂", "无锡工厂")),
    ("water-heater", "热水器", "Water heater", "RS", ("佛山工厂", "武汉工厂")),
    ("range-hood", "油烟机", "Range hood", "YJ", ("宁波工厂", "佛山工厂")),
    ("gas-hob", "燃气灶", "Gas hob", "RZ", ("宁波工厂",)),
    ("water-purifier", "净水器", "Water purifier", "JS", ("芜湖工厂",)),
    ("dishwasher", "洗碗机", "Dishwasher", "XW", ("佛山工厂",)),
)
FACTORY_CODES = {
    "佛山工厂": "FS",
    "合肥工厂": "HF",
    "重庆工厂": "CQ",
    "青岛工厂": "QD",
    "无锡工厂": "WX",
    "武汉工厂": "WH",
    "宁波工厂": "NB",
    "芜湖工厂": "WU",
}

# (name, months, counted from, covers parts, covers labour)
WARRANTY_POLICIES: tuple[tuple[str, int, str, bool, bool], ...] = (
    ("整机一年", 12, WarrantyBasis.PURCHASE, True, True),
    ("整机三年", 36, WarrantyBasis.PURCHASE, True, True),
    ("空调整机六年", 72, WarrantyBasis.PURCHASE, True, True),
    ("压缩机十年（仅部件）", 120, WarrantyBasis.PURCHASE, True, False),
    ("热水器内胆八年（仅部件）", 96, WarrantyBasis.PURCHASE, True, False),
    ("工程机整机两年（按生产日期）", 24, WarrantyBasis.PRODUCTION, True, True),
)

# (category code, model number, name, warranty policy, launched (year, month))
PRODUCT_MODELS: tuple[tuple[str, str, str, str, tuple[int, int]], ...] = (
    ("air-conditioner", "KFR-35GW/BP3DN8Y", "1.5匹变频挂壁式空调", "空调整机六年", (2023, 3)),
    ("air-conditioner", "KFR-26GW/BP3DN1Y", "大1匹变频挂壁式空调", "空调整机六年", (2024, 2)),
    ("air-conditioner", "KFR-72LW/BP2DN1Y", "3匹变频立柜式空调", "空调整机六年", (2022, 9)),
    ("air-conditioner", "RFC-160MXSC", "6匹商用中央空调外机", "工程机整机两年（按生产日期）", (2022, 5)),
    ("refrigerator", "BCD-520WKPZM", "520升对开门风冷冰箱", "整机三年", (2023, 6)),
    ("refrigerator", "BCD-406WPCX", "406升十字四门冰箱", "整机三年", (2024, 4)),
    ("washing-machine", "XQG100-B14596", "10公斤滚筒洗衣机", "整机三年", (2023, 8)),
    ("washing-machine", "MB100V33B", "10公斤波轮洗衣机", "整机一年", (2022, 11)),
    ("water-heater", "F6030-JA5", "60升储水式电热水器", "整机三年", (2023, 1)),
    ("water-heater", "JSQ30-16WH5", "16升燃气热水器", "整机三年", (2024, 3)),
    ("range-hood", "CXW-260-E900C5", "侧吸式油烟机", "整机一年", (2023, 4)),
    ("gas-hob", "JZT-Q330B", "嵌入式双眼燃气灶", "整机一年", (2023, 4)),
    ("water-purifier", "MRO1892-600G", "600G反渗透净水器", "整机一年", (2024, 1)),
    ("dishwasher", "WQP12-W5201H", "13套嵌入式洗碗机", "整机一年", (2024, 6)),
)

# Where units are bought; ``{city}`` is the customer's city without 市.
STORES: dict[str, tuple[str, ...]] = {
    SalesChannel.ONLINE: ("京东自营旗舰店", "天猫官方旗舰店", "品牌官方商城", "拼多多官方旗舰店", "抖音官方旗舰店"),
    SalesChannel.STORE: ("苏宁易购（{city}中心店）", "国美电器（{city}旗舰店）", "品牌体验店（{city}万达广场）"),
    SalesChannel.DEALER: ("{city}宏图家电经销部", "{city}惠民家电城", "{city}金桥电器行"),
    SalesChannel.PROJECT: ("{city}滨江壹号精装交付项目", "{city}人才公寓精装项目"),
}
SALES_CHANNEL_WEIGHTS = {SalesChannel.ONLINE: 50, SalesChannel.STORE: 30, SalesChannel.DEALER: 15, SalesChannel.PROJECT: 5}

# Spare parts per product category, for plans and repairs.
PARTS: dict[str, tuple[str, ...]] = {
    "air-conditioner": ("室外机电容", "电脑板", "温度传感器", "排水管", "压缩机"),
    "refrigerator": ("门封条", "化霜加热器", "温控器", "压缩机"),
    "washing-machine": ("排水泵", "门锁", "减震器", "电脑板"),
    "water-heater": ("镁棒", "加热管", "温控器", "比例阀"),
    "range-hood": ("电机", "止回阀", "油杯"),
    "gas-hob": ("点火针", "熄火保护器", "面板玻璃"),
    "water-purifier": ("RO膜滤芯", "增压泵", "进水电磁阀"),
    "dishwasher": ("进水阀", "喷淋臂", "排水泵"),
}


# --- Problems customers report -----------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """One kind of problem: how customers describe it and how it usually ends."""

    key: str
    title: str  # ``{product}`` becomes the product category's name
    symptoms: tuple[str, ...]
    remedies: tuple[str, ...]
    ticket_category: str
    request_type: str
    categories: tuple[str, ...] = ()  # product categories it applies to; () means any
    nature: str = Nature.FUNCTION
    severity: str = Severity.GENERAL
    priority: int = Priority.NORMAL
    safety: bool = False
    cause: str = Cause.MANUFACTURING
    responsibility: str = Responsibility.INTERNAL
    weight: int = 10


AC = ("air-conditioner",)
WET = ("air-conditioner", "washing-machine", "water-heater", "water-purifier", "dishwasher")
RT = RequestType

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "ac-leak",
        "空调室内机漏水",
        ("室内机出风口下面一直往下滴水，地板都湿了", "开制冷半小时后室内机开始漏水，墙面已经发黄"),
        ("排水管坡度不够导致冷凝水倒流，已重新调整排水管并做好保温，试机两小时无漏水。",),
        "product_quality",
        RT.REPAIR,
        AC,
        cause=Cause.SERVICE,
        weight=16,
    ),
    Scenario(
        "ac-not-cooling",
        "空调不制冷",
        ("开了两个小时屋里还是三十度，出风是常温的", "外机不转，内机只吹自然风"),
        ("检测系统缺冷媒，焊接漏点后加注R32冷媒，制冷恢复正常。", "室外机电容损坏，更换电容后外机运转正常。"),
        "product_quality",
        RT.REPAIR,
        AC,
        priority=Priority.IMPORTANT,
        cause=Cause.MATERIALS,
        weight=18,
    ),
    Scenario(
        "ac-noise",
        "空调外机噪音大",
        ("外机运行时嗡嗡响，晚上吵得邻居都来投诉", "内机一开机就有咔咔的异响"),
        ("外机固定螺丝松动，紧固后加装减震垫，噪音明显降低。",),
        "product_quality",
        RT.REPAIR,
        AC,
        nature=Nature.QUALITY,
        severity=Severity.MINOR,
        weight=10,
    ),
    Scenario(
        "ac-e4",
        "空调显示故障代码E4",
        ("开机十几分钟后显示屏出现E4然后停机", "遥控开机后报E4，断电重启也没用"),
        ("排查为室外温度传感器故障，更换传感器后试机正常。",),
        "product_quality",
        RT.REPAIR,
        AC,
        weight=12,
    ),
    Scenario(
        "ac-smoke",
        "空调插头冒烟",
        ("开机时插座处冒烟，有焦糊味，已经拉闸断电", "空调插头发烫发黑，刚才冒了一股烟"),
        ("插座容量不足导致插头过热，已更换16A专用插座并检测线路，提醒客户不要使用排插。",),
        "product_quality",
        RT.REPAIR,
        AC,
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.ENVIRONMENT,
        weight=3,
    ),
    Scenario(
        "ac-install-late",
        "安装师傅迟到",
        ("约好上午九点安装，等到下午两点还没人来，打电话也不接", "预约了三次安装都被改期，请了假在家白等"),
        ("已向客户致歉，当天下午改派师傅完成安装，并赠送一次空调清洗服务。",),
        "response_speed",
        RT.COMPLAINT,
        AC,
        nature="",
        cause=Cause.SERVICE,
        responsibility=Responsibility.THIRD_PARTY,
        weight=8,
    ),
    Scenario(
        "ac-relocation",
        "空调移机安装",
        ("搬家了，需要把两台挂机移到新房子", "想把客厅柜机移到卧室，需要师傅上门"),
        ("已完成移机并补充冷媒，试机正常，按标准收取移机费。",),
        "installation",
        RT.INSTALLATION,
        AC,
        nature="",
        severity=Severity.MINOR,
        cause=Cause.UNKNOWN,
        responsibility=Responsibility.CUSTOMER,
        weight=6,
    ),
    Scenario(
        "fr-not-cooling",
        "冰箱冷藏室不制冷",
        ("冷藏室温度降不下来，里面的菜都坏了", "冷冻正常，冷藏室一点都不凉"),
        ("风门电机卡滞，更换后冷藏室温度恢复到4℃。",),
        "product_quality",
        RT.REPAIR,
        ("refrigerator",),
        priority=Priority.IMPORTANT,
        cause=Cause.MATERIALS,
        weight=12,
    ),
    Scenario(
        "fr-frost",
        "冰箱冷冻室结霜严重",
        ("冷冻室后壁结了厚厚一层霜，抽屉都拉不出来",),
        ("化霜加热器损坏，更换后化霜正常。",),
        "product_quality",
        RT.REPAIR,
        ("refrigerator",),
        weight=8,
    ),
    Scenario(
        "fr-door-seal",
        "冰箱门封条脱落",
        ("冰箱门封条脱落，门关不严，一直报警",),
        ("更换门封条，门体密封良好。",),
        "product_quality",
        RT.REPAIR,
        ("refrigerator",),
        nature=Nature.APPEARANCE,
        severity=Severity.MINOR,
        weight=6,
    ),
    Scenario(
        "wm-vibration",
        "洗衣机脱水时剧烈震动",
        ("一脱水整台机器就跳起来，声音很大", "脱水时机器移位，撞到了墙"),
        ("运输螺栓未拆除，已拆除并调平底脚，脱水平稳。",),
        "installation",
        RT.REPAIR,
        ("washing-machine",),
        cause=Cause.SERVICE,
        weight=10,
    ),
    Scenario(
        "wm-no-drain",
        "洗衣机不排水",
        ("洗完衣服水排不出去，显示E21",),
        ("排水泵被硬币卡住，清理后排水正常。",),
        "product_quality",
        RT.REPAIR,
        ("washing-machine",),
        cause=Cause.MISUSE,
        responsibility=Responsibility.CUSTOMER,
        weight=8,
    ),
    Scenario(
        "wm-leak-electric",
        "洗衣机漏电",
        ("手碰到洗衣机机身有麻电的感觉，孩子也被电了一下", "洗衣机一开就跳闸，机壳带电"),
        ("电源插座未接地且电源线破损，已更换电源线并协助整改插座，绝缘检测合格。",),
        "product_quality",
        RT.REPAIR,
        ("washing-machine",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.ENVIRONMENT,
        weight=3,
    ),
    Scenario(
        "wh-tank-leak",
        "热水器内胆漏水",
        ("热水器底部一直滴水，内胆好像漏了",),
        ("内胆渗漏，保修期内为客户免费更换整机。",),
        "product_quality",
        RT.EXCHANGE,
        ("water-heater",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.IMPORTANT,
        cause=Cause.MATERIALS,
        weight=8,
    ),
    Scenario(
        "wh-no-heat",
        "热水器不加热",
        ("插电后指示灯亮但是水一直不热", "洗澡洗到一半变成冷水"),
        ("加热管烧坏，更换加热管和镁棒后加热正常。",),
        "product_quality",
        RT.REPAIR,
        ("water-heater",),
        weight=10,
    ),
    Scenario(
        "wh-electric-shock",
        "电热水器漏电跳闸",
        ("洗澡时感觉水有点麻，漏电保护器跳闸了",),
        ("加热管绝缘老化，更换加热管，漏电检测合格，建议加装接地。",),
        "product_quality",
        RT.REPAIR,
        ("water-heater",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.MATERIALS,
        weight=3,
    ),
    Scenario(
        "wh-gas-smell",
        "燃气热水器有燃气味",
        ("热水器附近有明显的燃气味，已关闭总阀开窗",),
        ("燃气接口密封圈老化，更换后检漏合格。",),
        "product_quality",
        RT.REPAIR,
        ("water-heater",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.MATERIALS,
        weight=2,
    ),
    Scenario(
        "rh-weak",
        "油烟机吸力小",
        ("炒菜时油烟吸不走，满屋子都是烟",),
        ("止回阀卡死，清洗并更换止回阀后吸力恢复。",),
        "product_quality",
        RT.REPAIR,
        ("range-hood",),
        weight=8,
    ),
    Scenario(
        "rh-oil-drip",
        "油烟机滴油",
        ("油烟机边缘往灶台上滴油",),
        ("油杯安装不到位，重新安装并清洗油网。",),
        "product_quality",
        RT.REPAIR,
        ("range-hood",),
        nature=Nature.QUALITY,
        severity=Severity.MINOR,
        weight=5,
    ),
    Scenario(
        "gh-ignite",
        "燃气灶点不着火",
        ("左边灶头打不着火，只听到啪啪声",),
        ("点火针积碳，清理并更换点火针后点火正常。",),
        "product_quality",
        RT.REPAIR,
        ("gas-hob",),
        weight=8,
    ),
    Scenario(
        "gh-glass",
        "燃气灶玻璃面板爆裂",
        ("做饭时灶台玻璃面板突然炸裂，还好没伤到人",),
        ("面板玻璃自爆，为客户免费更换整机并做安全检查。",),
        "product_quality",
        RT.EXCHANGE,
        ("gas-hob",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.MATERIALS,
        weight=2,
    ),
    Scenario(
        "gh-gas-leak",
        "燃气灶漏气有异味",
        ("关了灶还是能闻到燃气味，担心有危险",),
        ("进气软管老化开裂，更换专用不锈钢波纹管，检漏合格。",),
        "product_quality",
        RT.REPAIR,
        ("gas-hob",),
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.URGENT,
        safety=True,
        cause=Cause.ENVIRONMENT,
        weight=2,
    ),
    Scenario(
        "wp-filter",
        "净水器滤芯更换咨询",
        ("净水器提示滤芯到期，想问一下怎么换、多少钱",),
        ("已告知滤芯更换周期和价格，并预约上门更换。",),
        "other",
        RT.CONSULTATION,
        ("water-purifier",),
        nature="",
        severity=Severity.MINOR,
        cause=Cause.UNKNOWN,
        responsibility=Responsibility.CUSTOMER,
        weight=6,
    ),
    Scenario(
        "wp-leak",
        "净水器漏水",
        ("厨房橱柜里净水器接头漏水，柜子都泡了",),
        ("快接头未插到位，重新安装并更换卡扣，保压测试无渗漏。",),
        "installation",
        RT.REPAIR,
        ("water-purifier",),
        cause=Cause.SERVICE,
        weight=6,
    ),
    Scenario(
        "dw-dirty",
        "洗碗机洗不干净",
        ("碗上还有油渍和残渣，洗了跟没洗一样",),
        ("喷淋臂喷孔堵塞，清洗后试机效果正常，并指导客户正确摆放餐具。",),
        "product_quality",
        RT.REPAIR,
        ("dishwasher",),
        severity=Severity.MINOR,
        cause=Cause.MISUSE,
        responsibility=Responsibility.CUSTOMER,
        weight=5,
    ),
    Scenario(
        "dw-no-water",
        "洗碗机不进水",
        ("洗碗机开机后提示E1，不进水",),
        ("进水阀损坏，更换后进水正常。",),
        "product_quality",
        RT.REPAIR,
        ("dishwasher",),
        weight=4,
    ),
    Scenario(
        "any-return",
        "要求退货",
        ("买回来第三天就出故障，不想修了，要求退货", "刚用一周就坏了，对质量没信心，要求退货退款"),
        ("符合七日内性能故障退货条件，已安排上门取件并全额退款。",),
        "product_quality",
        RT.RETURN,
        nature=Nature.QUALITY,
        priority=Priority.IMPORTANT,
        weight=7,
    ),
    Scenario(
        "any-exchange",
        "收货破损要求换货",
        ("送货上门拆箱发现机身有明显划痕和凹陷", "外包装破损，面板裂了"),
        ("物流运输造成损坏，已为客户更换新机，损失向物流公司追偿。",),
        "product_quality",
        RT.EXCHANGE,
        nature=Nature.APPEARANCE,
        cause=Cause.LOGISTICS,
        responsibility=Responsibility.THIRD_PARTY,
        weight=6,
    ),
    Scenario(
        "any-repair-delay",
        "报修一周无人处理",
        ("上周就报修了，到现在没人联系我", "师傅说要等配件，等了十天还没消息"),
        ("已向客户致歉并加急调配件，次日完成维修。",),
        "repair_delay",
        RT.COMPLAINT,
        nature="",
        priority=Priority.IMPORTANT,
        cause=Cause.SERVICE,
        weight=6,
    ),
    Scenario(
        "any-slow-callback",
        "客服回电太慢",
        ("打了三次热线都说会回电，一直没人回",),
        ("已致电客户致歉，安排专人跟进至问题解决。",),
        "response_speed",
        RT.COMPLAINT,
        nature="",
        severity=Severity.MINOR,
        cause=Cause.SERVICE,
        weight=4,
    ),
    Scenario(
        "any-attitude",
        "维修师傅服务态度差",
        ("师傅上门态度很差，还多收了上门费", "师傅干完活把垃圾留在家里，说他也不听"),
        ("核实后对服务网点通报处罚，退还多收费用并向客户致歉。",),
        "service_attitude",
        RT.COMPLAINT,
        nature="",
        cause=Cause.SERVICE,
        responsibility=Responsibility.THIRD_PARTY,
        weight=5,
    ),
    Scenario(
        "any-compensation",
        "漏水泡坏地板要求赔偿",
        ("机器漏水把实木地板泡坏了，要求赔偿维修费用",),
        ("经鉴定为安装不规范导致，与客户协商赔偿地板维修费800元，已审批发放。",),
        "product_quality",
        RT.COMPENSATION,
        WET,
        nature=Nature.QUALITY,
        severity=Severity.SERIOUS,
        priority=Priority.IMPORTANT,
        cause=Cause.SERVICE,
        weight=3,
    ),
    Scenario(
        "any-warranty",
        "保修期和发票咨询",
        ("发票找不到了，想问一下还在不在保修期", "想确认一下保修几年、要不要收费"),
        ("已告知保修政策：凭发票按购买日期计算，无发票按生产日期推算。",),
        "other",
        RT.CONSULTATION,
        nature="",
        severity=Severity.MINOR,
        cause=Cause.UNKNOWN,
        responsibility=Responsibility.CUSTOMER,
        weight=5,
    ),
    Scenario(
        "any-charge",
        "保外维修收费有异议",
        ("过保修期了，维修报价太贵，觉得不合理",),
        ("向客户说明收费标准并减免上门费，客户接受维修。",),
        "other",
        RT.COMPLAINT,
        nature="",
        severity=Severity.MINOR,
        cause=Cause.UNKNOWN,
        responsibility=Responsibility.CUSTOMER,
        weight=4,
    ),
)

# How a description opens and ends; ``{product}`` and ``{when}`` are filled in.
OPENINGS = ("{when}买的{product}，", "家里的{product}{when}买的，", "我家{product}，", "")
PURCHASE_WHEN = ("去年", "前年", "上个月", "今年年初", "三年前", "半年前", "去年双十一")
CLOSINGS: dict[str, tuple[str, ...]] = {
    RT.REPAIR: ("希望尽快安排师傅上门。", "麻烦尽快处理，谢谢。", "周末在家，请周末上门。"),
    RT.RETURN: ("请尽快安排退货。",),
    RT.EXCHANGE: ("要求换一台新的。",),
    RT.REFUND: ("要求退款。",),
    RT.COMPENSATION: ("请给个合理的说法。",),
    RT.CONSULTATION: ("请回电告知，谢谢。",),
    RT.INSTALLATION: ("请安排师傅上门。",),
    RT.COMPLAINT: ("非常不满意，请给个说法。", "希望你们重视，尽快解决。"),
}

# --- Timeline texts ------------------------------------------------------------------------------

FIRST_CALLS = (
    "已致电客户，确认故障现象与描述一致，客户方便上门时间为工作日下午。",
    "回电客户，核对了型号和序列号，告知处理流程和预计时间。",
    "已联系客户，客户情绪较急，已安抚并承诺24小时内给出方案。",
)
ASK_INFO = (
    "请您补充购买发票或订单截图，以及故障部位的照片。",
    "机身铭牌序列号无法识别，请拍摄铭牌照片发给我们。",
    "请提供故障发生时的视频，便于工程师远程判断。",
)
INFO_RECEIVED = ("客户已补充发票和照片，继续核查。", "已收到客户发来的铭牌照片，序列号核对无误。")
VERIFIED = ("购买凭证和序列号核对无误，在保修期内。", "信息核实完整，转入故障分析。")
ANALYSIS = ("远程指导客户检查电源和设置后故障依旧，需上门检测。", "根据照片和故障代码判断为部件故障。")
PLAN = "处理方案：安排工程师上门检测，必要时更换{part}，预计{days}个工作日内完成。"
PLAN_APPROVAL = ("方案涉及补偿/退换货费用，超出客服权限，提交主管审批。",)
APPROVED = ("同意该方案，按保内标准执行，尽快安抚客户。", "已审批，费用从区域售后预算列支。")
PLAN_TOLD = ("已将处理方案告知客户，等待客户确认。",)
CUSTOMER_AGREED = ("客户同意处理方案，预约明天上午上门。", "客户确认方案，要求周末上门。")
DISPATCHED = "已派工给{technician}，预约{day}上门。"
ON_HOLD = ("等待备件{part}到货，预计三个工作日。", "客户临时出差，约定下周再上门。")
RESUMED = ("备件已到，重新预约上门。", "客户已回家，恢复处理。")
REVISIT_OK = ("回访客户，对处理结果满意，评价五星，归档。", "回访确认机器使用正常，客户满意，结案。")
REOPEN = ("回访时客户反馈问题再次出现，转二次处理。", "客户对处理结果不满意，要求重新上门，升级处理。")
REJECT = (
    "经核实，机器已超出保修期且为人为损坏，不予免费维修，已告知客户收费标准。",
    "多次联系客户无法核实信息，按无效工单驳回。",
    "该产品非本公司销售，已告知客户联系购买商家。",
)
CANCEL = ("客户来电表示问题已自行解决，申请撤销。", "客户已自行联系第三方维修，撤销工单。")
MERGE = "与工单{number}为同一问题，合并处理。"
FOLLOW_UPS = (
    "客户来电催促进度，已告知预计完成时间。",
    "致电客户确认上门时间。",
    "已短信告知客户工程师姓名和电话。",
    "客户询问是否收费，已说明保内免费。",
)
INTERNAL_NOTES = (
    "同型号同批次近期有类似反馈，已同步质量部关注。",
    "客户为老客户，处理时注意服务态度。",
    "备件库存不足，已向中心仓申请调拨。",
    "工程师反馈现场安装环境不规范，已拍照留档。",
)

# The same steps for complaints, consultations and compensation, which agents handle themselves.
VERIFIED_SERVICE = ("已调取服务记录和通话录音，客户反映情况属实。", "已向服务网点核实，情况基本属实。")
ANALYSIS_SERVICE = ("已与相关部门沟通，明确责任和处理方式。", "对照服务规范逐条核对，确认服务存在不足。")
PLAN_SERVICE = "处理方案：{remedy}"
WORKING_SERVICE = "已按方案跟进，预计{day}前处理完毕。"
ON_HOLD_SERVICE = ("等待服务网点提交书面情况说明。", "等待财务审核补偿款。")
DONE_SERVICE = ("已按方案处理完毕，客户表示接受。", "处理完毕，已向客户书面致歉。")
