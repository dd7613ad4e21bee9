"""The structural roles of each dataset's columns: the natural key, the subject's identifiers, the dates.

Every dataset with a warehouse path has a staging table ``staging.<name>_rows`` (all text) and a core table
``core.<name>`` of record versions. A record's natural key is ``key_columns`` plus ``subject_key`` (统一社会信用代码,
else 工商注册号, else 证件号码, else the name): exactly one version per key is current.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from citycredit.core import checkdigits, config

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str  # Chinese name, for people
    key_columns: tuple[str, ...]  # natural key besides subject_key
    subject_name: str
    subject_code: str  # 统一社会信用代码
    registration_no: str | None  # 工商注册号 (with the placeholder code)
    id_number: str | None  # 证件号码 (自然人)
    decision_date: str | None  # the date a record's timeliness counts from
    source_code: str | None = None  # 数据来源单位统一社会信用代码 (双公示)
    document_no: str | None = None  # 决定文书号 (双公示): with source_code, what a correction is matched on

    @property
    def staging_table(self) -> str:
        return f"staging.{self.name}_rows"

    @property
    def core_table(self) -> str:
        return f"core.{self.name}"

    @property
    def columns(self) -> list[str]:
        return config.field_names(self.name)

    @property
    def key(self) -> tuple[str, ...]:
        """The natural key: key_columns and subject_key."""
        return (*self.key_columns, "subject_key")

    @property
    def subject_identifiers(self) -> tuple[str, ...]:
        """The columns subject_key is the first non-empty of, in order (the name last)."""
        return tuple(c for c in (self.subject_code, self.registration_no, self.id_number, self.subject_name) if c)

    # subject_key is computed twice, by validation over a frame and by the load in SQL: the two definitions stand
    # here side by side, and tests/load/test_subject_key.py runs both on the same rows.
    def subject_key(self, frame: pd.DataFrame) -> pd.Series:
        """The subject key of each row: the first present subject identifier, the 统一社会信用代码 placeholder
        counting as absent; "" when there is none."""
        import pandas as pd  # here: the column roles are read by modules that never touch a frame

        subject = pd.Series(pd.NA, index=frame.index, dtype="str")
        for column in reversed(self.subject_identifiers):
            value = frame[column]
            if column == self.subject_code:
                value = value.mask(value == checkdigits.USCC_PLACEHOLDER)
            subject = value.where(value.notna(), subject)
        return subject.fillna("")

    def subject_key_sql(self, value: str) -> str:
        """`subject_key` as SQL, given how to read a column (e.g. "s.{}" or "r.row_data->>'{}'"); the placeholder
        code is the bind parameter ``:placeholder``."""
        code, *rest = self.subject_identifiers
        others = "".join(f", {value.format(c)}" for c in rest)
        return f"COALESCE(NULLIF({value.format(code)}, :placeholder){others}, '')"


LICENSE = Dataset(
    "license", "行政许可", ("xk_lydwdm", "xk_wsh"), "xk_xdr_mc", "xk_xdr_shxym", "xk_xdr_gszc", "xk_xdr_zjhm",
    "xk_jdrq", source_code="xk_lydwdm", document_no="xk_wsh",
)  # fmt: skip
PENALTY = Dataset(
    "penalty", "行政处罚", ("cf_sjlydm", "cf_wsh"), "cf_xdr_mc", "cf_xdr_shxym", "cf_xdr_gszc", "cf_xdr_zjhm",
    "cf_jdrq", source_code="cf_sjlydm", document_no="cf_wsh",
)  # fmt: skip
# A listing period: one subject on one list of one 认定部门, from one 列入日期. An exit is a new version of the
# period (移出日期 set); a re-entry has another 列入日期 and so is another period.
CREDIT_LIST = Dataset(
    "credit_list", "信用名单", ("md_rdbm", "md_lx", "md_lrrq"), "md_zt_mc", "md_shxym", None, "md_zjhm", "md_lrrq"
)
# The market-subject register of 市场监管: one record per subject; a change of status is a new version.
SUBJECT_REGISTRY = Dataset("subject_registry", "市场主体登记", (), "zt_mc", "zt_shxym", "zt_zch", None, "zt_clrq")
# The feeds of the indicators of 济信用办〔2020〕14号 items 二十, 三十四 to 三十六 (include/config/indicators.yaml).
CREDIT_COMMITMENT = Dataset(
    "credit_commitment", "信用承诺", ("cn_slbm", "cn_wsh"), "cn_zt_mc", "cn_shxym", None, "cn_zjhm", "cn_rq"
)
OBJECTION = Dataset("objection", "信用信息异议", ("yy_bh",), "yy_zt_mc", "yy_shxym", None, "yy_zjhm", "yy_slrq")
CREDIT_REPAIR = Dataset("credit_repair", "信用修复", ("xf_bh",), "xf_zt_mc", "xf_shxym", None, "xf_zjhm", "xf_slrq")
# 联合奖惩 cases (济信用办〔2020〕14号 item 二十六): one case of one 实施部门, about one subject.
JOINT_SANCTION = Dataset(
    "joint_sanction", "联合奖惩案例", ("jc_ssbm", "jc_bh"), "jc_zt_mc", "jc_shxym", None, "jc_zjhm", "jc_ssrq"
)
# The cases the city reports itself (平信用办〔2020〕2号 二.2); a 领域 or a 名单 names no subject (subject_key '').
CASE_REGISTER = Dataset(
    "case_register", "城市上报案例", ("al_bsdw", "al_bh"), "al_zt_mc", "al_shxym", None, "al_zjhm", "al_fsrq"
)
SHUANGGONGSHI = {d.name: d for d in (LICENSE, PENALTY)}
ALL = {
    d.name: d
    for d in (LICENSE, PENALTY, CREDIT_LIST, SUBJECT_REGISTRY, CREDIT_COMMITMENT, OBJECTION, CREDIT_REPAIR,
              JOINT_SANCTION, CASE_REGISTER)
}  # fmt: skip


def get(name: str) -> Dataset:
    try:
        return ALL[name]
    except KeyError:
        raise ValueError(f"dataset {name!r} has no warehouse pipeline yet") from None
