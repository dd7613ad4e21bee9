"""Synthetic department deliveries (双公示 records, credit lists, the register, 信用承诺, 异议 and 信用修复 cases),
with the faults real departments make.

``generate_feeds`` fills a landing inbox with one month of deliveries for every file feed of the registry, each
department in its own format (GBK CSV, UTF-8 with BOM, XLSX with a title row, ``XK_*``/``CF_*`` headers, local
header variants with full-width characters). ``write_large_csv`` writes millions of rows in blocks for
benchmarks. Both draw rows from one vectorised generator, so the fault mix is the same.

Every name, code and number is synthetic: company and person names are assembled from common characters,
统一社会信用代码 and 身份证号码 are computed to pass their check digits (``citycredit.core.identifiers``) and then
damaged at the documented rates below. Output is deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo

import chinese_calendar
import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from citycredit.core import datasets
from citycredit.core.config import Field, fields
from citycredit.core.identifiers import (
    ID_CHECK,
    USCC_ALPHABET,
    USCC_PLACEHOLDER,
    id_check_char,
    org_check_char,
    regno_check_char,
    uscc_check_char,
)
from citycredit.feeds.registry import Feed, Registry
from citycredit.feeds.registry import load as load_registry

# --- Fault rates (shares of the rows they can apply to) ---------------------------------------------------
LATE_RATE = 0.09  # of all rows: delivered after the 7th working day following the decision
WRONG_USCC_CHECK_RATE = 0.02  # of rows carrying a real USCC: one character mistyped, the check digit fails
PLACEHOLDER_RATE = 0.15  # of 个体工商户 rows: USCC given as the placeholder 00000000000000000X
PLACEHOLDER_WITHOUT_REGNO_RATE = 0.30  # of placeholder rows: the 工商注册号 it requires is missing too
MISSING_MANDATORY_RATE = 0.02  # of all rows: one mandatory field left empty
DUPLICATE_RATE = 0.01  # of all rows: an exact copy of the row above (pasted twice)
FULLWIDTH_RATE = 0.03  # of all rows: codes, 文书号 and amounts typed with full-width characters
UNIT_ERROR_RATE = 0.01  # of rows with a fine: 罚款金额 entered in 元 instead of 万元
INVALID_ID_CHECK_RATE = 0.03  # of 自然人 rows: 身份证号码 with a wrong check digit
MISSING_AMOUNT_RATE = 0.02  # of penalty rows whose 处罚类别 needs an amount or 证照: it is missing
LOCAL_CODE_RATE = 0.02  # of 信用承诺 rows and concluded 异议 / 信用修复 cases: a code in the clerk's own words
SWAPPED_DATES_RATE = 0.01  # of concluded 异议 / 信用修复 cases: 受理日期 and 办结日期 typed in each other's column

BLOCK_ROWS = 100_000  # rows generated and written at a time by write_large_csv
LONG_TERM = np.datetime64("2099-12-31")  # 有效期至 of a permit without end (长期)

LEGAL, BUSINESS, PERSON = 0, 1, 2
KIND_LABELS = np.array(["法人及非法人组织", "个体工商户", "自然人"], dtype=object)
SUBJECT_SHARES = {
    "license": (0.60, 0.25, 0.15),
    "penalty": (0.50, 0.30, 0.20),
    "credit_commitment": (0.70, 0.25, 0.05),
    "objection": (0.70, 0.22, 0.08),
    "credit_repair": (0.75, 0.25, 0.0),
}
DATASET_TITLES = {
    "license": "行政许可",
    "penalty": "行政处罚",
    "credit_list": "信用名单",
    "subject_registry": "市场主体登记",
    "credit_commitment": "信用承诺",
    "objection": "信用信息异议",
    "credit_repair": "信用修复",
}
PREFIXES = {
    "license": "xk",
    "penalty": "cf",
    "credit_list": "md",
    "subject_registry": "zt",
    "credit_commitment": "cn",
    "objection": "yy",
    "credit_repair": "xf",
}  # of the column names

# GB/T 2260 codes of 平顶山市 and its districts and counties (public administrative divisions).
DISTRICTS = (
    ("410400", ""), ("410402", "新华区"), ("410403", "卫东区"), ("410404", "石龙区"), ("410411", "湛河区"),
    ("410421", "宝丰县"), ("410422", "叶县"), ("410423", "鲁山县"), ("410425", "郏县"),
    ("410481", "舞钢市"), ("410482", "汝州市"),
)  # fmt: skip
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰凤云海波鹏飞宇浩然子涵欣怡梓萱俊博文雅晨阳"
BRANDS = "鑫华泰盛源恒德隆顺达嘉瑞丰宏金安兴祥润通豪远博佳诚信和益众辰"
INDUSTRIES = ("商贸", "建材", "物流", "餐饮管理", "环保科技", "建筑工程", "运输", "食品", "医药", "机械制造",
              "化工", "煤业", "房地产开发", "汽车服务", "农业科技", "电子科技")  # fmt: skip
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")
SHOPS = ("便利店", "烩面馆", "五金店", "副食店", "理发店", "汽车修理部", "饭店", "日杂店", "药店", "服装店",
         "烟酒店", "废品收购站", "农资店", "干洗店")  # fmt: skip
ROUND_FINES = (200, 500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 30000, 50000, 100000, 200000)


# --- The feed registry ------------------------------------------------------------------------------------
def _file_feeds(reg: Registry) -> list[Feed]:
    """The *file* feeds of the registry, in registry order."""
    return [f for f in reg.feeds if f.kind == "file"]


def _department_index(reg: Registry, feed: Feed) -> int:
    return [d.id for d in reg.departments].index(feed.department_id)


@dataclass(frozen=True)
class DeliveredFile:
    path: Path
    department_id: str
    feed_id: str
    dataset: str
    delivered_at: dt.datetime
    rows: int


# --- What departments decide: catalogues by department domain ---------------------------------------------
@dataclass(frozen=True)
class _Combo:
    """One 处罚类别 value as departments write it, and what it requires."""

    cflb: str
    content: str  # 处罚内容, with {fine}, {gain} (元) and {licence}
    fine: bool = False
    gain: bool = False
    licence: bool = False


COMBOS = {
    "warn": _Combo("警告", "警告"),
    "fine": _Combo("罚款", "罚款{fine}元", fine=True),
    "warn_fine": _Combo("警告;罚款", "警告，罚款{fine}元", fine=True),
    "confiscate": _Combo("罚款;没收违法所得、没收非法财物", "没收违法所得{gain}元，罚款{fine}元", fine=True, gain=True),
    "suspend": _Combo("罚款;责令停产停业", "罚款{fine}元，责令停产停业整顿", fine=True),
    "revoke": _Combo("暂扣或者吊销许可证、暂扣或者吊销执照", "吊销{licence}", licence=True),
    "downgrade": _Combo(
        "罚款;暂扣许可证件、降低资质等级、吊销许可证件",
        "罚款{fine}元，降低{licence}资质等级",
        fine=True,
        licence=True,
    ),
    "warn_other": _Combo("警告;其他-其他", "警告，责令限期改正"),
    "other_warn": _Combo("其他-警告", "警告，责令改正违法行为"),
}
COMBO_KEYS = tuple(COMBOS)


@dataclass(frozen=True)
class _Permit:
    document: str  # 行政许可决定文书名称
    certificate: str  # 许可证书名称 ("" when the decision issues none)
    category: str  # 许可类别
    content: str  # 许可内容
    months: int  # validity; 0 = 长期 (2099-12-31)
    kinds: tuple[int, ...]
    number_prefix: str = ""


@dataclass(frozen=True)
class _Offence:
    wfxw: str  # 违法行为类型
    fact: str  # what the 当事人 did, for 违法事实
    breach: str  # the provision violated
    basis: str  # the provision applied (处罚依据)
    combos: tuple[str, ...]
    kinds: tuple[int, ...]
    licence: str = ""  # 证照 revoked or downgraded


@dataclass(frozen=True)
class _Domain:
    keyword: str  # found in the department's name
    penalty_doc: str  # 文书号 middle part, e.g. 市监罚 in 平市监罚〔2025〕123号
    license_doc: str
    units: tuple[str, ...]  # sub-units that also decide, appended to the department's name
    permits: tuple[_Permit, ...]
    offences: tuple[_Offence, ...]


_FOOD_LAW = "《中华人民共和国食品安全法》"
_AIR_LAW = "《中华人民共和国大气污染防治法》"
_ROAD_RULES = "《中华人民共和国道路运输条例》"
_SAFETY_LAW = "《中华人民共和国安全生产法》"
DOMAINS = (
    _Domain(
        "市场监督", "市监罚", "市监许", ("新华分局", "卫东分局", "湛河分局"),
        permits=(
            _Permit("食品经营许可决定书", "食品经营许可证", "普通", "预包装食品销售（含冷藏冷冻食品），散装食品销售",
                    60, (LEGAL, BUSINESS), "JY1"),
            _Permit("药品经营许可决定书", "药品经营许可证", "普通", "药品零售：中成药、化学药制剂、抗生素制剂",
                    60, (LEGAL, BUSINESS), "豫CB"),
            _Permit("特种设备使用登记决定书", "特种设备使用登记证", "登记", "电梯使用登记", 0, (LEGAL,), "梯11豫D"),
        ),
        offences=(
            _Offence("销售不符合食品安全标准的食品", "销售超过保质期的预包装食品", f"{_FOOD_LAW}第三十四条第（十）项",
                     f"{_FOOD_LAW}第一百二十四条第一款第（五）项", ("fine", "confiscate", "warn_fine"),
                     (LEGAL, BUSINESS)),
            _Offence("价格违法行为", "销售商品未按规定明码标价", "《中华人民共和国价格法》第十三条第一款",
                     "《明码标价和禁止价格欺诈规定》第二十一条", ("warn", "fine", "warn_other"), (LEGAL, BUSINESS)),
            _Offence("虚假宣传", "在经营场所对商品作引人误解的商业宣传",
                     "《中华人民共和国反不正当竞争法》第八条第一款", "《中华人民共和国反不正当竞争法》第二十条第一款",
                     ("fine", "confiscate"), (LEGAL, BUSINESS)),
            _Offence("无照经营", "未依法取得营业执照从事经营活动", "《无证无照经营查处办法》第二条",
                     "《无证无照经营查处办法》第十三条", ("fine", "confiscate", "other_warn"), (PERSON,)),
            _Offence("特种设备违法行为", "使用未经定期检验的电梯", "《中华人民共和国特种设备安全法》第四十条第三款",
                     "《中华人民共和国特种设备安全法》第八十四条第（一）项", ("suspend", "fine"), (LEGAL,)),
        ),
    ),
    _Domain(
        "生态环境", "环罚", "环许字", ("宝丰分局", "叶县分局", "汝州分局"),
        permits=(
            _Permit("排污许可决定书", "排污许可证", "普通", "排污许可证核发（重点管理）", 60, (LEGAL,), "PW"),
            _Permit("建设项目环境影响报告表审批意见", "", "普通", "建设项目环境影响报告表审批", 0, (LEGAL,)),
            _Permit("危险废物经营许可决定书", "危险废物经营许可证", "普通", "危险废物收集、贮存、利用（HW08）",
                    60, (LEGAL,), "豫环许可危废字"),
            _Permit("辐射安全许可决定书", "辐射安全许可证", "普通", "使用医用诊断X射线装置", 60, (LEGAL, BUSINESS),
                    "豫环辐证"),
        ),
        offences=(
            _Offence("超标排放大气污染物", "超过大气污染物排放标准排放大气污染物", f"{_AIR_LAW}第十八条",
                     f"{_AIR_LAW}第九十九条第（二）项", ("fine", "suspend"), (LEGAL,)),
            _Offence("未批先建", "建设项目环境影响报告表未经批准擅自开工建设",
                     "《中华人民共和国环境影响评价法》第二十五条", "《中华人民共和国环境影响评价法》第三十一条第一款",
                     ("fine",), (LEGAL, BUSINESS)),
            _Offence("违规贮存危险废物", "未按照国家环境保护标准贮存危险废物",
                     "《中华人民共和国固体废物污染环境防治法》第八十一条",
                     "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（六）项",
                     ("fine", "confiscate"), (LEGAL, BUSINESS)),
            _Offence("露天焚烧", "在人口集中地区露天焚烧产生有毒有害烟尘的物质", f"{_AIR_LAW}第七十七条",
                     f"{_AIR_LAW}第一百一十九条第二款", ("warn_fine", "fine"), (BUSINESS, PERSON)),
        ),
    ),
    _Domain(
        "交通运输", "交执罚", "交许", ("交通运输综合行政执法支队",),
        permits=(
            _Permit("道路运输经营许可决定书", "道路运输经营许可证", "普通", "道路普通货物运输", 48,
                    (LEGAL, BUSINESS), "豫交运管许可平字"),
            _Permit("道路运输从业资格证核发决定书", "道路运输从业资格证", "认可", "道路货物运输驾驶员", 72,
                    (PERSON,), "豫从业"),
            _Permit("超限运输车辆行驶公路许可决定书", "超限运输车辆通行证", "普通", "大件运输车辆行驶公路", 1,
                    (LEGAL, BUSINESS), "豫超限"),
        ),
        offences=(
            _Offence("超限运输", "驾驶的货运车辆超限运输且未办理超限运输许可", "《公路安全保护条例》第三十五条",
                     "《公路安全保护条例》第六十四条", ("fine",), (LEGAL, BUSINESS, PERSON)),
            _Offence("未取得道路运输经营许可从事经营", "未取得道路运输经营许可擅自从事道路普通货物运输经营",
                     f"{_ROAD_RULES}第二十四条", f"{_ROAD_RULES}第六十三条", ("confiscate", "fine"),
                     (LEGAL, BUSINESS, PERSON)),
            _Offence("从业人员违规", "驾驶营运车辆时未按规定携带道路运输从业资格证",
                     "《道路运输从业人员管理规定》第三十七条", "《道路运输从业人员管理规定》第四十八条",
                     ("warn", "warn_fine"), (PERSON,)),
            _Offence("营运车辆未按规定审验", "营运车辆未按规定进行道路运输证年度审验",
                     "《道路货物运输及站场管理规定》第四十六条", f"{_ROAD_RULES}第七十条", ("revoke", "fine"),
                     (LEGAL, BUSINESS), licence="道路运输证"),
        ),
    ),
    _Domain(
        "住房", "建罚字", "建许", ("城市建设综合执法支队",),
        permits=(
            _Permit("建筑工程施工许可决定书", "建筑工程施工许可证", "普通", "新建住宅楼及地下车库工程施工", 0,
                    (LEGAL,), "4104"),
            _Permit("商品房预售许可决定书", "商品房预售许可证", "普通", "商品住房预售", 0, (LEGAL,), "平房预售证第"),
            _Permit("建筑业企业资质核准决定书", "建筑业企业资质证书", "核准", "建筑工程施工总承包三级", 60, (LEGAL,),
                    "D341"),
        ),
        offences=(
            _Offence("未取得施工许可证擅自施工", "未取得建筑工程施工许可证擅自开工建设",
                     "《中华人民共和国建筑法》第七条", "《建筑工程施工许可管理办法》第十二条", ("fine",), (LEGAL,)),
            _Offence("违反工程质量管理规定", "未按照工程设计图纸和施工技术标准施工",
                     "《建设工程质量管理条例》第二十八条", "《建设工程质量管理条例》第六十四条",
                     ("fine", "downgrade"), (LEGAL,), licence="建筑业企业资质证书"),
            _Offence("违规预售商品房", "未取得商品房预售许可证预售商品房", "《城市房地产开发经营管理条例》第二十二条",
                     "《城市商品房预售管理办法》第十五条", ("confiscate",), (LEGAL,)),
            _Offence("违规装饰装修", "擅自变动房屋建筑主体和承重结构", "《住宅室内装饰装修管理办法》第五条",
                     "《住宅室内装饰装修管理办法》第三十八条", ("fine", "warn_fine"), (BUSINESS, PERSON)),
        ),
    ),
    _Domain(
        "应急管理", "应急罚", "应急许", ("安全生产执法监察支队",),
        permits=(
            _Permit("危险化学品经营许可决定书", "危险化学品经营许可证", "普通", "危险化学品经营（不带储存设施）", 36,
                    (LEGAL,), "豫平危化经字"),
            _Permit("烟花爆竹经营（零售）许可决定书", "烟花爆竹经营（零售）许可证", "特许", "烟花爆竹零售", 12,
                    (LEGAL, BUSINESS), "（豫）YH零售"),
        ),
        offences=(
            _Offence("未按规定开展安全生产教育和培训", "未按照规定对从业人员进行安全生产教育和培训",
                     f"{_SAFETY_LAW}第二十八条", f"{_SAFETY_LAW}第九十七条第（三）项", ("fine", "warn_fine"),
                     (LEGAL, BUSINESS)),
            _Offence("危险化学品违法行为", "未取得危险化学品经营许可证从事危险化学品经营",
                     "《危险化学品安全管理条例》第三十三条", "《危险化学品安全管理条例》第七十七条第三款",
                     ("confiscate", "suspend"), (LEGAL, BUSINESS)),
            _Offence("事故隐患排查治理不到位", "未建立事故隐患排查治理制度", f"{_SAFETY_LAW}第四十一条",
                     f"{_SAFETY_LAW}第一百零一条第（五）项", ("fine", "other_warn"), (LEGAL,)),
            _Offence("违规储存烟花爆竹", "在居民居住场所储存烟花爆竹", "《烟花爆竹安全管理条例》第二十条",
                     "《烟花爆竹安全管理条例》第三十八条", ("confiscate", "warn_fine"), (BUSINESS, PERSON)),
        ),
    ),
    # Any other department: the empty keyword matches every name.
    _Domain(
        "", "罚", "许", (),
        permits=(_Permit("行政许可决定书", "", "其他", "行政许可事项办理", 0, (LEGAL, BUSINESS, PERSON)),),
        offences=(
            _Offence("违反行政管理秩序", "违反行政管理规定", "相关法律法规", "相关法律法规", ("warn", "fine"),
                     (LEGAL, BUSINESS, PERSON)),
        ),
    ),
)  # fmt: skip


def _domain_of(department_name: str) -> _Domain:
    return next(d for d in DOMAINS if d.keyword in department_name)


# --- Small vectorised helpers -----------------------------------------------------------------------------
def _blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def _render(keys: np.ndarray, fn: Callable[[int], object]) -> np.ndarray:
    """fn applied once per distinct key, spread back over the rows."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    table = np.empty(len(uniq), dtype=object)
    table[:] = [fn(k) for k in uniq.tolist()]
    return table[inverse]


def _choose(rng: np.random.Generator, eligible: np.ndarray, count: int) -> np.ndarray:
    """A mask choosing `count` of the eligible rows (all of them if fewer)."""
    where = np.flatnonzero(eligible)
    chosen = np.zeros(len(eligible), dtype=bool)
    chosen[rng.choice(where, min(count, len(where)), replace=False)] = True
    return chosen


def _quota(rng: np.random.Generator, eligible: np.ndarray, rate: float) -> np.ndarray:
    """A mask choosing rate x (number of eligible rows) of the eligible rows, rounded at random."""
    return _choose(rng, eligible, int(rate * np.count_nonzero(eligible) + rng.random()))


def _add_months(days: np.ndarray, months: np.ndarray | int) -> np.ndarray:
    """Same day of month, clamped at month end."""
    start = days.astype("datetime64[M]")
    day = (days - start.astype("datetime64[D]")).astype(np.int64)
    target = start + months
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype(np.int64)
    return target.astype("datetime64[D]") + np.minimum(day, length - 1)


_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}


def _fullwidth(text: str) -> str:
    return text.translate(_FULLWIDTH)


def _wan(yuan: int) -> str:
    """元 as a 万元 decimal without float noise: 2000 -> 0.2."""
    whole, rest = divmod(yuan, 10000)
    return str(whole) if rest == 0 else f"{whole}.{rest:04d}".rstrip("0")


def _feed_rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


# --- Official calendar: deliveries and the 7-working-day deadline -------------------------------------------
def _month(month: str) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next."""
    try:
        start = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份 {month!r} 格式不正确，应为 YYYY-MM，例如 2025-09") from None
    return start, (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
    return [d for d in days if chinese_calendar.is_workday(d)]


def _deadline(decided: dt.date) -> dt.date:
    """The 7th working day after the decision (the decision day itself not counted)."""
    return chinese_calendar.find_workday(7, decided)


def _delivery_days(month: str, weekday: int) -> list[dt.date]:
    """Weekly deliveries on one weekday (moved to the next working day), up to the first one after the month."""
    start, end = _month(month)
    horizon = _workdays(start, end + dt.timedelta(days=30))
    first = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    days: list[dt.date] = []
    for nominal in (first + dt.timedelta(weeks=k) for k in range(7)):
        day = next(d for d in horizon if d >= nominal)
        if day > start and (not days or day > days[-1]):
            days.append(day)
        if day >= end:
            break
    return days


@dataclass(frozen=True)
class _Delivery:
    day: dt.date
    on_time: np.ndarray  # decision days (datetime64[D]) reported on time by this delivery
    late: np.ndarray  # decision days this delivery reports late


def _deliveries(month: str, weekday: int, single: bool = False) -> list[_Delivery]:
    """Deliveries with the decision days each may carry. single: only the last, covering the whole month."""
    start, end = _month(month)
    try:
        decision_days = _workdays(start, end - dt.timedelta(days=1))
        deadline = {d: _deadline(d) for d in decision_days}
        days = _delivery_days(month, weekday)
    except NotImplementedError:
        raise ValueError(f"{month} 的报送期限超出工作日日历（chinesecalendar）覆盖的年份，无法生成样例数据") from None
    if single:
        days = days[-1:]
    result = []
    previous = start
    for day in days:
        window = [d for d in decision_days if (single or d >= previous) and d < day and deadline[d] >= day]
        late = [d for d in decision_days if deadline[d] < day]
        if window:
            result.append(_Delivery(day, np.array(window, "datetime64[D]"), np.array(late, "datetime64[D]")))
        previous = day
    return result


def _decision_dates(deliveries: list[_Delivery], counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Decision dates for the rows of each delivery; LATE_RATE of all rows late where a delivery allows it."""
    which = np.repeat(np.arange(len(deliveries)), counts)
    can_be_late = np.array([len(d.late) > 0 for d in deliveries])[which]
    late = _choose(rng, can_be_late, int(LATE_RATE * len(which) + rng.random()))
    decided = np.empty(len(which), dtype="datetime64[D]")
    for k, delivery in enumerate(deliveries):
        for rows, days in ((which == k) & ~late, delivery.on_time), ((which == k) & late, delivery.late):
            if rows.any():
                decided[rows] = rng.choice(days, np.count_nonzero(rows))
    return decided


def _delivered_at(day: dt.date, rng: np.random.Generator, tz: ZoneInfo) -> dt.datetime:
    seconds = int(rng.integers(8 * 3600 + 30 * 60, 17 * 3600 + 30 * 60))
    return dt.datetime.combine(day, dt.time(), tz) + dt.timedelta(seconds=seconds)


# --- Subjects: synthetic companies, 个体工商户 and people ---------------------------------------------------------
def _uscc(prefix: str, region: str, body8: str) -> str:
    head = prefix + region + body8 + org_check_char(body8)
    return head + uscc_check_char(head)


def _mistyped(code: str, position: int, shift: int) -> str:
    """One character replaced by another of the USCC alphabet: the check digit no longer matches."""
    value = (USCC_ALPHABET.index(code[position]) + shift) % len(USCC_ALPHABET)
    return code[:position] + USCC_ALPHABET[value] + code[position + 1 :]


@dataclass(frozen=True)
class _People:
    names: np.ndarray
    ids: np.ndarray
    bad_ids: np.ndarray  # the same numbers with a wrong check digit


@dataclass(frozen=True)
class _Organisations:
    names: np.ndarray
    uscc: np.ndarray
    bad_uscc: np.ndarray  # the same codes with one character mistyped
    regno: np.ndarray  # 工商注册号 (used by 个体工商户 reported under the placeholder)
    representative: np.ndarray  # index into the people pool


@dataclass(frozen=True)
class _Pools:
    people: _People
    companies: _Organisations
    businesses: _Organisations
    fines: np.ndarray  # 元
    gains: np.ndarray  # 元


def _people(rng: np.random.Generator, n: int) -> _People:
    surname = rng.integers(0, len(SURNAMES), n)
    given = rng.integers(0, len(GIVEN), (n, 2))
    two = rng.random(n) < 0.7
    names = [
        SURNAMES[s] + GIVEN[g[0]] + (GIVEN[g[1]] if t else "") for s, g, t in zip(surname, given, two, strict=False)
    ]
    region = rng.integers(1, len(DISTRICTS), n)
    born = (np.datetime64("1955-01-01") + rng.integers(0, 49 * 365, n)).astype(object)
    sequence = np.arange(n) % 999 + 1  # with the random birth date, numbers stay distinct
    ids, bad = [], []
    for r, b, s, shift in zip(region, born, sequence, rng.integers(1, 11, n), strict=False):
        body = f"{DISTRICTS[r][0]}{b:%Y%m%d}{s:03d}"
        check = id_check_char(body)
        ids.append(body + check)
        bad.append(body + ID_CHECK[(ID_CHECK.index(check) + shift) % 11])
    return _People(np.array(names, dtype=object), np.array(ids, dtype=object), np.array(bad, dtype=object))


def _bodies(rng: np.random.Generator, n: int) -> list[str]:
    """组织机构代码 bodies: old all-digit ones and post-2015 'MA' ones with letters."""
    letters = np.array(list(USCC_ALPHABET))
    new = rng.random(n) < 0.6
    tails = letters[rng.integers(0, len(letters), (n, 5))]
    digits = rng.integers(0, 10, (n, 8)).astype(str)
    return [
        ("MA" + str(d[0]) + "".join(t)) if is_new else (str(3 + int(d[0]) % 5) + "".join(d[1:]))
        for is_new, t, d in zip(new, tails, digits, strict=False)
    ]


def _company_names(rng: np.random.Generator, region: np.ndarray, city: str) -> list[str]:
    brand = rng.integers(0, len(BRANDS), (len(region), 2))
    industry = rng.integers(0, len(INDUSTRIES), len(region))
    form = rng.integers(0, len(COMPANY_FORMS), len(region))
    return [
        (city if r < 5 else DISTRICTS[r][1]) + BRANDS[b[0]] + BRANDS[b[1]] + INDUSTRIES[i] + COMPANY_FORMS[f]
        for r, b, i, f in zip(region, brand, industry, form, strict=False)
    ]


def _business_names(rng: np.random.Generator, region: np.ndarray, city: str) -> list[str]:
    """个体工商户: district, then 2 characters or 'X记', then the kind of shop."""
    brand = rng.integers(0, len(BRANDS), (len(region), 2))
    surname = rng.integers(0, len(SURNAMES), len(region))
    shop = rng.integers(0, len(SHOPS), len(region))
    return [
        (DISTRICTS[r][1] or "新华区")
        + (SURNAMES[s] + "记" if b[0] % 3 == 0 else BRANDS[b[0]] + BRANDS[b[1]])
        + SHOPS[k]
        for r, s, b, k in zip(region, surname, brand, shop, strict=False)
    ]


def _organisations(
    rng: np.random.Generator, n: int, prefix: str, namer: Callable[..., list[str]], city: str, people: int
) -> _Organisations:
    region = rng.integers(0, len(DISTRICTS), n)
    names = np.empty(n, dtype=object)
    todo = np.arange(n)
    while len(todo):  # one name per code: redraw the repeats
        names[todo] = namer(rng, region[todo], city)
        repeated = np.ones(n, dtype=bool)
        repeated[np.unique(names, return_index=True)[1]] = False
        todo = np.flatnonzero(repeated)
    codes = [_uscc(prefix, DISTRICTS[r][0], body) for r, body in zip(region, _bodies(rng, n), strict=False)]
    bad = [
        _mistyped(c, int(p), int(s))
        for c, p, s in zip(codes, rng.integers(8, 18, n), rng.integers(1, 31, n), strict=False)
    ]
    serial = [f"{DISTRICTS[r][0]}6{s:07d}" for r, s in zip(region, rng.permutation(n) + 1, strict=False)]
    return _Organisations(
        names,
        np.array(codes, dtype=object),
        np.array(bad, dtype=object),
        np.array([s + regno_check_char(s) for s in serial], dtype=object),
        rng.integers(0, people, n),
    )


def _pools(rng: np.random.Generator, rows: int, city: str) -> _Pools:
    companies = min(max(rows // 6, 300), 6_000)
    people = _people(rng, 3 * companies)
    fines = np.sort(np.where(rng.random(400) < 0.7, rng.choice(ROUND_FINES, 400), rng.integers(4, 3000, 400) * 50))
    return _Pools(
        people=people,
        companies=_organisations(rng, companies, "91", _company_names, city, len(people.ids)),
        businesses=_organisations(rng, companies // 2, "92", _business_names, city, len(people.ids)),
        fines=fines,
        gains=rng.integers(2, 2000, 200) * 100,
    )


# --- Rows -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Issuer:
    """The reporting department, its sub-units and how its 文书号 read."""

    name: str
    uscc: str
    city_abbr: str
    domain: _Domain
    units: np.ndarray  # names; index 0 is the department itself
    unit_codes: np.ndarray


def _issuer(feed: Feed, registry: Registry, seed: int) -> _Issuer:
    domain = _domain_of(feed.department_name)
    rng = _feed_rng(seed, feed.department_id)
    units = [feed.department_name] + [feed.department_name + unit for unit in domain.units]
    bodies = [f"{b:08d}" for b in rng.integers(0, 10**8, len(domain.units))]
    codes = [feed.department_uscc] + [_uscc("11", str(registry.city["region_code"]), b) for b in bodies]
    return _Issuer(
        feed.department_name,
        feed.department_uscc,
        registry.city["name"][0],
        domain,
        np.array(units, dtype=object),
        np.array(codes, dtype=object),
    )


def _kinds(n: int, dataset: str, items: tuple, rng: np.random.Generator) -> np.ndarray:
    """行政相对人类别 per row, among the kinds the department's decisions concern."""
    supported = np.isin(np.arange(3), [k for item in items for k in item.kinds])
    shares = np.array(SUBJECT_SHARES[dataset]) * supported
    return rng.choice(3, n, p=shares / shares.sum())


def _items(kinds: np.ndarray, items: tuple, rng: np.random.Generator) -> np.ndarray:
    chosen = np.zeros(len(kinds), dtype=np.int64)
    for kind in range(3):
        rows = kinds == kind
        eligible = [i for i, item in enumerate(items) if kind in item.kinds]
        if rows.any():
            chosen[rows] = rng.choice(eligible, int(rows.sum()))
    return chosen


def _subjects(
    prefix: str, kinds: np.ndarray, pools: _Pools, rng: np.random.Generator, placeholder_codes: bool = True
) -> dict[str, np.ndarray]:
    """Subject columns, with mistyped USCCs and wrong 身份证 check digits, and (the 双公示 templates, which have a
    工商注册号 column for it) placeholder codes."""
    n = len(kinds)
    out = {k: _blank(n) for k in ("xdr_mc", "xdr_shxym", "xdr_gszc", "frdb", "fr_zjlx", "fr_zjhm", "xdr_zjlx",
                                  "xdr_zjhm")}  # fmt: skip
    out["xdr_lb"] = KIND_LABELS[kinds]
    people = pools.people
    placeholder = _quota(rng, kinds == BUSINESS, PLACEHOLDER_RATE) if placeholder_codes else np.zeros(n, dtype=bool)
    no_regno = _quota(rng, placeholder, PLACEHOLDER_WITHOUT_REGNO_RATE)
    mistyped = _quota(rng, (kinds != PERSON) & ~placeholder, WRONG_USCC_CHECK_RATE)
    for kind, orgs in ((LEGAL, pools.companies), (BUSINESS, pools.businesses)):
        rows = kinds == kind
        pick = rng.integers(0, len(orgs.names), int(rows.sum()))
        out["xdr_mc"][rows] = orgs.names[pick]
        out["xdr_shxym"][rows] = np.where(mistyped[rows], orgs.bad_uscc[pick], orgs.uscc[pick])
        out["xdr_gszc"][rows] = np.where(placeholder[rows] & ~no_regno[rows], orgs.regno[pick], "")
        out["frdb"][rows] = people.names[orgs.representative[pick]]
        out["fr_zjlx"][rows] = "身份证"
        out["fr_zjhm"][rows] = people.ids[orgs.representative[pick]]
    out["xdr_shxym"][placeholder] = USCC_PLACEHOLDER
    rows = kinds == PERSON
    pick = rng.integers(0, len(people.names), int(rows.sum()))
    wrong = _quota(rng, rows, INVALID_ID_CHECK_RATE)[rows]
    out["xdr_mc"][rows] = people.names[pick]
    out["xdr_zjlx"][rows] = "身份证"
    out["xdr_zjhm"][rows] = np.where(wrong, people.bad_ids[pick], people.ids[pick])
    return {f"{prefix}_{k}": v for k, v in out.items()}


def _years(days: np.ndarray) -> list[int]:
    return (days.astype("datetime64[Y]").astype(np.int64) + 1970).tolist()


def _doc_numbers(template: str, issuer: _Issuer, decided: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """文书号 such as 平市监罚〔2025〕123号."""
    head = issuer.city_abbr + template
    return np.array([f"{head}〔{y}〕{n}号" for y, n in zip(_years(decided), seq.tolist(), strict=False)], dtype=object)


def _license(decided: np.ndarray, seq: np.ndarray, issuer: _Issuer, pools: _Pools, rng) -> dict[str, np.ndarray]:
    permits = issuer.domain.permits
    n = len(decided)
    kinds = _kinds(n, "license", permits, rng)
    item = _items(kinds, permits, rng)
    table = {field: np.array([getattr(p, field) for p in permits], dtype=object)
             for field in ("document", "certificate", "category", "content", "number_prefix")}  # fmt: skip
    months = np.array([p.months for p in permits])[item]
    valid_from = decided + rng.choice([0, 0, 0, 1, 2], n)
    numbers = rng.integers(1, 10**6, n)
    prefixes = table["number_prefix"][item]
    unit = np.where(rng.random(n) < 0.75, 0, rng.integers(0, len(issuer.units), n))
    return {
        **_subjects(PREFIXES["license"], kinds, pools, rng),
        "xk_xkws": table["document"][item],
        "xk_wsh": _doc_numbers(issuer.domain.license_doc, issuer, decided, seq),
        "xk_xklb": table["category"][item],
        "xk_xkzs": table["certificate"][item],
        "xk_xkbh": np.array(
            [
                p and f"{p}{y}{k:06d}"
                for p, y, k in zip(prefixes.tolist(), _years(decided), numbers.tolist(), strict=False)
            ],
            dtype=object,
        ),
        "xk_nr": table["content"][item],
        "xk_jdrq": decided.copy(),
        "xk_yxqz": valid_from,
        "xk_yxqzi": np.where(months == 0, LONG_TERM, _add_months(valid_from, months) - 1),
        "xk_xkjg": issuer.units[unit],
        "xk_xkjgdm": issuer.unit_codes[unit],
        "xk_zt": np.full(n, "1", dtype=object),
        "xk_lydw": np.full(n, issuer.name, dtype=object),
        "xk_lydwdm": np.full(n, issuer.uscc, dtype=object),
    }


def _penalty(decided: np.ndarray, seq: np.ndarray, issuer: _Issuer, pools: _Pools, rng) -> dict[str, np.ndarray]:
    offences = issuer.domain.offences
    n = len(decided)
    kinds = _kinds(n, "penalty", offences, rng)
    item = _items(kinds, offences, rng)
    combo = np.zeros(n, dtype=np.int64)
    for i, offence in enumerate(offences):
        rows = item == i
        combo[rows] = rng.choice([COMBO_KEYS.index(c) for c in offence.combos], int(rows.sum()))
    combos = [COMBOS[k] for k in COMBO_KEYS]
    needs_fine = np.array([c.fine for c in combos])[combo]
    needs_gain = np.array([c.gain for c in combos])[combo]
    needs_licence = np.array([c.licence for c in combos])[combo]
    # pools.fines is sorted: people draw from the lower part (fines on citizens are smaller)
    ceiling = np.where(kinds == PERSON, len(pools.fines) * 2 // 5, len(pools.fines))
    fine = np.where(needs_fine, rng.integers(0, ceiling), 0)
    gain = np.where(needs_gain, rng.integers(0, len(pools.gains), n), 0)
    licence_item = np.where(needs_licence, item, 0)
    n_fines, n_gains = len(pools.fines), len(pools.gains)

    def content(key: int) -> str:
        rest, g = divmod(key, n_gains)
        rest, f = divmod(rest, n_fines)
        c, i = divmod(rest, len(offences))
        return combos[c].content.format(fine=pools.fines[f], gain=pools.gains[g], licence=offences[i].licence)

    amount = _render(pools.fines[fine], _wan)
    unit_error = _quota(rng, needs_fine, UNIT_ERROR_RATE)
    amount[unit_error] = _render(pools.fines[fine[unit_error]], str)
    missing = _quota(rng, needs_fine | needs_gain | needs_licence, MISSING_AMOUNT_RATE)
    licence = np.array([o.licence for o in offences], dtype=object)[item]
    region = issuer.unit_codes[0][2:8]
    licence_no = [
        f"{lic}（编号：{region}{k:07d}）"
        for lic, k in zip(
            licence[needs_licence].tolist(), rng.integers(1, 10**7, int(needs_licence.sum())), strict=False
        )
    ]
    revoked = _blank(n)
    revoked[needs_licence] = licence_no
    committed = decided - rng.integers(7, 60, n)
    facts = np.array([f"{o.fact}，违反了{o.breach}的规定" for o in offences], dtype=object)
    unit = np.where(rng.random(n) < 0.75, 0, rng.integers(0, len(issuer.units), n))
    shown = decided + rng.choice([0, 7, 15, 30], n)
    return {
        **_subjects(PREFIXES["penalty"], kinds, pools, rng),
        "cf_wsh": _doc_numbers(issuer.domain.penalty_doc, issuer, decided, seq),
        "cf_wfxw": np.array([o.wfxw for o in offences], dtype=object)[item],
        "cf_sy": _render(
            item * 100_000 + committed.astype(np.int64),
            lambda k: f"经查，当事人于{_cn_date(k % 100_000)}{facts[k // 100_000]}。",
        ),
        "cf_yj": np.array([f"依据{o.basis}的规定" for o in offences], dtype=object)[item],
        "cf_cflb": np.array([c.cflb for c in combos], dtype=object)[combo],
        "cf_nr": _render(((combo * len(offences) + licence_item) * n_fines + fine) * n_gains + gain, content),
        "cf_nr_fk": np.where(needs_fine & ~missing, amount, ""),
        "cf_nr_wfff": np.where(needs_gain & ~missing, _render(pools.gains[gain], _wan), ""),
        "cf_nr_zkdx": np.where(needs_licence & ~missing, revoked, ""),
        "cf_jdrq": decided.copy(),
        "cf_yxq": shown,
        "cf_gsjzq": _add_months(decided, 12),
        "cf_cfjg": issuer.units[unit],
        "cf_cfjgdm": issuer.unit_codes[unit],
        "cf_sjly": np.full(n, issuer.name, dtype=object),
        "cf_sjlydm": np.full(n, issuer.uscc, dtype=object),
    }


def _cn_date(day: int) -> str:
    d = (np.datetime64(0, "D") + day).astype(object)
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class _Commitment:
    type: str  # 承诺类型 (code_tables: 审批替代型, 主动承诺型, 信用修复型, 行业自律型, 证明事项告知承诺, 其他)
    matter: str  # 承诺事项
    kinds: tuple[int, ...]
    local_type: str  # how a clerk sometimes writes the type instead (not in the code table)


# By department domain (keyword in its name): the 承诺书编号 middle part and the commitments it takes.
COMMITMENTS = {
    "市场监督": ("市监承", (
        _Commitment("证明事项告知承诺", "食品经营许可告知承诺：申请人承诺已具备与经营项目相适应的经营场所、设备设施和"
                    "食品安全管理制度", (LEGAL, BUSINESS), "告知承诺"),
        _Commitment("审批替代型", "市场主体登记告知承诺：申请人承诺所提交的住所（经营场所）信息真实、合法、有效",
                    (LEGAL, BUSINESS, PERSON), "容缺受理承诺"),
        _Commitment("主动承诺型", "诚信经营承诺：依法诚信经营，不销售假冒伪劣商品，不作虚假宣传", (LEGAL, BUSINESS),
                    "主动承诺"),
    )),
    "住房": ("建承", (
        _Commitment("审批替代型", "建筑工程施工许可告知承诺制：建设单位承诺施工图设计文件已审查合格、施工场地已具备"
                    "施工条件", (LEGAL,), "告知承诺制"),
        _Commitment("证明事项告知承诺", "建筑业企业资质申请告知承诺：申请人承诺所填报的企业业绩、技术人员信息真实",
                    (LEGAL,), "资质告知承诺"),
        _Commitment("行业自律型", "建筑市场行业自律承诺：依法承揽工程，不转包、不违法分包，按时足额支付农民工工资",
                    (LEGAL,), "自律承诺"),
    )),
    "": ("承", (_Commitment("其他", "信用承诺：承诺所提交的材料真实、合法、有效", (LEGAL, BUSINESS), "一般承诺"),)),
}  # fmt: skip


def _commitment(decided: np.ndarray, seq: np.ndarray, issuer: _Issuer, pools: _Pools, rng) -> dict[str, np.ndarray]:
    doc, items = next(v for k, v in COMMITMENTS.items() if k in issuer.name)
    n = len(decided)
    kinds = _kinds(n, "credit_commitment", items, rng)
    item = _items(kinds, items, rng)
    subjects = _subjects(PREFIXES["credit_commitment"], kinds, pools, rng, placeholder_codes=False)
    local = _quota(rng, np.ones(n, dtype=bool), LOCAL_CODE_RATE)
    unit = np.where(rng.random(n) < 0.75, 0, rng.integers(0, len(issuer.units), n))
    table = {field: np.array([getattr(c, field) for c in items], dtype=object)
             for field in ("type", "matter", "local_type")}  # fmt: skip
    return {
        "cn_zt_mc": subjects["cn_xdr_mc"],
        "cn_zt_lb": subjects["cn_xdr_lb"],
        "cn_shxym": subjects["cn_xdr_shxym"],
        "cn_zjhm": subjects["cn_xdr_zjhm"],
        "cn_lx": np.where(local, table["local_type"][item], table["type"][item]),
        "cn_sx": table["matter"][item],
        "cn_wsh": _doc_numbers(doc, issuer, decided, seq),
        "cn_rq": decided.copy(),
        "cn_slbm": issuer.units[unit],
        "cn_slbmdm": issuer.unit_codes[unit],
    }


BUILDERS = {"license": _license, "penalty": _penalty, "credit_commitment": _commitment}


def _records(dataset: str, decided: np.ndarray, seq: np.ndarray, issuer: _Issuer, pools: _Pools, rng) -> dict:
    """All canonical columns (fields.yaml order) for rows decided on the given days, faults included."""
    if dataset not in BUILDERS:
        raise ValueError(f"样例数据只支持行政许可、行政处罚和信用承诺（{'、'.join(BUILDERS)}），不支持 {dataset!r}")
    return _with_faults(dataset, BUILDERS[dataset](decided, seq, issuer, pools, rng), len(decided), rng)


def _with_faults(dataset: str, built: dict[str, np.ndarray], n: int, rng) -> dict[str, np.ndarray]:
    """Every canonical column (fields.yaml order); MISSING_MANDATORY_RATE of the rows lose one mandatory field,
    FULLWIDTH_RATE have their codes, 文书号 and amounts typed in full-width characters."""
    columns = fields(dataset)
    frame = {f.name: built[f.name] if f.name in built else _blank(n) for f in columns}
    required = [f.name for f in columns if f.required]
    emptied = _quota(rng, np.ones(n, dtype=bool), MISSING_MANDATORY_RATE)
    which = rng.integers(0, len(required), n)
    for k, name in enumerate(required):
        rows = emptied & (which == k)
        frame[name][rows] = np.datetime64("NaT") if frame[name].dtype.kind == "M" else ""
    typed = _quota(rng, np.ones(n, dtype=bool), FULLWIDTH_RATE)
    for f in columns:
        if f.type in ("identifier", "amount") or f.name.endswith("_wsh"):
            frame[f.name][typed] = [_fullwidth(v) for v in frame[f.name][typed].tolist()]
    return frame


# --- How each department writes its files -----------------------------------------------------------------
@dataclass(frozen=True)
class _Style:
    headers: str  # labels | template | identifiers | local
    dates: tuple[str, ...]  # formats mixed row by row: iso | slash | cn | excel (XLSX date cells)
    file_name: str  # str.format with title, department, feed, prefix, at (the delivery datetime)
    encoding: str = "utf-8"
    xlsx: bool = False
    newline: str = "\n"
    quote_all: bool = False
    separator: str = ";"  # between 处罚类别 values


STYLES = (
    # Exported from a desktop spreadsheet on Windows: GBK, CRLF, the national labels, dates as 2025/9/30.
    _Style("labels", ("slash",), "{title}{at:%Y%m%d}.csv", encoding="gbk", newline="\r\n"),
    # Saved by a web system "for Excel": UTF-8 with BOM.
    _Style("labels", ("iso",), "{department}{title}信息{at:%Y-%m-%d}.csv", encoding="utf-8-sig",
           newline="\r\n"),
    # An Excel workbook with a merged title row above the header; mostly date cells, some typed as text.
    _Style("template", ("excel", "excel", "excel", "cn"), "{title}双公示报送{at:%Y%m%d}.xlsx", xlsx=True),
    # A database export of the front-end library (前置库): XK_*/CF_* headers, every field quoted.
    _Style("identifiers", ("iso",), "{prefix}_{at:%Y%m%d%H%M}.csv", quote_all=True),
    # A local system: its own header variants, full-width characters, whatever date format the clerk typed.
    _Style("local", ("cn", "slash", "iso"), "{feed}_{at:%Y%m%d}.csv", separator="；"),
)  # fmt: skip


def _family(encoding: str) -> str:
    return "gb" if encoding.lower().startswith("gb") else "utf"


def _style_for(feed: Feed, department_index: int) -> _Style:
    """Departments take the styles in turn; an encoding hint in the registry picks a style in that encoding."""
    turn = department_index % len(STYLES)
    hint = feed.encoding
    style = next(s for s in STYLES[turn:] + STYLES[:turn] if hint is None or _family(s.encoding) == _family(hint))
    return style if hint is None or style.xlsx else replace(style, encoding=hint)


SUBJECT_CODES = ("shxym", "gszc", "zzjg", "swdj", "sydw", "shzz")  # 行政相对人代码_1 … _6


def _header(field: Field, style: str) -> str:
    if style == "identifiers":
        return field.name.upper()
    suffix = field.name.partition("_")[2]
    if style == "template" and suffix.startswith("xdr_") and suffix[4:] in SUBJECT_CODES:
        return f"行政相对人代码_{SUBJECT_CODES.index(suffix[4:]) + 1}({field.label})"
    if style == "local":
        local = [a for a in field.aliases if a.endswith(("_TYPE", "_SFZH"))]
        chinese = [a for a in field.aliases if not a.isascii()]
        header = (local or chinese or [field.label])[0]
        return header if header.isascii() else _fullwidth(header)
    return field.label


DATE_FORMATS: dict[str, Callable[[dt.date], object]] = {
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "excel": lambda d: d,
}


def _dates_as(days: np.ndarray, formats: tuple[str, ...], rng: np.random.Generator, empty: object) -> np.ndarray:
    chosen = rng.integers(0, len(formats), len(days))
    number = np.where(np.isnat(days), -1, days.astype(np.int64))
    width = len(formats)

    def render(key: int) -> object:
        day, k = divmod(key, width)
        if day < 0:
            return empty
        return DATE_FORMATS[formats[k]]((np.datetime64(0, "D") + day).astype(object))

    return _render(number * width + chosen, render)


def _table(dataset: str, frame: dict[str, np.ndarray], style: _Style, rng) -> tuple[list[str], list[np.ndarray]]:
    """Headers and columns as the department writes them."""
    headers, columns = [], []
    for field in fields(dataset):
        column = frame[field.name]
        if field.type == "date":
            column = _dates_as(column, style.dates, rng, None if style.xlsx else "")
        elif field.type == "multi_code" and style.separator != ";":
            column = np.array([v.replace(";", style.separator) for v in column.tolist()], dtype=object)
        if style.xlsx:
            column = np.array([_cell(v, field.type) for v in column.tolist()], dtype=object)
        headers.append(_header(field, style.headers))
        columns.append(column)
    return headers, columns


def _paste_twice(columns: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """DUPLICATE_RATE of the rows, as written, become exact copies of the row above (odd rows: no chains)."""
    copies = np.flatnonzero(_quota(rng, np.arange(len(columns[0])) % 2 == 1, 2 * DUPLICATE_RATE))
    for column in columns:
        column[copies] = column[copies - 1]
    return columns


def _cell(value: object, kind: str) -> object:
    """Excel cells: amounts typed as numbers, empty cells left empty."""
    if value == "" or value is None:
        return None
    if kind == "amount" and isinstance(value, str) and value.isascii() and value.replace(".", "", 1).isdigit():
        return float(value)
    return value


# --- Writers ----------------------------------------------------------------------------------------------
def _csv_text(rows: Iterable[tuple[str, ...]], newline: str, quote_all: bool) -> str:
    """CSV lines. Generated values never hold commas, quotes or line breaks, so quoting is a matter of style."""
    if not quote_all:
        return newline.join(map(",".join, rows)) + newline
    return '"' + f'"{newline}"'.join(map('","'.join, rows)) + '"' + newline


def _write_csv(path: Path, header: list[str], blocks: Iterable[list[np.ndarray]], style: _Style) -> int:
    written = 0
    with path.open("w", encoding=style.encoding, newline="") as fh:
        fh.write(_csv_text([tuple(header)], style.newline, style.quote_all))
        for columns in blocks:
            fh.write(_csv_text(zip(*[c.tolist() for c in columns], strict=False), style.newline, style.quote_all))
            written += len(columns[0])
    return written


def _write_xlsx(path: Path, title: str, header: list[str], columns: list[np.ndarray], at: dt.datetime) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for row in zip(*[c.tolist() for c in columns], strict=False):
        sheet.append(row)
    stamp = at.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.properties.creator = workbook.properties.lastModifiedBy = "citycredit demo-data"
    workbook.properties.created = workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()  # keeps `modified`
    path.write_bytes(_stable_zip(buffer.getvalue(), at))


def _stable_zip(data: bytes, at: dt.datetime) -> bytes:
    """The same archive with every member dated `at`, so equal workbooks are equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=at.timetuple()[:6])
            target.writestr(member, source.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _deliver(path: Path, at: dt.datetime) -> None:
    """The pipeline takes a file's mtime as the time it reached the city platform."""
    os.utime(path, (at.timestamp(), at.timestamp()))


# --- Credit lists and the market-subject register ---------------------------------------------------------
@dataclass(frozen=True)
class _ListKind:
    keyword: str  # found in the department's name
    list_type: str  # 名单类型
    basis: str  # 列入依据
    kinds: tuple[int, ...]  # LEGAL / BUSINESS


LIST_KINDS = (
    _ListKind("市场监督", "严重失信主体名单", "《市场监督管理严重违法失信名单管理办法》第二条（严重质量失信）",
              (LEGAL, BUSINESS)),
    _ListKind("生态环境", "红名单", "《企业环境信用评价办法（试行）》环保诚信企业", (LEGAL,)),
    _ListKind("应急管理", "严重失信主体名单", "《安全生产严重失信主体名单管理办法》第七条", (LEGAL, BUSINESS)),
    _ListKind("", "严重失信主体名单", "相关领域严重失信主体认定办法", (LEGAL, BUSINESS)),
)  # fmt: skip
REMOVAL_REASONS = (("修复", 0.6), ("期满", 0.3), ("撤销", 0.1))
LIST_NEW_PER_WEEK = (1, 4)  # new listings per week: at least, below
LIST_EXITS_PER_WEEK = (1, 3)
REGISTER_CLOSED_RATE = 0.04  # of the register's subjects: 注销 or 吊销 before the month
REGISTER_CLOSING_PER_WEEK = (2, 6)  # subjects 注销 during the month, per weekly change file
REGISTER_NEW_SHARE = 0.01  # new subjects registered per week, as a share of the register


@dataclass
class _Period:
    subject: tuple[str, str, str]  # name, 统一社会信用代码, 主体类别
    listed: dt.date
    removed: dt.date | None = None
    reason: str = ""


def _listed_subjects(kind: _ListKind, pools: _Pools, n: int, rng: np.random.Generator) -> list[tuple[str, str, str]]:
    """n distinct companies (and 个体工商户 where the list holds them) of the pools."""
    candidates = [(o, KIND_LABELS[k]) for k, o in ((LEGAL, pools.companies), (BUSINESS, pools.businesses))
                  if k in kind.kinds]  # fmt: skip
    chosen: dict[str, tuple[str, str, str]] = {}
    while len(chosen) < n:
        orgs, label = candidates[int(rng.integers(0, len(candidates)))]
        i = int(rng.integers(0, len(orgs.names)))
        chosen.setdefault(orgs.uscc[i], (orgs.names[i], orgs.uscc[i], label))
    return list(chosen.values())


def _list_history(kind: _ListKind, days: list[dt.date], pools: _Pools, size: int, rng) -> list[_Period]:
    """Listing periods over the deliveries: a list of `size` at the start, weekly entries and exits, a re-entry."""
    weekly_new = [int(rng.integers(*LIST_NEW_PER_WEEK)) for _ in days[1:]]
    subjects = _listed_subjects(kind, pools, size + sum(weekly_new), rng)
    periods = [_Period(s, days[0] - dt.timedelta(days=int(rng.integers(20, 700)))) for s in subjects[:size]]
    fresh = iter(subjects[size:])
    reasons, weights = zip(*REMOVAL_REASONS, strict=True)
    for week, (previous, day) in enumerate(itertools.pairwise(days), start=1):
        span = (day - previous).days

        def within(previous=previous, span=span) -> dt.date:
            return previous + dt.timedelta(days=int(rng.integers(1, span + 1)))

        open_ = [p for p in periods if p.removed is None and p.listed < previous]
        for k in rng.choice(len(open_), min(int(rng.integers(*LIST_EXITS_PER_WEEK)), len(open_)), replace=False):
            open_[k].removed, open_[k].reason = within(), str(rng.choice(reasons, p=weights))
        periods += [_Period(next(fresh), within()) for _ in range(weekly_new[week - 1])]
        if week == 2:  # a subject that left the list in the first week is listed again
            gone = [p for p in periods if p.removed is not None and p.removed <= previous]
            if gone:
                periods.append(_Period(gone[0].subject, max(within(), gone[0].removed + dt.timedelta(days=1))))
    return periods


def _list_rows(periods: list[_Period], kind: _ListKind, feed: Feed, with_exit: list[bool]) -> dict[str, np.ndarray]:
    n = len(periods)
    return {
        "md_zt_mc": np.array([p.subject[0] for p in periods], dtype=object),
        "md_zt_lb": np.array([p.subject[2] for p in periods], dtype=object),
        "md_shxym": np.array([p.subject[1] for p in periods], dtype=object),
        "md_zjhm": _blank(n),
        "md_lx": np.full(n, kind.list_type, dtype=object),
        "md_rdbm": np.full(n, feed.department_name, dtype=object),
        "md_rdbmdm": np.full(n, feed.department_uscc, dtype=object),
        "md_lrrq": np.array([p.listed for p in periods], dtype="datetime64[D]"),
        "md_lryj": np.full(n, kind.basis, dtype=object),
        "md_ycrq": np.array([p.removed if e else None for p, e in zip(periods, with_exit, strict=True)],
                            dtype="datetime64[D]"),
        "md_ycyy": np.array([p.reason if e else "" for p, e in zip(periods, with_exit, strict=True)], dtype=object),
        "bz": _blank(n),
    }  # fmt: skip


def _credit_list_files(
    inbox: Path, feed: Feed, style: _Style, days: list[dt.date], pools: _Pools, records: int, rng, tz
) -> list[DeliveredFile]:
    """Weekly files of a credit list: full snapshots, or the first list then its changes (departments.yaml mode).

    A snapshot holds the periods open on its day (an exit shows as the subject missing); a change file holds the
    periods listed since the last file and, with 移出日期 and 移出原因, those that ended since.
    """
    kind = next(k for k in LIST_KINDS if k.keyword in feed.department_name)
    periods = _list_history(kind, days, pools, max(records // 20, 10), rng)
    folder = inbox / feed.department_id / feed.id
    folder.mkdir(parents=True, exist_ok=True)
    snapshot = feed.options.get("mode") == "snapshot"
    delivered = []
    for k, day in enumerate(days):
        previous = days[k - 1] if k else dt.date.min
        if snapshot or k == 0:
            rows = [p for p in periods if p.listed < day and (p.removed is None or p.removed >= day)]
            exits = [False] * len(rows)
        else:
            new = [p for p in periods if previous <= p.listed < day]
            ended = [p for p in periods if p.removed is not None and previous <= p.removed < day]
            rows, exits = new + ended, [False] * len(new) + [True] * len(ended)
        at = _delivered_at(day, rng, tz)
        delivered.append(_write_delivery(folder, feed, style, _list_rows(rows, kind, feed, exits), at, k + 1, rng,
                                         pasted=False))  # fmt: skip
    return delivered


def _register_rows(orgs: _Organisations, label: str, founded: np.ndarray, closed: np.ndarray, rng) -> dict:
    """Register lines of organisations; WRONG_USCC_CHECK_RATE of them with a mistyped code."""
    n = len(orgs.names)
    mistyped = _quota(rng, np.ones(n, dtype=bool), WRONG_USCC_CHECK_RATE)
    region = np.array([c[2:8] for c in orgs.uscc], dtype=object)
    district = {code: name for code, name in DISTRICTS}
    return {
        "zt_mc": orgs.names.copy(),
        "zt_shxym": np.where(mistyped, orgs.bad_uscc, orgs.uscc),
        "zt_zch": _blank(n),
        "zt_lx": np.full(n, label, dtype=object),
        "zt_djzt": np.where(np.isnat(closed), "存续", np.where(rng.random(n) < 0.8, "注销", "吊销")),
        "zt_clrq": founded,
        "zt_zxrq": closed,
        "zt_qhdm": region,
        "zt_djjg": np.array([f"平顶山市市场监督管理局{district.get(r) or ''}{'分局' if district.get(r) else ''}"
                             for r in region], dtype=object),
        "bz": _blank(n),
    }  # fmt: skip


def _concat(parts: list[dict]) -> dict[str, np.ndarray]:
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _take(frame: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {name: column[rows] for name, column in frame.items()}


def _register_files(
    inbox: Path, feed: Feed, style: _Style, days: list[dt.date], pools: _Pools, records: int, rng, tz
) -> list[DeliveredFile]:
    """The register of every company and 个体工商户 of the pools in the first file, then weekly changes:
    subjects registered that week and subjects 注销 that week (the whole line again, with its new status)."""
    start = np.datetime64(days[0], "D")
    parts = []
    for orgs, label in ((pools.companies, "企业"), (pools.businesses, "个体工商户")):
        n = len(orgs.names)
        founded = start - rng.integers(30, 25 * 365, n)
        closed = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        gone = _quota(rng, np.ones(n, dtype=bool), REGISTER_CLOSED_RATE)
        closed[gone] = founded[gone] + ((start - founded[gone]).astype(np.int64) * rng.random(int(gone.sum()))).astype(
            np.int64
        )
        parts.append(_register_rows(orgs, label, founded, closed, rng))
    register = _concat(parts)
    size = len(register["zt_mc"])
    folder = inbox / feed.department_id / feed.id
    folder.mkdir(parents=True, exist_ok=True)
    city = load_registry().city["name"]
    delivered = [_write_delivery(folder, feed, style, register, _delivered_at(days[0], rng, tz), 1, rng, pasted=False)]
    for k, (previous, day) in enumerate(itertools.pairwise(days), start=2):
        span = np.datetime64(day, "D") - np.datetime64(previous, "D")
        new = _organisations(rng, max(int(size * REGISTER_NEW_SHARE), 1), "91", _company_names, city, 1)
        opened = np.datetime64(previous, "D") + rng.integers(0, span.astype(np.int64), len(new.names))
        none = np.full(len(new.names), np.datetime64("NaT"), dtype="datetime64[D]")
        alive = np.flatnonzero(np.isnat(register["zt_zxrq"]))
        closing = rng.choice(alive, int(rng.integers(*REGISTER_CLOSING_PER_WEEK)), replace=False)
        changed = _take(register, closing)
        changed["zt_zxrq"] = np.datetime64(previous, "D") + rng.integers(0, span.astype(np.int64), len(closing))
        changed["zt_djzt"] = np.full(len(closing), "注销", dtype=object)
        register["zt_zxrq"][closing] = changed["zt_zxrq"]
        part = _concat([_register_rows(new, "企业", opened, none, rng), changed])
        delivered.append(_write_delivery(folder, feed, style, part, _delivered_at(day, rng, tz), k, rng, pasted=False))
    return delivered


# --- 异议 and 信用修复 cases handled by the credit center -------------------------------------------------------
@dataclass(frozen=True)
class _CaseKind:
    number: str  # case numbers: this, the year and month of 受理, a serial
    per_records: int  # one case a month per this many records of a 双公示 feed
    types: tuple[tuple[str, float], ...]  # 信息类别 and their shares
    results: tuple[tuple[str, float], ...]  # 处理结果 and their shares
    days: tuple[int, int]  # 受理 to 办结: at least, below (working days or calendar days)
    slow_days: tuple[int, int]  # the same for the slow cases
    slow_share: float
    working_days: bool  # days counted on the official calendar (信用修复) or the calendar (异议)


CASE_KINDS = {
    "objection": _CaseKind("YY", 20, (("行政处罚", 0.7), ("行政许可", 0.1), ("信用名单", 0.15), ("其他", 0.05)),
                           (("异议成立", 0.35), ("部分成立", 0.15), ("异议不成立", 0.5)), (1, 11), (11, 31), 0.15,
                           working_days=False),
    "credit_repair": _CaseKind("XF", 10, (("行政处罚", 0.8), ("信用名单", 0.2)),
                               (("准予修复", 0.85), ("不予修复", 0.15)), (1, 6), (6, 15), 0.12, working_days=True),
}  # fmt: skip
LOCAL_RESULTS = {"异议成立": "成立", "部分成立": "部分采纳", "异议不成立": "不成立", "准予修复": "同意修复",
                 "不予修复": "不同意修复"}  # fmt: skip
CASE_BACKLOG_DAYS = 20  # cases accepted this many days before the month may still be open at its start


def _shares(pairs: tuple[tuple[str, float], ...], n: int, rng) -> np.ndarray:
    values, weights = zip(*pairs, strict=True)
    return np.array(values, dtype=object)[rng.choice(len(values), n, p=np.array(weights) / sum(weights))]


def _cases(dataset: str, kind: _CaseKind, feed: Feed, registry: Registry, month: str, n: int, pools: _Pools, rng):
    """n cases accepted from CASE_BACKLOG_DAYS before the month to its end: columns, and 受理 / 办结 days."""
    start, end = _month(month)
    accepted = np.sort(rng.choice(_workdays(start - dt.timedelta(days=CASE_BACKLOG_DAYS), end - dt.timedelta(days=1)),
                                  n)).astype("datetime64[D]")  # fmt: skip
    slow = rng.random(n) < kind.slow_share
    days = np.where(slow, rng.integers(*kind.slow_days, n), rng.integers(*kind.days, n))
    if kind.working_days:
        concluded = np.array([chinese_calendar.find_workday(int(k), d) for k, d in
                              zip(days, accepted.astype(object), strict=True)], dtype="datetime64[D]")  # fmt: skip
    else:
        concluded = accepted + days
    prefix = PREFIXES[dataset]
    kinds = rng.choice(3, n, p=SUBJECT_SHARES[dataset])
    subjects = _subjects(prefix, kinds, pools, rng, placeholder_codes=False)
    types = _shares(kind.types, n, rng)
    # The information objected to or repaired: a record of one of the city's departments, with its 文书号.
    sources = [d for d in registry.departments if d.id != feed.department_id]
    source = rng.integers(0, len(sources), n)
    serial = rng.integers(1, 2000, n)
    year = np.array(_years(accepted)) - (rng.random(n) < 0.3)
    city = registry.city["name"][0]

    def document(t: str, s: int, y: int, k: int) -> str:
        domain = _domain_of(sources[s].name)
        middle = {"行政处罚": domain.penalty_doc, "行政许可": domain.license_doc}.get(t)
        return f"{city}{middle}〔{y}〕{k}号" if middle else ""

    documents = np.array(
        [document(*a) for a in zip(types.tolist(), source.tolist(), year.tolist(), serial.tolist(), strict=True)],
        dtype=object,
    )
    months = accepted.astype("datetime64[M]").astype(object)
    numbers = np.array([f"{kind.number}{m:%Y%m}{k:04d}" for k, m in enumerate(months.tolist(), start=1)], dtype=object)
    frame = {
        f"{prefix}_bh": numbers,
        f"{prefix}_zt_mc": subjects[f"{prefix}_xdr_mc"],
        f"{prefix}_shxym": subjects[f"{prefix}_xdr_shxym"],
        f"{prefix}_zjhm": subjects[f"{prefix}_xdr_zjhm"],
        f"{prefix}_xxlx": types,
        f"{prefix}_xxbh": documents,
        f"{prefix}_slrq": accepted,
        f"{prefix}_bjrq": concluded,
        f"{prefix}_jg": _shares(kind.results, n, rng),
    }
    if dataset == "objection":
        frame["yy_xxly"] = np.array([sources[s].name for s in source.tolist()], dtype=object)
    else:
        frame["xf_slbm"] = np.full(n, feed.department_name, dtype=object)
    return frame, accepted, concluded


def _case_files(
    inbox: Path, feed: Feed, style: _Style, days: list[dt.date], pools: _Pools, records: int, rng, tz, month: str
) -> list[DeliveredFile]:
    """Weekly files of the credit center's 异议 or 信用修复 register: the first holds the cases open at the month's
    start and those accepted since; each file then the cases accepted or concluded since the last one. A case
    still open on a file's day comes without 办结日期 and result and comes again once concluded (a new version).
    Faults: those of every feed, results in the clerk's words (LOCAL_CODE_RATE) and swapped dates."""
    dataset = feed.dataset
    kind = CASE_KINDS[dataset]
    prefix = PREFIXES[dataset]
    count = max(records // kind.per_records, 12)
    cases, accepted, concluded = _cases(dataset, kind, feed, load_registry(), month, count, pools, rng)
    folder = inbox / feed.department_id / feed.id
    folder.mkdir(parents=True, exist_ok=True)
    start = np.datetime64(_month(month)[0], "D")
    delivered = []
    for k, day in enumerate(np.array(days, dtype="datetime64[D]")):
        since = np.datetime64(days[k - 1], "D") if k else start
        closed = concluded < day
        rows = (accepted < day) & ((accepted >= since) | (closed & (concluded >= since)) | (k == 0) & ~closed)
        if k == 0:
            rows &= concluded >= start
        if not rows.any():  # nothing accepted or concluded that week: no file
            continue
        part = _take(cases, np.flatnonzero(rows))
        open_ = ~closed[rows]
        part[f"{prefix}_bjrq"] = np.where(open_, np.datetime64("NaT"), part[f"{prefix}_bjrq"])
        part[f"{prefix}_jg"] = np.where(open_, "", part[f"{prefix}_jg"]).astype(object)
        local = _quota(rng, ~open_, LOCAL_CODE_RATE)
        part[f"{prefix}_jg"][local] = [LOCAL_RESULTS[r] for r in part[f"{prefix}_jg"][local].tolist()]
        swapped = _quota(rng, ~open_, SWAPPED_DATES_RATE)
        part[f"{prefix}_slrq"], part[f"{prefix}_bjrq"] = (
            np.where(swapped, part[f"{prefix}_bjrq"], part[f"{prefix}_slrq"]),
            np.where(swapped, part[f"{prefix}_slrq"], part[f"{prefix}_bjrq"]),
        )
        part = _with_faults(dataset, part, len(part[f"{prefix}_bh"]), rng)
        delivered.append(_write_delivery(folder, feed, style, part, _delivered_at(day.astype(object), rng, tz), k + 1,
                                         rng))  # fmt: skip
    return delivered


# --- Public API -------------------------------------------------------------------------------------------
def generate_feeds(
    inbox: Path, *, month: str = "2025-09", seed: int = 20250930, records_per_feed: int = 400
) -> list[DeliveredFile]:
    """One month of deliveries for every file feed of the registry, into inbox/<department>/<feed>/.

    Each feed delivers weekly on its department's weekday (the next working day when that is a holiday),
    up to the first delivery after the month; every file's mtime is its delivery time. The rows of a feed
    (records_per_feed, duplicates included) are decisions of the month, mostly reported on time.
    """
    registry = load_registry()
    tz = registry.timezone
    pools = _pools(_feed_rng(seed, "pools"), records_per_feed * len(_file_feeds(registry)), registry.city["name"])
    delivered = []
    for feed in _file_feeds(registry):
        rng = _feed_rng(seed, feed.id)
        style = _style_for(feed, _department_index(registry, feed))
        if feed.dataset not in BUILDERS:
            days = _delivery_days(month, _department_index(registry, feed) % 5)
            if feed.dataset in CASE_KINDS:
                delivered += _case_files(inbox, feed, style, days, pools, records_per_feed, rng, tz, month)
                continue
            write = {"credit_list": _credit_list_files, "subject_registry": _register_files}[feed.dataset]
            delivered += write(inbox, feed, style, days, pools, records_per_feed, rng, tz)
            continue
        issuer = _issuer(feed, registry, seed)
        deliveries = _deliveries(month, _department_index(registry, feed) % 5)
        weights = np.array([len(d.on_time) for d in deliveries], dtype=float)
        counts = rng.multinomial(records_per_feed, weights / weights.sum())
        decided = _decision_dates(deliveries, counts, rng)
        seq = _month(month)[0].month * records_per_feed + np.argsort(np.argsort(decided, kind="stable")) + 1
        frame = _records(feed.dataset, decided, seq, issuer, pools, rng)
        folder = inbox / feed.department_id / feed.id
        folder.mkdir(parents=True, exist_ok=True)
        offsets = np.concatenate([[0], np.cumsum(counts)])
        for k, delivery in enumerate(deliveries):
            if counts[k] == 0:
                continue
            part = {name: col[offsets[k] : offsets[k + 1]] for name, col in frame.items()}
            order = np.argsort(part[datasets.get(feed.dataset).decision_date], kind="stable")
            part = {name: col[order] for name, col in part.items()}
            at = _delivered_at(delivery.day, rng, tz)
            delivered.append(_write_delivery(folder, feed, style, part, at, k + 1, rng))
    return delivered


def _write_delivery(
    folder: Path,
    feed: Feed,
    style: _Style,
    part: dict,
    at: dt.datetime,
    batch: int,
    rng: np.random.Generator,
    pasted: bool = True,
) -> DeliveredFile:
    title = DATASET_TITLES[feed.dataset]
    prefix = PREFIXES[feed.dataset].upper()
    path = folder / style.file_name.format(
        title=title, department=feed.department_name, feed=feed.id, prefix=prefix, at=at
    )
    header, columns = _table(feed.dataset, part, style, rng)
    if pasted:
        _paste_twice(columns, rng)
    if style.xlsx:
        _write_xlsx(path, f"{feed.department_name}{at.year}年{at.month}月{title}信息公示表（第{batch}批）",
                    header, columns, at)  # fmt: skip
    else:
        _write_csv(path, header, [columns], style)
    _deliver(path, at)
    return DeliveredFile(path, feed.department_id, feed.id, feed.dataset, at, len(columns[0]))


def write_large_csv(
    path: Path, dataset: str, rows: int, *, seed: int = 1, encoding: str = "utf-8", month: str = "2025-09"
) -> int:
    """A benchmark file: `rows` data rows of one department, national labels as headers, ISO dates.

    Generated and written in blocks of BLOCK_ROWS rows with the fault mix of generate_feeds. The file stands
    for one delivery after the month (its mtime), so LATE_RATE of the rows are late relative to it.
    Returns the number of data rows written.
    """
    registry = load_registry()
    feed = next((f for f in _file_feeds(registry) if f.dataset == dataset), None)
    if feed is None:
        raise ValueError(f"departments.yaml 中没有数据集 {dataset!r} 的文件报送渠道")
    style = _Style("labels", ("iso",), path.name, encoding=encoding)
    issuer = _issuer(feed, registry, seed)
    pools = _pools(_feed_rng(seed, "pools"), rows, registry.city["name"])
    (delivery,) = _deliveries(month, _department_index(registry, feed) % 5, single=True)
    header = [f.label for f in fields(dataset)]

    def blocks() -> Iterator[list[np.ndarray]]:
        for start in range(0, rows, BLOCK_ROWS):
            rng = np.random.default_rng([seed, 1, start])
            size = min(BLOCK_ROWS, rows - start)
            decided = _decision_dates([delivery], np.array([size]), rng)
            frame = _records(dataset, decided, start + np.arange(size) + 1, issuer, pools, rng)
            yield _paste_twice(_table(dataset, frame, style, rng)[1], rng)

    path.parent.mkdir(parents=True, exist_ok=True)
    written = _write_csv(path, header, blocks(), style)
    _deliver(
        path,
        _delivered_at(
            delivery.day, np.random.default_rng([seed, 2]), registry.timezone
        ),
    )
    return written
