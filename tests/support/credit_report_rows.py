"""A company's public credit history loaded the way the pipeline loads it (staged, then merged into core), for the
tests of its 公共信用信息报告: licenses, penalties in and out of their windows, three granted 信用修复 (withdraw,
mask, flag, as `three_effects` configures them), a past and a current list period, a commitment and a 联合奖惩 case.
"""

from __future__ import annotations

from datetime import date

import yaml

from citycredit.core import paths
from citycredit.load import merge
from citycredit.publish import repairs
from support.staged_batches import LICENSE_RECORD, stage

CODE = LICENSE_RECORD["xk_xdr_shxym"]
NAME = LICENSE_RECORD["xk_xdr_mc"]
SAMR = "平顶山市市场监督管理局"
DEPT = "11410400MB0000000X"
REPAIRED_ON = date(2025, 10, 10)
DAY_BEFORE = date(2025, 10, 9)
PERSON_ID = "410402199001011234"
PERSON = "王五"

PENALTY = {
    "cf_xdr_mc": NAME, "cf_xdr_lb": "法人及非法人组织", "cf_xdr_shxym": CODE, "cf_frdb": "赵一",
    "cf_wsh": "平市监罚〔2025〕1号", "cf_wfxw": "经营超过保质期的食品", "cf_sy": "当事人经营超过保质期的食品。",
    "cf_yj": "《中华人民共和国食品安全法》第一百二十四条", "cf_cflb": "警告;罚款", "cf_nr": "警告，罚款2000元",
    "cf_nr_fk": "0.2", "cf_jdrq": "2025-09-01", "cf_yxq": "2025-09-08", "cf_gsjzq": "2026-03-01", "cf_cfjg": SAMR,
    "cf_cfjgdm": DEPT, "cf_sjly": SAMR, "cf_sjlydm": DEPT,
}  # fmt: skip
# One penalty per case the report must tell apart, by 文书号.
IN_WINDOW = PENALTY
PAST_WINDOW = {**PENALTY, "cf_wsh": "平市监罚〔2024〕9号", "cf_sy": "早已期满的处罚。", "cf_jdrq": "2024-03-01",
               "cf_gsjzq": "2024-09-01"}  # fmt: skip
WITHDRAWN = {**PENALTY, "cf_wsh": "平市监罚〔2025〕2号", "cf_sy": "将被终止公示的违法事实。"}
MASKED = {**PENALTY, "cf_wsh": "平市监罚〔2025〕3号", "cf_sy": "将被屏蔽的违法事实。"}
FLAGGED = {**PENALTY, "cf_wsh": "平市监罚〔2025〕4号", "cf_sy": "将被标注的违法事实。", "bz": "原备注"}
PERSON_PENALTY = {
    **PENALTY, "cf_xdr_mc": PERSON, "cf_xdr_lb": "自然人", "cf_xdr_shxym": None, "cf_frdb": None,
    "cf_xdr_zjlx": "身份证", "cf_xdr_zjhm": PERSON_ID, "cf_wsh": "平市监罚〔2025〕7号",
    "cf_sy": f"当事人（身份证号 {PERSON_ID}）无证经营。",
}  # fmt: skip
EXPIRED_LICENSE = {**LICENSE_RECORD, "xk_wsh": "平市监许〔2020〕3号", "xk_jdrq": "2020-01-01",
                   "xk_yxqz": "2020-01-01", "xk_yxqzi": "2025-06-30", "xk_nr": "已过期的许可"}  # fmt: skip
ANOMALY = {  # 经营异常名录, ended with its reason
    "md_zt_mc": NAME, "md_zt_lb": "法人及非法人组织", "md_shxym": CODE, "md_lx": "经营异常名录", "md_rdbm": SAMR,
    "md_lrrq": "2024-03-01", "md_lryj": "未按规定报送年度报告", "md_ycrq": "2024-09-01", "md_ycyy": "补报年度报告",
}  # fmt: skip
SERIOUS = {  # 严重违法失信名单, current
    **ANOMALY, "md_lx": "严重违法失信名单", "md_lrrq": "2025-06-01", "md_lryj": "平市监列〔2025〕7号：食品安全严重违法",
    "md_ycrq": None, "md_ycyy": None,
}  # fmt: skip
COMMITMENT = {
    "cn_zt_mc": NAME, "cn_zt_lb": "法人及非法人组织", "cn_shxym": CODE, "cn_lx": "审批替代型",
    "cn_sx": "食品经营许可告知承诺", "cn_wsh": "CN2025-0801", "cn_rq": "2025-08-01", "cn_slbm": SAMR,
}  # fmt: skip
SANCTION = {
    "jc_bh": "JC2025-001", "jc_zt_mc": NAME, "jc_zt_lb": "法人及非法人组织", "jc_shxym": CODE,
    "jc_mdlx": "严重违法失信名单", "jc_jclx": "惩戒", "jc_cs": "限制参与政府采购", "jc_ssbm": "平顶山市财政局",
    "jc_ssrq": "2025-07-01",
}  # fmt: skip


def load(engine, dataset: str, rows: list[dict], day: str = "2025-09-05", feed: str | None = None) -> None:
    with engine.begin() as conn:
        batch = stage(conn, dataset, dict(enumerate(rows, start=2)), feed_id=feed or f"scjg_{dataset}",
                      department_id="scjg", day=day)  # fmt: skip
    merge.load_batch(engine, batch)


def repair(n: int, document: str, kind: str, **values) -> dict:
    """A granted repair of the company's record `document` of category `kind`, concluded on REPAIRED_ON."""
    return {
        "xf_bh": f"XF2025{n:03d}", "xf_zt_mc": NAME, "xf_shxym": CODE, "xf_xxlx": kind, "xf_xxbh": document,
        "xf_slbm": "平顶山市发展和改革委员会", "xf_slrq": "2025-10-05", "xf_bjrq": REPAIRED_ON.isoformat(),
        "xf_jg": "准予修复", **values,
    }  # fmt: skip


def register(engine, subjects: list[tuple[str, str]], day: str = "2025-09-05") -> None:
    rows = [{"zt_mc": name, "zt_shxym": code, "zt_lx": "有限责任公司", "zt_djzt": "存续", "zt_clrq": "2015-06-01",
             "zt_qhdm": "410400", "zt_djjg": SAMR} for name, code in subjects]  # fmt: skip
    load(engine, "subject_registry", rows, day, feed="scjg_subjects")


def three_effects(directory) -> repairs.RepairRules:
    """export.yaml with two more 行政处罚 categories: 行政处罚（屏蔽） masks, 行政处罚（标注） flags (行政处罚
    withdraws, as configured)."""
    raw = yaml.safe_load((paths.CONFIG_DIR / "export.yaml").read_text(encoding="utf-8"))
    categories = raw["credit_repair"]["categories"]
    categories["行政处罚（屏蔽）"] = {"dataset": "penalty", "effect": "mask"}
    categories["行政处罚（标注）"] = {"dataset": "penalty", "effect": "flag"}
    (directory / "export.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return repairs.load_rules(directory)


def company_history(engine) -> None:
    """The company and a natural person, as the report tests read them."""
    register(engine, [(NAME, CODE)])
    load(engine, "license", [LICENSE_RECORD, EXPIRED_LICENSE])
    load(engine, "penalty", [IN_WINDOW, PAST_WINDOW, WITHDRAWN, MASKED, FLAGGED, PERSON_PENALTY])
    load(engine, "credit_list", [ANOMALY, SERIOUS])
    load(engine, "credit_commitment", [COMMITMENT])
    load(engine, "joint_sanction", [SANCTION])
    load(engine, "credit_repair", [
        repair(1, WITHDRAWN["cf_wsh"], "行政处罚"),
        repair(2, MASKED["cf_wsh"], "行政处罚（屏蔽）"),
        repair(3, FLAGGED["cf_wsh"], "行政处罚（标注）"),
    ], day="2025-10-10")  # fmt: skip
