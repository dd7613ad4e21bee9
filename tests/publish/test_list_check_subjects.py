"""The faults of the codes a 联合奖惩 核查 is asked about: a long list, checked at once, must be told exactly what one
code at a time is told (list_check_subjects.identify), whatever is wrong with each code."""

from __future__ import annotations

import random

import numpy as np

from citycredit.core import checkdigits
from citycredit.publish.list_check_subjects import identify, problems
from citycredit.tools.demo.subjects import subject_pools


def _codes() -> list[str]:
    """The demo's subjects (companies and 个体工商户, old all-digit and post-2015 'MA' 组织机构代码 bodies, people's
    身份证号码) as they are and as the demo mistypes them, and each further mistake a clerk makes: a character
    mistyped (also into a letter the alphabet lacks, or lower case), one dropped or added, the placeholder."""
    pools = subject_pools(np.random.default_rng(20261208), 0, "平顶山市")
    valid = [*pools.companies.uscc, *pools.businesses.uscc, *pools.people.ids]
    mistaken = [*pools.companies.bad_uscc, *pools.businesses.bad_uscc, *pools.people.bad_ids]
    rng = random.Random(20261208)
    for code in valid:
        at = rng.randrange(18)
        mistaken.append(code[:at] + rng.choice("0123456789ABXIOZSVx") + code[at + 1 :])
        mistaken += [code[:17], code + "1", code[:6] + "00000000" + code[14:]]
    return valid + mistaken + [checkdigits.USCC_PLACEHOLDER, "91410400MA3X"]


def test_a_long_list_finds_the_faults_one_code_at_a_time_finds():
    codes = _codes()
    found = problems(codes)
    assert found == {code: identify(code)[1] for code in codes}
    assert sum(fault is None for fault in found.values()) > 800  # the valid ones, and mistakes that make another
    assert found[checkdigits.USCC_PLACEHOLDER].endswith("请按名称核查")
