"""What departments decide, by domain (a keyword of the department's name): permits, offences and the
处罚类别 combinations they are punished with."""

from __future__ import annotations

from dataclasses import dataclass

from citycredit.tools.demo.vocabulary import BUSINESS, LEGAL, PERSON


@dataclass(frozen=True)
class Combo:
    """One 处罚类别 value as departments write it, and what it requires."""

    cflb: str
    content: str  # 处罚内容, with {fine}, {gain} (元) and {licence}
    fine: bool = False
    gain: bool = False
    licence: bool = False


COMBOS = {
    "warn": Combo("警告", "警告"),
    "fine": Combo("罚款", "罚款{fine}元", fine=True),
    "warn_fine": Combo("警告;罚款", "警告，罚款{fine}元", fine=True),
    "confiscate": Combo("罚款;没收违法所得、没收非法财物", "没收违法所得{gain}元，罚款{fine}元", fine=True, gain=True),
    "suspend": Combo("罚款;责令停产停业", "罚款{fine}元，责令停产停业整顿", fine=True),
    "revoke": Combo("暂扣或者吊销许可证、暂扣或者吊销执照", "吊销{licence}", licence=True),
    "downgrade": Combo(
        "罚款;暂扣许可证件、降低资质等级、吊销许可证件",
        "罚款{fine}元，降低{licence}资质等级",
        fine=True,
        licence=True,
    ),
    "warn_other": Combo("警告;其他-其他", "警告，责令限期改正"),
    "other_warn": Combo("其他-警告", "警告，责令改正违法行为"),
}
COMBO_KEYS = tuple(COMBOS)


@dataclass(frozen=True)
class Permit:
    document: str  # 行政许可决定文书名称
    certificate: str  # 许可证书名称 ("" when the decision issues none)
    category: str  # 许可类别
    content: str  # 许可内容
    months: int  # validity; 0 = 长期 (2099-12-31)
    kinds: tuple[int, ...]
    number_prefix: str = ""


@dataclass(frozen=True)
class Offence:
    wfxw: str  # 违法行为类型
    fact: str  # what the 当事人 did, for 违法事实
    breach: str  # the provision violated
    basis: str  # the provision applied (处罚依据)
    combos: tuple[str, ...]
    kinds: tuple[int, ...]
    licence: str = ""  # 证照 revoked or downgraded


@dataclass(frozen=True)
class Domain:
    keyword: str  # found in the department's name
    penalty_doc: str  # 文书号 middle part, e.g. 市监罚 in 平市监罚〔2025〕123号
    license_doc: str
    units: tuple[str, ...]  # sub-units that also decide, appended to the department's name
    permits: tuple[Permit, ...]
    offences: tuple[Offence, ...]


_FOOD_LAW = "《中华人民共和国食品安全法》"
_AIR_LAW = "《中华人民共和国大气污染防治法》"
_ROAD_RULES = "《中华人民共和国道路运输条例》"
_SAFETY_LAW = "《中华人民共和国安全生产法》"
DOMAINS = (
    Domain(
        "市场监督", "市监罚", "市监许", ("新华分局", "卫东分局", "湛河分局"),
        permits=(
            Permit("食品经营许可决定书", "食品经营许可证", "普通", "预包装食品销售（含冷藏冷冻食品），散装食品销售",
                   60, (LEGAL, BUSINESS), "JY1"),
            Permit("药品经营许可决定书", "药品经营许可证", "普通", "药品零售：中成药、化学药制剂、抗生素制剂",
                   60, (LEGAL, BUSINESS), "豫CB"),
            Permit("特种设备使用登记决定书", "特种设备使用登记证", "登记", "电梯使用登记", 0, (LEGAL,), "梯11豫D"),
        ),
        offences=(
            Offence("销售不符合食品安全标准的食品", "销售超过保质期的预包装食品", f"{_FOOD_LAW}第三十四条第（十）项",
                    f"{_FOOD_LAW}第一百二十四条第一款第（五）项", ("fine", "confiscate", "warn_fine"),
                    (LEGAL, BUSINESS)),
            Offence("价格违法行为", "销售商品未按规定明码标价", "《中华人民共和国价格法》第十三条第一款",
                    "《明码标价和禁止价格欺诈规定》第二十一条", ("warn", "fine", "warn_other"), (LEGAL, BUSINESS)),
            Offence("虚假宣传", "在经营场所对商品作引人误解的商业宣传",
                    "《中华人民共和国反不正当竞争法》第八条第一款", "《中华人民共和国反不正当竞争法》第二十条第一款",
                    ("fine", "confiscate"), (LEGAL, BUSINESS)),
            Offence("无照经营", "未依法取得营业执照从事经营活动", "《无证无照经营查处办法》第二条",
                    "《无证无照经营查处办法》第十三条", ("fine", "confiscate", "other_warn"), (PERSON,)),
            Offence("特种设备违法行为", "使用未经定期检验的电梯", "《中华人民共和国特种设备安全法》第四十条第三款",
                    "《中华人民共和国特种设备安全法》第八十四条第（一）项", ("suspend", "fine"), (LEGAL,)),
        ),
    ),
    Domain(
        "生态环境", "环罚", "环许字", ("宝丰分局", "叶县分局", "汝州分局"),
        permits=(
            Permit("排污许可决定书", "排污许可证", "普通", "排污许可证核发（重点管理）", 60, (LEGAL,), "PW"),
            Permit("建设项目环境影响报告表审批意见", "", "普通", "建设项目环境影响报告表审批", 0, (LEGAL,)),
            Permit("危险废物经营许可决定书", "危险废物经营许可证", "普通", "危险废物收集、贮存、利用（HW08）",
                   60, (LEGAL,), "豫环许可危废字"),
            Permit("辐射安全许可决定书", "辐射安全许可证", "普通", "使用医用诊断X射线装置", 60, (LEGAL, BUSINESS),
                   "豫环辐证"),
        ),
        offences=(
            Offence("超标排放大气污染物", "超过大气污染物排放标准排放大气污染物", f"{_AIR_LAW}第十八条",
                    f"{_AIR_LAW}第九十九条第（二）项", ("fine", "suspend"), (LEGAL,)),
            Offence("未批先建", "建设项目环境影响报告表未经批准擅自开工建设",
                    "《中华人民共和国环境影响评价法》第二十五条", "《中华人民共和国环境影响评价法》第三十一条第一款",
                    ("fine",), (LEGAL, BUSINESS)),
            Offence("违规贮存危险废物", "未按照国家环境保护标准贮存危险废物",
                    "《中华人民共和国固体废物污染环境防治法》第八十一条",
                    "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（六）项",
                    ("fine", "confiscate"), (LEGAL, BUSINESS)),
            Offence("露天焚烧", "在人口集中地区露天焚烧产生有毒有害烟尘的物质", f"{_AIR_LAW}第七十七条",
                    f"{_AIR_LAW}第一百一十九条第二款", ("warn_fine", "fine"), (BUSINESS, PERSON)),
        ),
    ),
    Domain(
        "交通运输", "交执罚", "交许", ("交通运输综合行政执法支队",),
        permits=(
            Permit("道路运输经营许可决定书", "道路运输经营许可证", "普通", "道路普通货物运输", 48,
                   (LEGAL, BUSINESS), "豫交运管许可平字"),
            Permit("道路运输从业资格证核发决定书", "道路运输从业资格证", "认可", "道路货物运输驾驶员", 72,
                   (PERSON,), "豫从业"),
            Permit("超限运输车辆行驶公路许可决定书", "超限运输车辆通行证", "普通", "大件运输车辆行驶公路", 1,
                   (LEGAL, BUSINESS), "豫超限"),
        ),
        offences=(
            Offence("超限运输", "驾驶的货运车辆超限运输且未办理超限运输许可", "《公路安全保护条例》第三十五条",
                    "《公路安全保护条例》第六十四条", ("fine",), (LEGAL, BUSINESS, PERSON)),
            Offence("未取得道路运输经营许可从事经营", "未取得道路运输经营许可擅自从事道路普通货物运输经营",
                    f"{_ROAD_RULES}第二十四条", f"{_ROAD_RULES}第六十三条", ("confiscate", "fine"),
                    (LEGAL, BUSINESS, PERSON)),
            Offence("从业人员违规", "驾驶营运车辆时未按规定携带道路运输从业资格证",
                    "《道路运输从业人员管理规定》第三十七条", "《道路运输从业人员管理规定》第四十八条",
                    ("warn", "warn_fine"), (PERSON,)),
            Offence("营运车辆未按规定审验", "营运车辆未按规定进行道路运输证年度审验",
                    "《道路货物运输及站场管理规定》第四十六条", f"{_ROAD_RULES}第七十条", ("revoke", "fine"),
                    (LEGAL, BUSINESS), licence="道路运输证"),
        ),
    ),
    Domain(
        "住房", "建罚字", "建许", ("城市建设综合执法支队",),
        permits=(
            Permit("建筑工程施工许可决定书", "建筑工程施工许可证", "普通", "新建住宅楼及地下车库工程施工", 0,
                   (LEGAL,), "4104"),
            Permit("商品房预售许可决定书", "商品房预售许可证", "普通", "商品住房预售", 0, (LEGAL,), "平房预售证第"),
            Permit("建筑业企业资质核准决定书", "建筑业企业资质证书", "核准", "建筑工程施工总承包三级", 60, (LEGAL,),
                   "D341"),
        ),
        offences=(
            Offence("未取得施工许可证擅自施工", "未取得建筑工程施工许可证擅自开工建设",
                    "《中华人民共和国建筑法》第七条", "《建筑工程施工许可管理办法》第十二条", ("fine",), (LEGAL,)),
            Offence("违反工程质量管理规定", "未按照工程设计图纸和施工技术标准施工",
                    "《建设工程质量管理条例》第二十八条", "《建设工程质量管理条例》第六十四条",
                    ("fine", "downgrade"), (LEGAL,), licence="建筑业企业资质证书"),
            Offence("违规预售商品房", "未取得商品房预售许可证预售商品房", "《城市房地产开发经营管理条例》第二十二条",
                    "《城市商品房预售管理办法》第十五条", ("confiscate",), (LEGAL,)),
            Offence("违规装饰装修", "擅自变动房屋建筑主体和承重结构", "《住宅室内装饰装修管理办法》第五条",
                    "《住宅室内装饰装修管理办法》第三十八条", ("fine", "warn_fine"), (BUSINESS, PERSON)),
        ),
    ),
    Domain(
        "应急管理", "应急罚", "应急许", ("安全生产执法监察支队",),
        permits=(
            Permit("危险化学品经营许可决定书", "危险化学品经营许可证", "普通", "危险化学品经营（不带储存设施）", 36,
                   (LEGAL,), "豫平危化经字"),
            Permit("烟花爆竹经营（零售）许可决定书", "烟花爆竹经营（零售）许可证", "特许", "烟花爆竹零售", 12,
                   (LEGAL, BUSINESS), "（豫）YH零售"),
        ),
        offences=(
            Offence("未按规定开展安全生产教育和培训", "未按照规定对从业人员进行安全生产教育和培训",
                    f"{_SAFETY_LAW}第二十八条", f"{_SAFETY_LAW}第九十七条第（三）项", ("fine", "warn_fine"),
                    (LEGAL, BUSINESS)),
            Offence("危险化学品违法行为", "未取得危险化学品经营许可证从事危险化学品经营",
                    "《危险化学品安全管理条例》第三十三条", "《危险化学品安全管理条例》第七十七条第三款",
                    ("confiscate", "suspend"), (LEGAL, BUSINESS)),
            Offence("事故隐患排查治理不到位", "未建立事故隐患排查治理制度", f"{_SAFETY_LAW}第四十一条",
                    f"{_SAFETY_LAW}第一百零一条第（五）项", ("fine", "other_warn"), (LEGAL,)),
            Offence("违规储存烟花爆竹", "在居民居住场所储存烟花爆竹", "《烟花爆竹安全管理条例》第二十条",
                    "《烟花爆竹安全管理条例》第三十八条", ("confiscate", "warn_fine"), (BUSINESS, PERSON)),
        ),
    ),
    # Any other department: the empty keyword matches every name.
    Domain(
        "", "罚", "许", (),
        permits=(Permit("行政许可决定书", "", "其他", "行政许可事项办理", 0, (LEGAL, BUSINESS, PERSON)),),
        offences=(
            Offence("违反行政管理秩序", "违反行政管理规定", "相关法律法规", "相关法律法规", ("warn", "fine"),
                    (LEGAL, BUSINESS, PERSON)),
        ),
    ),
)  # fmt: skip


def domain_of(department_name: str) -> Domain:
    return next(d for d in DOMAINS if d.keyword in department_name)
