"""A file's headers → the canonical columns of fields.yaml.

Matching folds what departments vary and looks the folded key up among the labels, names and aliases of
fields.yaml (spellings belong in that alias list, not here):

- full-width forms, blanks, invisible characters, bracket styles, case and the required-field markers * ※;
- 繁體 characters (行政相對人名稱 is 行政相对人名称);
- a bracketed filling hint after a label: (必填), (选填), (YYYY-MM-DD), (格式:...);
- the ``_n`` numbering of 行政相对人代码_n(统一社会信用代码), and the reader's "X#2" for a repeated header;
- a second language before or after the Chinese label: "行政相对人名称 Name", "Name 行政相对人名称",
  "CF_XDR_MC 行政相对人名称";
- a number after a label: 处罚类别1, 处罚类别2, 处罚类别(2).

Several headers for one field: a ``multi_code`` field (处罚类别) takes them all, its values joined as one list
(深圳's open data splits 处罚类别 into 处罚类别1 and 处罚类别2); any other field takes the first, and the rest are
duplicates. Unknown and duplicate headers feed no field: their values go to ``_extra`` and validation names
each of them in a file-level finding.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from citycredit.core import config

# Characters that carry no text: soft hyphen, zero-width and bidi marks, word joiners, BOM, C0/C1 controls
# other than the whitespace ones. Literal characters, or \xhh escapes (never \uhhhh, which RE2 lacks), so that
# Python re and RE2 (pyarrow compute) read the same class.
INVISIBLE = "\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff" r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f"

# 繁體 forms of the characters in fields.yaml's labels and aliases → the simplified ones: a template converted with
# a 简繁 tool, or typed with a 繁體 input method, names the same fields (行政相對人名稱).
_TRADITIONAL = str.maketrans(
    "萬業嚴為書會體關內冊決劃別辦務區單號場處備復複實審對屬異當錄態據數暫機來構沒註狀碼稱稅簽類組織經結統編罰營認議記許證請諾財違銷門項額",
    "万业严为书会体关内册决划别办务区单号场处备复复实审对属异当录态据数暂机来构没注状码称税签类组织经结统编罚营认议记许证请诺财违销门项额",
)
_HEADER_DROP = re.compile(f"[\\s{INVISIBLE}*※]")  # \s in Python re is Unicode-aware; * and ※ mark 必填
_BRACKETS = str.maketrans("[]【】〔〕", "()()()")
ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_NUMBERED_CODE = re.compile(r"^[^()]*_[0-9]+\(([^()]+)\)$")  # 行政相对人代码_1(统一社会信用代码)
# A bracketed filling hint after a label. Units such as (万元) are part of the label and never stripped.
_HINT = re.compile(r"\([^()]*(?:必填|选填|可选|YYYY|格式)[^()]*\)")
_RENAMED = re.compile(r"#[0-9]+$")  # the reader's name for a repeated header: "许可类别#2"
# A second language: a run of Latin letters (with digits, _ . / & ' -) before or after text that is not ASCII.
_LATIN = r"[A-Z][A-Z0-9_./&'-]*"
_LATIN_BEFORE = re.compile(rf"^(?:{_LATIN}|\({_LATIN}\))[/|:]?(?=[^\x00-\x7f])")
_LATIN_AFTER = re.compile(rf"(?:(?<=[^\x00-\x7f])|(?<=[)0-9]))[/|:]?(?:{_LATIN}|\({_LATIN}\))$")
_NUMBER_AFTER = re.compile(r"(?:_?[0-9]{1,2}|\([0-9]{1,2}\))$")


def header_key(text: str) -> str:
    """The folded form of a header used for matching.

    NFKC, no whitespace or invisible characters, no required-field markers (* ※), ASCII round brackets,
    ASCII upper case, simplified characters; "X_n(Y)" becomes "Y" because the _n numbering differs between sources.
    """
    key = _HEADER_DROP.sub("", str(text))
    key = _HEADER_DROP.sub("", unicodedata.normalize("NFKC", key))
    key = key.translate(_BRACKETS).translate(ASCII_UPPER).translate(_TRADITIONAL)
    numbered = _NUMBERED_CODE.match(key)
    return numbered.group(1) if numbered else key


def _candidates(key: str) -> list[str]:
    """The keys a folded header may match, the header as written first, then with each decoration taken off."""
    out = [key]
    for strip in (_HINT, _RENAMED, _LATIN_BEFORE, _LATIN_AFTER, _NUMBER_AFTER):
        out += [strip.sub("", k) for k in out if strip.search(k)]
    return [k for k in out if k]


@dataclass
class HeaderMap:
    """How a file's headers map to a dataset's canonical columns."""

    columns: dict[str, str] = field(default_factory=dict)  # original header → canonical name
    unknown: list[str] = field(default_factory=list)  # headers that match no field
    missing_required: list[str] = field(default_factory=list)  # canonical names of absent required fields
    duplicates: dict[str, str] = field(default_factory=dict)  # header → the field an earlier header already took

    def sources(self) -> dict[str, list[str]]:
        """Canonical name → the headers feeding it, in file order (several only for a multi_code field)."""
        out: dict[str, list[str]] = {}
        for header, name in self.columns.items():
            out.setdefault(name, []).append(header)
        return out


@functools.cache
def _lookup(dataset: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for f in config.fields(dataset):
        for text in (f.name, f.label, *f.aliases):
            key = header_key(text)
            if lookup.setdefault(key, f.name) != f.name:
                raise config.ConfigError(
                    f"fields.yaml: {dataset}: header {text!r} matches both {lookup[key]} and {f.name}"
                )
    return lookup


def match(header: str, dataset: str) -> str | None:
    """The canonical column a header names, or None."""
    lookup = _lookup(dataset)
    return next((lookup[k] for k in _candidates(header_key(header)) if k in lookup), None)


def map_headers(headers: list[str], dataset: str) -> HeaderMap:
    """Match each header to a canonical column (see the module's docstring for what is folded)."""
    multi = {f.name for f in config.fields(dataset) if f.type == "multi_code"}
    result = HeaderMap()
    taken: set[str] = set()
    for header in headers:
        name = match(header, dataset)
        if name is None:
            result.unknown.append(header)
        elif name in taken and name not in multi:
            result.duplicates[header] = name
        else:
            taken.add(name)
            result.columns[header] = name
    result.missing_required = [f.name for f in config.fields(dataset) if f.required and f.name not in taken]
    return result
