"""信用承诺 records."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from citycredit.tools.demo.arrays import quota
from citycredit.tools.demo.faults import LOCAL_CODE_RATE
from citycredit.tools.demo.issuers import Issuer, chosen_items, doc_numbers, subject_kinds
from citycredit.tools.demo.subjects import Pools, subject_columns
from citycredit.tools.demo.vocabulary import BUSINESS, LEGAL, PERSON, PREFIXES


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


def commitment_records(
    decided: np.ndarray, seq: np.ndarray, issuer: Issuer, pools: Pools, rng
) -> dict[str, np.ndarray]:
    doc, items = next(v for k, v in COMMITMENTS.items() if k in issuer.name)
    n = len(decided)
    kinds = subject_kinds(n, "credit_commitment", items, rng)
    item = chosen_items(kinds, items, rng)
    subjects = subject_columns(PREFIXES["credit_commitment"], kinds, pools, rng, placeholder_codes=False)
    local = quota(rng, np.ones(n, dtype=bool), LOCAL_CODE_RATE)
    unit = issuer.deciding_units(n, rng)
    table = {field: np.array([getattr(c, field) for c in items], dtype=object)
             for field in ("type", "matter", "local_type")}  # fmt: skip
    return {
        "cn_zt_mc": subjects["cn_xdr_mc"],
        "cn_zt_lb": subjects["cn_xdr_lb"],
        "cn_shxym": subjects["cn_xdr_shxym"],
        "cn_zjhm": subjects["cn_xdr_zjhm"],
        "cn_lx": np.where(local, table["local_type"][item], table["type"][item]),
        "cn_sx": table["matter"][item],
        "cn_wsh": doc_numbers(doc, issuer, decided, seq),
        "cn_rq": decided.copy(),
        "cn_slbm": issuer.units[unit],
        "cn_slbmdm": issuer.unit_codes[unit],
    }
