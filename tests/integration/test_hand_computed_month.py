"""A month computed by hand, 2025-09, through the real DAGs: every indicator of include/config/indicators.yaml.

The delivery files are tests/data/hand_month/<department>/<feed>/ (its README.md says what each holds). They reach
the inbox with the receipt times below (a file drop's time of receipt is its mtime, feeds/landing.py), then
`citycredit_ingest` and `citycredit_monthly` (conf {"month": "2025-09"}) run, and `citycredit indicators --month
2025-09 --json` must give, for every indicator, the numerator, denominator and value worked out in the comments of
EXPECTED from the files and the definitions in indicators.yaml, nothing else. A new indicator without a hand-computed
value fails test_every_indicator_has_a_hand_computed_value.

The subjects (names and codes as every file writes them; the codes pass GB 32100):
  E1 平顶山恒信建材有限公司 91410400MA3X1A0132     企业, 存续
  E2 平顶山宏达物流有限公司 91410400MA3X1A021W     企业, 存续
  E3 平顶山瑞丰食品有限公司 91410400MA3X1A03XL     企业, 存续 (sthj's list writes it 平顶山市瑞丰食品有限公司)
  E4 平顶山鹰城化工有限公司 91410400MA3X1A048L     企业, 存续 (mistyped 048M in the August register, 048K in a
                                                  September 许可)
  E5 平顶山新华运输有限公司 91410400MA3X1A056F     企业, 注销 2025-09-12 (存续 in the August register)
  E6 平顶山天成建筑工程有限公司 91410400MA3X1A064A 企业, 存续
  C1 宝丰县丰收农民专业合作社 93410421MA3X1A072C   农民专业合作社, 存续
  G1 新华区李记小吃店 92410402MA3X1A080R           个体工商户, 存续
  G2 卫东区王氏五金店 92410403MA3X1A0995           个体工商户, 存续
  G3 新华区张记烟酒店 92410402MA3X1A101A           个体工商户, 注销 2025-06-30
  persons 李娜, 王强, 赵磊 (自然人, 身份证 numbers only)

The official calendar around the month (validate/workdays, chinesecalendar): September's working days are the
weekdays and Sunday 09-28 (调休); 10-01..10-08 are off (国庆节、中秋节); 10-09, 10-10 and Saturday 10-11 (调休) work.
"n working days after d" counts the working days in (d, n-th], the day d itself not counted.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from citycredit.cli import main as cli_main
from citycredit.core import paths
from citycredit.feeds import registry
from citycredit.indicators.definitions import settings_file

DATA = Path(__file__).resolve().parents[1] / "data" / "hand_month"
CITY_TZ = ZoneInfo("Asia/Shanghai")
MONTH = "2025-09"

# (file under tests/data/hand_month, the name it has in the inbox, when it reached the platform, city time).
# The inbox folder is the file's <department>/<feed>. The same bytes under a second name are a re-delivery.
DELIVERIES = [
    # jtys re-sends its April 许可 file every month until August, and sends nothing in September
    ("jtys/jtys_license/交通许可_2025年4月.csv", "交通许可_2025年4月.csv", "2025-04-10 10:00"),
    ("jtys/jtys_license/交通许可_2025年4月.csv", "交通许可_2025年5月.csv", "2025-05-12 10:00"),
    ("jtys/jtys_license/交通许可_2025年4月.csv", "交通许可_2025年6月.csv", "2025-06-10 10:00"),
    ("jtys/jtys_license/交通许可_2025年4月.csv", "交通许可_2025年7月.csv", "2025-07-10 10:00"),
    ("jtys/jtys_license/交通许可_2025年4月.csv", "交通许可_2025年8月.csv", "2025-08-11 10:00"),
    # scjg's May 处罚 file, re-sent in June, July and August
    ("scjg/scjg_penalty/行政处罚_2025年5月.csv", "行政处罚_2025年5月.csv", "2025-05-09 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025年5月.csv", "行政处罚_2025年6月.csv", "2025-06-10 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025年5月.csv", "行政处罚_2025年7月.csv", "2025-07-10 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025年5月.csv", "行政处罚_2025年8月.csv", "2025-08-08 10:00"),
    # zjj's June 许可 file, re-sent in July and August (three months: fewer than the four that make "usually")
    ("zjj/zjj_license/施工许可_202506.csv", "施工许可_202506.csv", "2025-06-05 10:00"),
    ("zjj/zjj_license/施工许可_202506.csv", "施工许可_202507.csv", "2025-07-07 10:00"),
    ("zjj/zjj_license/施工许可_202506.csv", "施工许可_202508.csv", "2025-08-05 10:00"),
    # August: the register, the lists, the first 联合奖惩 case and the first city-reported case
    ("scjg/scjg_subjects/市场主体登记_202508.csv", "市场主体登记_202508.csv", "2025-08-05 09:00"),
    ("scjg/scjg_credit_list/信用名单全量_202508.csv", "信用名单全量_202508.csv", "2025-08-06 09:00"),
    ("sthj/sthj_credit_list/严重失信主体名单_202508.csv", "严重失信主体名单_202508.csv", "2025-08-12 10:00"),
    ("fgw/fgw_case_register/城市上报案例_202508.csv", "城市上报案例_202508.csv", "2025-08-20 10:00"),
    ("fgw/fgw_joint_sanction/联合奖惩案例_202508.csv", "联合奖惩案例_202508.csv", "2025-08-25 10:00"),
    # September
    ("scjg/scjg_credit_list/信用名单全量_202509.csv", "信用名单全量_202509.csv", "2025-09-08 09:00"),
    ("sthj/sthj_credit_list/严重失信主体名单变更_202509.csv", "严重失信主体名单变更_202509.csv", "2025-09-09 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025-09-10.csv", "行政处罚_2025-09-10.csv", "2025-09-10 10:00"),
    ("fgw/fgw_joint_sanction/联合奖惩案例_202509.csv", "联合奖惩案例_202509.csv", "2025-09-10 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025-09-10.csv", "行政处罚_2025-09-10(重发).csv", "2025-09-11 09:00"),
    ("scjg/scjg_license/行政许可_2025-09-12.csv", "行政许可_2025-09-12.csv", "2025-09-12 11:00"),
    ("scjg/scjg_subjects/市场主体登记变更_202509.csv", "市场主体登记变更_202509.csv", "2025-09-15 09:00"),
    ("yjgl/yjgl_credit_list/安全生产严重失信主体名单_202509.csv", "安全生产名单_202509.csv", "2025-09-16 10:00"),
    ("scjg/scjg_commitment/信用承诺_202509.csv", "信用承诺_202509.csv", "2025-09-18 10:00"),
    ("scjg/scjg_joint_sanction/联合奖惩案例_0919.csv", "联合奖惩案例_0919.csv", "2025-09-19 15:00"),
    ("fgw/fgw_case_register/城市上报案例_202509.csv", "城市上报案例_202509.csv", "2025-09-22 10:00"),
    ("scjg/scjg_penalty/行政处罚_2025-09-24.csv", "行政处罚_2025-09-24.csv", "2025-09-24 16:00"),
    ("zjj/zjj_commitment/信用承诺_202509.csv", "信用承诺_202509.csv", "2025-09-25 10:00"),
    ("zjj/zjj_license/施工许可_202509.xlsx", "施工许可_202509.xlsx", "2025-09-26 15:00"),
    ("scjg/scjg_joint_sanction/联合奖惩案例_0929.csv", "联合奖惩案例_0929.csv", "2025-09-29 11:00"),
    ("sthj/sthj_penalty/环境行政处罚公示_202509.csv", "环境行政处罚公示_202509.csv", "2025-09-30 16:00"),
    ("fgw/fgw_credit_repair/信用修复台账_202509.csv", "信用修复台账_202509.csv", "2025-09-30 17:30"),
    # after National Day: the 异议 ledger of September (its last case's 核实 and 复函 fall on 10-09 and 10-10)
    ("fgw/fgw_objection/异议处理台账_202509.csv", "异议处理台账_202509.csv", "2025-10-10 10:00"),
]

# Every batch (feed, name in the inbox): (received, loaded, quarantined, duplicate, corrected).
# received = loaded + quarantined + duplicate; the re-deliveries above open no batch.
ACCOUNTING = {
    ("jtys_license", "交通许可_2025年4月.csv"): (1, 1, 0, 0, 0),
    ("scjg_penalty", "行政处罚_2025年5月.csv"): (1, 1, 0, 0, 0),
    ("zjj_license", "施工许可_202506.csv"): (1, 1, 0, 0, 0),
    # row 5 E4 with 048M (check character wrong: ZT-ID-SHXYM) quarantined; the other 9 loaded
    ("scjg_subjects", "市场主体登记_202508.csv"): (10, 9, 1, 0, 0),
    ("scjg_credit_list", "信用名单全量_202508.csv"): (3, 3, 0, 0, 0),
    ("sthj_credit_list", "严重失信主体名单_202508.csv"): (3, 3, 0, 0, 0),
    ("fgw_case_register", "城市上报案例_202508.csv"): (1, 1, 0, 0, 0),
    ("fgw_joint_sanction", "联合奖惩案例_202508.csv"): (1, 1, 0, 0, 0),
    # a snapshot: E1 and E5's entries as in August (duplicates); E4's 严重违法失信名单 entry is gone: an exit
    # dated the snapshot's day, 2025-09-08, 移出原因 未说明 (INFERRED_EXITS)
    ("scjg_credit_list", "信用名单全量_202509.csv"): (2, 0, 0, 2, 0),
    ("sthj_credit_list", "严重失信主体名单变更_202509.csv"): (1, 1, 0, 0, 0),
    # row 2 E1 101 and row 3 E3 102 load; row 4 (王强, 自然人 without 证件号码: CF-REQ-XDR_ZJHM-ZRR) and row 6 (E2
    # 104, 罚款 without 罚款金额: CF-CONS-NR_FK) are quarantined; row 5 repeats row 2 exactly: a duplicate
    ("scjg_penalty", "行政处罚_2025-09-10.csv"): (5, 2, 2, 1, 0),
    ("fgw_joint_sanction", "联合奖惩案例_202509.csv"): (2, 2, 0, 0, 0),
    # row 5 E4 with 048K (XK-ID-XDR_SHXYM) quarantined
    ("scjg_license", "行政许可_2025-09-12.csv"): (4, 3, 1, 0, 0),
    # E1 unchanged (a duplicate of its current version); E4 with its right code fixes August's row 5; E5 注销
    ("scjg_subjects", "市场主体登记变更_202509.csv"): (3, 2, 0, 1, 1),
    ("yjgl_credit_list", "安全生产名单_202509.csv"): (4, 4, 0, 0, 0),
    ("scjg_commitment", "信用承诺_202509.csv"): (4, 4, 0, 0, 0),
    ("scjg_joint_sanction", "联合奖惩案例_0919.csv"): (2, 2, 0, 0, 0),
    # AL-2025-08-01 again with a longer 摘要 (a new version) and nine new cases, AL-2025-09-09 of the unknown
    # category 其他案例 quarantined (AL-CODE-LB)
    ("fgw_case_register", "城市上报案例_202509.csv"): (10, 9, 1, 0, 0),
    # row 2 re-sends 104 with its 罚款金额: it fixes the quarantined row 6 of 09-10
    ("scjg_penalty", "行政处罚_2025-09-24.csv"): (3, 3, 0, 0, 1),
    ("zjj_commitment", "信用承诺_202509.csv"): (2, 2, 0, 0, 0),
    ("zjj_license", "施工许可_202509.xlsx"): (2, 2, 0, 0, 0),
    # SCJG-JC-2025-08-01 again with its 反馈日期 (a new version) and SCJG-JC-2025-08-02
    ("scjg_joint_sanction", "联合奖惩案例_0929.csv"): (2, 2, 0, 0, 0),
    ("sthj_penalty", "环境行政处罚公示_202509.csv"): (2, 2, 0, 0, 0),
    ("fgw_credit_repair", "信用修复台账_202509.csv"): (6, 6, 0, 0, 0),
    ("fgw_objection", "异议处理台账_202509.csv"): (7, 7, 0, 0, 0),
}
# Exits written for a snapshot feed, over its batches: E4's, when the September snapshot no longer held it. Which
# batch's accounting counts it depends on the order the loads ran in (load/creditlists.close_missing_periods: a
# stale batch loaded after a later snapshot writes the exit the later one implies), so the feed's sum is compared.
INFERRED_EXITS = {"scjg_credit_list": 1}
# 4 (jtys) + 3 (scjg May file) + 2 (zjj June file) + 1 (the 09-10 处罚 file re-sent on 09-11)
DUPLICATE_DELIVERIES = 10


def _city_figure(key: str) -> int | None:
    """A figure of departments.yaml city (population, code_total), as the registry reads it."""
    return ((registry.load().city or {}).get(key) or {}).get("count")


POPULATION = _city_figure("population")  # 自然人人口数 (4987137 at the time of writing)
CODE_TOTAL = _city_figure("code_total")  # 全市代码总量, null at the time of writing: the stock stands in for it

# The departments' rows of the ratio_by_department / list_exit_rate / silent_departments indicators are
# checked too, for every department listed (and no other department may have a row at dataset 'all' with a
# numerator or denominator other than 0).
PER_DEPARTMENT_QUERIES = ("ratio_by_department", "list_exit_rate", "silent_departments")

# EXPECTED[indicator][(scope_id, dataset)] = (numerator, denominator, value); scope_id "city" or a department.
# A value None with a numerator and denominator means numerator / denominator.
EXPECTED: dict[str, dict[tuple[str, str], tuple]] = {
    # ---- 双公示 (batches of license / penalty received 2025-09-01 00:00 .. 09-30 24:00 city time) ----
    # Reported rows = loaded + quarantined rows of those batches (duplicates and re-deliveries are not reports):
    #   scjg penalty 09-10: rows 2, 3 (loaded), 4, 6 (quarantined) = 4 (row 5 a duplicate); 09-24: 3  -> 7
    #   scjg license 09-12: 3 loaded + 1 quarantined                                                  -> 4
    #   zjj license 09-26 (xlsx): 2;  sthj penalty 09-30: 2.  jtys and the May/June files: none in September.
    "shuanggongshi_reported": {
        ("city", "all"): (15, None, 15),  # 7 + 4 + 2 + 2
        ("city", "license"): (6, None, 6),  # 4 + 2
        ("city", "penalty"): (9, None, 9),  # 7 + 2
        ("scjg", "all"): (11, None, 11),
        ("scjg", "penalty"): (7, None, 7),
        ("scjg", "license"): (4, None, 4),
        ("zjj", "all"): (2, None, 2),
        ("sthj", "all"): (2, None, 2),
    },
    # 正确 = loaded: scjg penalty 2 + 3 = 5 of 7, scjg license 3 of 4, zjj 2 of 2, sthj 2 of 2
    "shuanggongshi_accuracy": {
        ("city", "all"): (12, 15, None),  # 0.8
        ("city", "license"): (5, 6, None),
        ("city", "penalty"): (7, 9, None),
        ("scjg", "all"): (8, 11, None),
        ("scjg", "penalty"): (5, 7, None),
        ("scjg", "license"): (3, 4, None),
        ("zjj", "all"): (2, 2, None),
        ("sthj", "all"): (2, 2, None),
    },
    # Late = reported after the 7th working day after the decision (deadline D; reported R = day of receipt):
    #   scjg 09-10  101 E1 decided 09-05: D 09-16            on time
    #               102 E3 decided 08-28: D 09-08 < R 09-10  LATE
    #               103 王强 decided 08-29: D 09-09 < 09-10   LATE (quarantined, still a late report)
    #               104 E2 decided 09-01: D 09-10 = R        on time (quarantined)
    #   scjg 09-24  104 E2 (the correction) decided 09-01: D 09-10 < 09-24  LATE
    #               105 E4 decided 09-12: D 09-23 < 09-24   LATE
    #               106 E6 decided 09-15: D 09-24 = R       on time
    #   scjg 09-12  201..204 decided 09-09..09-11: D >= 09-18 on time
    #   zjj 09-26   31 E6 decided 09-16: D 09-25 < 09-26 LATE;  32 E1 decided 09-22: on time
    #   sthj 09-30  21 E3 decided 09-19 (Fri): 22,23,24,25,26, 28 (Sun, 调休), 29 -> D 09-29 < 09-30 LATE (without
    #               the 调休 Sunday it would be on time);  22 E2 decided 09-29: on time
    "shuanggongshi_late": {
        ("city", "all"): (6, 15, None),  # 0.4
        ("city", "license"): (1, 6, None),
        ("city", "penalty"): (5, 9, None),
        ("scjg", "all"): (4, 11, None),
        ("scjg", "penalty"): (4, 7, None),
        ("scjg", "license"): (0, 4, None),
        ("zjj", "all"): (1, 2, None),
        ("sthj", "all"): (1, 2, None),
    },
    # Every decision is in 2025, a year the calendar knows: nothing indeterminate
    "shuanggongshi_late_indeterminate": {
        ("city", "all"): (0, 15, None),
        ("scjg", "all"): (0, 11, None),
        ("zjj", "all"): (0, 2, None),
        ("sthj", "all"): (0, 2, None),
    },
    # Deliveries (new or duplicate) in the 6 months before September (2025-03..08), per department and dataset:
    #   jtys license: Apr, May, Jun, Jul, Aug = 5 >= 4: usually reports; nothing in September -> flagged
    #   scjg penalty: May, Jun, Jul, Aug = 4: usually; delivered 09-10 and 09-24 -> not flagged
    #   scjg over all its datasets: May..Aug = 4 (August also the register and the list): usually, not flagged
    #   zjj license: Jun, Jul, Aug = 3 < 4: not usually; sthj, fgw: August only
    # Department rows: numerator = months delivered, denominator 6, value 1 if flagged.
    # City rows per dataset: flagged / usually reporting.
    "shuanggongshi_silent_department": {
        ("city", "all"): (1, 2, None),  # jtys flagged of {jtys, scjg}
        ("city", "license"): (1, 1, None),  # jtys of {jtys}
        ("city", "penalty"): (0, 1, None),  # none of {scjg}
        ("jtys", "all"): (5, 6, 1),
        ("jtys", "license"): (5, 6, 1),
        ("scjg", "all"): (4, 6, 0),
        ("scjg", "penalty"): (4, 6, 0),
    },
    # Window 2024-10-01..2025-09-30. Records: current 许可/处罚 versions reported in the window and list periods
    # 列入 in it; 企业 = 法人及非法人组织 or 个体工商户.
    #   许可 (7 loaded): jtys E2 (Apr), zjj E6 (Jun), scjg E3, G1, 李娜 (自然人), zjj E6, E1      -> 6 企业, 1 自然人
    #   处罚 (8 loaded): scjg E5 (May), E1 101, E3 102, E2 104, E4 105, E6 106, sthj E3 21, E2 22 -> 8 企业
    #   名单 列入 in the window: scjg E4 03-10, E1 07-20, E5 08-01 (经营异常名录 counts as a record too);
    #     sthj E2 02-10, 赵磊 06-20 (自然人); yjgl G1 05-01, E1 09-08, E2 04-01          -> 7 企业, 1 自然人
    #     (sthj E3 2024-06-15 and yjgl E6 2023-11-01 were 列入 before the window)
    #   企业信用记录数 = 6 + 8 + 7 = 21; 自然人信用记录数 = 1 + 1 = 2
    #   存续企业数 on 09-30 (企业, 个体工商户, 农民专业合作社): E1, E2, E3, E4, E6, C1, G1, G2 = 8
    #     (E5 注销 09-12, G3 注销 06-30)
    #   自然人人口数 = departments.yaml city.population
    "subject_average_records": {
        ("city", "enterprise"): (21, 8, None),  # 2.625
        ("city", "person"): (2, POPULATION, None),
        # the sum of the two (the mart rounds each part to 10 decimals)
        ("city", "all"): (None, None, 21 / 8 + round(2 / POPULATION, 10)),
    },
    # The stock at the end of 09-30: distinct codes received (any dataset, loaded or quarantined) by then and not
    # withdrawn: the 10 codes of E1..E6, C1, G1..G3, and E4's mistyped 048K (quarantined 许可 of 09-12) = 11.
    # E4's 048M (August register) was withdrawn on 09-15 when the September register fixed that row. The 异议
    # ledger arrived on 10-10: not in the stock of 09-30.
    # 重错码 then: 错码 048K; 一码多名 E3 (平顶山瑞丰食品有限公司 in the register and the 许可/处罚,
    # 平顶山市瑞丰食品有限公司 in sthj's list) = 2. Denominator: city.code_total when configured, else the stock.
    "uscc_error_rate": {
        ("city", "all"): (2, CODE_TOTAL or 11, None),
    },
    # 重错码 open at the end of 08-31: 错码 048M (August register), 一码多名 E3 (August register and sthj's August
    # list) = 2. At the end of 09-30: 048M gone (fixed 09-15), E3's two names still there -> 1 corrected.
    "uscc_correction_rate": {
        ("city", "all"): (1, 2, None),
    },
    # Periods of 严重失信-class lists of 法人及非法人组织 touching the window 2024-10-01..09-30:
    #   scjg  E4 严重违法失信名单 03-10, exit 09-08 (the snapshot no longer holds it)
    #         E1 严重违法失信名单 07-20, open           (E5 经营异常名录 is 重点关注, not 严重失信)
    #   sthj  E3 严重失信主体名单 2024-06-15, open;  E2 严重失信主体名单 02-10, exit 09-05 (修复)
    #         (赵磊 is a 自然人)
    #   yjgl  E6 安全生产严重失信主体 2023-11-01, exit 2024-11-01 (期满); E1 09-08, open; E2 04-01, open
    #         (G1 is a 个体工商户)
    # On a list at 09-30: E1 (two lists), E3, E2 (off sthj's, still on yjgl's) = 3 distinct.
    # 法人企业 存续 on 09-30 (企业, 农民专业合作社): E1, E2, E3, E4, E6, C1 = 6.
    "serious_list_share": {
        ("city", "all"): (3, 6, None),  # 0.5
    },
    # opening_plus_added: removed in the window / (on a list on 2024-09-30 + added in the window), distinct:
    #   removed: E4 (scjg 09-08), E2 (sthj 09-05), E6 (yjgl 2024-11-01) = 3
    #   on a list on 2024-09-30: E3 (sthj), E6 (yjgl) = 2;  added: E4, E1 (scjg, yjgl), E2 (sthj, yjgl) = 3
    "serious_list_exit_rate": {
        ("city", "all"): (3, 5, None),  # 0.6
        ("scjg", "all"): (1, 2, None),  # E4 / (0 + E4, E1)
        ("sthj", "all"): (1, 2, None),  # E2 / (E3 + E2)
        ("yjgl", "all"): (1, 3, None),  # E6 / (E6 + E1, E2)
    },
    # 承诺日期 in 2024-10-01..09-30 by 法人及非法人组织 / 个体工商户 (or no 主体类别 but a code):
    #   scjg E3 09-09, G1 09-10 (李娜 is a 自然人; E1's 2024-08-20 is before the window); zjj E6 09-22 (主体类别
    #   left empty, with a code), E1 03-15 -> 4.  存续企业数 = 8 (as above).
    "credit_commitment_rate": {
        ("city", "all"): (4, 8, None),  # 0.5
    },
    # 异议 concluded (办结日期) in September: YY2025-0831 (09-01, 异议成立), 0901 (09-03, 异议成立), 0902 (09-10,
    # 部分成立), 0903 (09-19, 异议不成立), 0905 (09-30, 异议成立) = 5, upheld 4. (0904 is open, 0906 ended 10-10.)
    "objection_upheld_share": {
        ("city", "all"): (4, 5, None),  # 0.8
        ("fgw", "all"): (4, 5, None),
    },
    # upheld 4 / 许可 and 处罚 current versions reported in the window: 许可 7 + 处罚 8 = 15
    # (listed under subject_average_records)
    "objection_upheld_per_published": {
        ("city", "all"): (4, 15, None),
    },
    # Calendar days 办结 - 受理 of the 4 upheld: 0831 08-27..09-01 = 5, 0901 09-01..09-03 = 2, 0902 09-04..09-10 = 6,
    # 0905 09-25..09-30 = 5; sum 18 over 4 cases
    "objection_handling_days": {
        ("city", "all"): (18, 4, None),  # 4.5
        ("fgw", "all"): (18, 4, None),
    },
    # 转办 in September, 核实反馈 within 1 working day:
    #   0901 09-01 -> 09-02: 1 on time;  0902 09-05 (Fri) -> 09-08 (Mon): 1 on time;  0903 09-16 -> 09-18: 2 LATE;
    #   0904 09-22 -> none by 09-30: 7 passed (23..26, 28, 29, 30) LATE;  0905 09-26 (Fri) -> 09-28 (Sun, 调休): 1 on
    #   time;  0906 09-30 -> 10-09: nothing passed by 09-30, pending (in neither count).  (0831's 转办 08-28.)
    "objection_verification_late": {
        ("city", "all"): (2, 5, None),  # 0.4
        ("fgw", "all"): (2, 5, None),
    },
    # 核实反馈 in September, 复函 within 1 working day:
    #   0901 09-02 -> 09-03: 1;  0902 09-08 -> 09-10: 2 LATE;  0903 09-18 -> 09-19: 1;  0905 09-28 -> 09-30: 2 (29, 30)
    #   LATE.  (0831's 核实 08-29, 0906's 10-09; 0904 has none.)
    "objection_reply_late": {
        ("city", "all"): (2, 4, None),  # 0.5
        ("fgw", "all"): (2, 4, None),
    },
    # 信用修复 concluded in September or open at its end; working days after 受理 to 办结 (or 09-30), limit 5:
    #   XF2025-0901 09-01 -> 09-05: 4;  0902 09-10 -> 09-18: 6 OVERDUE;  0903 09-23 -> open: 24, 25, 26, 28 (调休),
    #   29, 30 = 6 OVERDUE (5 without the 调休 Sunday);  0904 09-24 -> 09-30: 5;  0905 09-25 -> open: 4.
    #   (0801 concluded 08-15: not this month's.)
    "credit_repair_overdue": {
        ("city", "all"): (2, 5, None),  # 0.4
        ("fgw", "all"): (2, 5, None),
    },
    # 联合奖惩 cases first delivered in September (current versions):
    #   scjg SCJG-JC-2025-08-01 (09-19; again 09-29 with 反馈日期: one case), SCJG-JC-2025-09-01 (09-19),
    #        SCJG-JC-2025-08-02 (09-29) = 3
    #   fgw  FGW-JC-2025-08-02, FGW-JC-2025-09-01 (09-10) = 2  (FGW-JC-2025-08-01 was first delivered 08-25)
    "joint_sanction_cases": {
        ("city", "all"): (5, None, 5),
        ("scjg", "all"): (3, None, 3),
        ("fgw", "all"): (2, None, 2),
    },
    # Due: 实施 in August: SCJG-JC-2025-08-01 (08-12), SCJG-JC-2025-08-02 (08-20), FGW-JC-2025-08-01 (08-18),
    # FGW-JC-2025-08-02 (08-05). First delivered by 09-25: SCJG-..-08-01 (09-19), FGW-..-08-01 (08-25),
    # FGW-..-08-02 (09-10); SCJG-..-08-02 came 09-29.
    "joint_sanction_reported_on_time": {
        ("city", "all"): (3, 4, None),  # 0.75
        ("scjg", "all"): (1, 2, None),
        ("fgw", "all"): (2, 2, None),
    },
    # 反馈日期 by 09-30 among the due: SCJG-..-08-01 (09-28), FGW-..-08-02 (09-08); the other two have none
    "joint_sanction_feedback_on_time": {
        ("city", "all"): (2, 4, None),  # 0.5
        ("scjg", "all"): (1, 2, None),
        ("fgw", "all"): (1, 2, None),
    },
    # City-reported cases first delivered in September (fgw's register of 09-22; AL-2025-08-01 was first
    # delivered 08-20, its new version does not count again; AL-2025-09-09 其他案例 is quarantined):
    "case_register_supervision_domains": {  # AL-2025-09-01 (written 开展行业信用监管的领域)
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
    "case_register_local_lists": {  # AL-2025-09-02
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
    "case_register_joint_punishment": {  # AL-2025-09-03 (the seed's wording), AL-2025-09-04
        ("city", "all"): (2, None, 2),
        ("fgw", "all"): (2, None, 2),
    },
    "case_register_repair_training": {  # AL-2025-09-05
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
    "case_register_exit_by_deregistration": {  # AL-2025-09-06
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
    "case_register_commitments": {  # AL-2025-09-07
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
    "case_register_exit_by_correction": {  # AL-2025-09-08 (the seed's wording)
        ("city", "all"): (1, None, 1),
        ("fgw", "all"): (1, None, 1),
    },
}

# The mart rounds shares to 6 decimals, 主体平均信用记录数 to 10.
TOLERANCE = {"subject_average_records": 1e-10}


def _instant(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=CITY_TZ).timestamp()


def _deliver(inbox: Path) -> None:
    for source, name, at in DELIVERIES:
        folder = inbox / Path(source).parent
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / name
        shutil.copyfile(DATA / source, target)
        os.utime(target, (_instant(at), _instant(at)))


def _indicator_values(capsys) -> list[dict]:
    capsys.readouterr()
    assert cli_main(["indicators", "--month", MONTH, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _mismatches(values: list[dict]) -> list[str]:
    """Every way the command's values differ from EXPECTED, as readable lines."""
    got = {(v["indicator"], v["scope_id"], v["dataset"]): v for v in values}
    queries = {i: d["query"] for i, d in settings_file()["indicators"].items()}
    problems = []
    for indicator, cells in EXPECTED.items():
        for (scope_id, dataset), (numerator, denominator, value) in cells.items():
            v = got.get((indicator, scope_id, dataset))
            if v is None:
                problems.append(f"{indicator} {scope_id}/{dataset}: no value (expected {numerator}/{denominator})")
                continue
            if value is None:
                value = numerator / denominator if denominator else None
            same_value = (v["value"] is None) == (value is None) and (
                value is None or abs(v["value"] - value) <= TOLERANCE.get(indicator, 5e-7)
            )
            if (v["numerator"], v["denominator"]) != (numerator, denominator) or not same_value:
                problems.append(
                    f"{indicator} {scope_id}/{dataset}: got {v['numerator']}/{v['denominator']} = {v['value']},"
                    f" expected {numerator}/{denominator} = {value}"
                )
        if queries.get(indicator) in PER_DEPARTMENT_QUERIES:
            listed = {s for (s, ds) in cells if s != "city" and ds == "all"}
            # a department whose rows count in neither part (e.g. the 许可/处罚 departments in the 异议 row set,
            # which holds the published records too) has 0/0 and says nothing
            found = {
                s
                for (i, s, ds), v in got.items()
                if i == indicator and s != "city" and ds == "all" and (v["numerator"] or v["denominator"])
            }
            if found != listed:
                problems.append(f"{indicator}: departments with a value {sorted(found)}, expected {sorted(listed)}")
    return problems


@pytest.mark.db
@pytest.mark.dag
def test_hand_computed_month_through_the_real_dags(run_dag, engine, capsys):
    _deliver(paths.data_path("landing", "inbox"))

    run_dag("citycredit_ingest")
    run_dag("citycredit_monthly", "--conf", json.dumps({"month": MONTH}))

    with engine.connect() as conn:
        batches = conn.execute(
            sa.text(
                "SELECT b.feed_id, b.source_name, b.status, b.status_reason, a.received, a.loaded, a.quarantined,"
                " a.duplicate, a.corrected, a.inferred_exits"
                " FROM landing.batches b LEFT JOIN quality.batch_accounting a USING (batch_id)"
            )
        ).all()
        outcomes = dict(
            conn.execute(sa.text("SELECT outcome, count(*) FROM landing.deliveries GROUP BY outcome")).all()
        )
    problems = []
    accounted, exits = {}, {}
    for b in batches:
        if b.status != "loaded" or b.received != b.loaded + b.quarantined + b.duplicate:
            problems.append(f"batch {b.feed_id}/{b.source_name}: {b.status} {b.status_reason}, {b}")
        accounted[(b.feed_id, b.source_name)] = (b.received, b.loaded, b.quarantined, b.duplicate, b.corrected)
        if b.inferred_exits:
            exits[b.feed_id] = exits.get(b.feed_id, 0) + b.inferred_exits
    for key in sorted(set(accounted) | set(ACCOUNTING)):
        if accounted.get(key) != ACCOUNTING.get(key):
            problems.append(f"batch {key}: accounted {accounted.get(key)}, expected {ACCOUNTING.get(key)}")
    if exits != INFERRED_EXITS:
        problems.append(f"inferred exits {exits}, expected {INFERRED_EXITS}")
    if outcomes != {"new": len(ACCOUNTING), "duplicate": DUPLICATE_DELIVERIES}:
        problems.append(f"delivery outcomes {outcomes}")

    values = _indicator_values(capsys)
    assert {v["month"] for v in values} == {"2025-09-01"}
    problems += _mismatches(values)
    assert not problems, "\n".join(problems)


def test_every_indicator_has_a_hand_computed_value():
    """A new indicator in indicators.yaml must get its hand-computed value here (and one removed, its entry gone)."""
    defined = set(settings_file()["indicators"])
    assert defined - set(EXPECTED) == set(), "indicators without a hand-computed value in EXPECTED"
    assert set(EXPECTED) - defined == set(), "EXPECTED names indicators indicators.yaml no longer defines"
    for indicator, cells in EXPECTED.items():
        assert any(scope == "city" for scope, _ in cells), f"{indicator}: no city value expected"
