"""Check characters of Chinese identifiers, one value at a time (docs/domain.md §2).

- 统一社会信用代码, GB 32100-2015: 18 characters, mod-31 check over the 31-character alphabet;
  positions 9-17 are the 组织机构代码 with its own GB 11714 mod-11 check.
- 居民身份证号码, GB 11643-1999: mod-11 check, "10X98765432".
- 工商注册号 (15 digits), GB/T 17710 hybrid MOD 11,10.

Pure Python without numpy or pandas, so the feed registry can check department codes when a DAG is parsed.
Whole columns are checked by the vectorised functions in `citycredit.core.identifiers`.
"""

from __future__ import annotations

import functools
from operator import mul

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
# 个体工商户 without a USCC: 17 zeros + X (docs/domain.md §1.5 R5). It fails the checksum and is accepted by name.
USCC_PLACEHOLDER = "00000000000000000X"


@functools.cache
def _org_value(ch: str) -> int:
    """GB 11714 uses the full A-Z range: A=10 ... Z=35."""
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


@functools.cache
def _uscc_value(ch: str) -> int:
    return USCC_ALPHABET.index(ch)


def _weighted(value, body: str, weights: tuple[int, ...]) -> int:
    """Σ value × weight, with map and cached values: a 联合奖惩 核查 checks ten thousand codes at a time."""
    if len(body) != len(weights):
        raise ValueError(f"{body!r}: {len(weights)} characters expected")
    return sum(map(mul, map(value, body), weights))


def uscc_check_char(body17: str) -> str:
    total = _weighted(_uscc_value, body17, USCC_WEIGHTS)
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    total = _weighted(_org_value, body8, ORG_WEIGHTS)
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def id_check_char(body17: str) -> str:
    total = sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def regno_check_char(body14: str) -> str:
    """GB/T 17710 hybrid system MOD 11,10 over the first 14 digits of a 15-digit 工商注册号."""
    p = 10
    for c in body14:
        s = (p + int(c)) % 10 or 10
        p = (s * 2) % 11
    return str((11 - p) % 10)
