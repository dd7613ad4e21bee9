"""The faults of the codes a 联合奖惩 核查 is asked about: a long list, checked at once, must be told exactly what one
code at a time is told (list_check_subjects.identify), whatever is wrong with each code."""

from __future__ import annotations

import random

from citycredit.core import checkdigits
from citycredit.publish.list_check_subjects import identify, problems
from citycredit.tools.demo.subjects import uscc_code


def _codes() -> list[str]:
    """Valid codes of both kinds, and each mistake a clerk makes with them: a character mistyped (also into a letter
    the alphabet lacks, or lower case), one dropped or added, the placeholder, an ID number whose check fails."""
    rng = random.Random(20261208)
    valid = [
        uscc_code(rng.choice(["91", "92", "12", "52"]), "410400", f"{rng.randrange(10**8):08d}") for _ in range(400)
    ]
    bodies = [f"410402{rng.randrange(1950, 2010)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
              f"{rng.randrange(1000):03d}" for _ in range(400)]  # fmt: skip
    valid += [body + checkdigits.id_check_char(body) for body in bodies]
    mistaken = []
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
