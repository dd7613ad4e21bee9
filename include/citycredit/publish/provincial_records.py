"""Canonical rows as the province receives them: its column identifiers, date format and codes; ID numbers masked."""

from __future__ import annotations

from citycredit.core import config
from citycredit.publish.export_format import DatasetFormat, Profile


def _mask_free_text(s):
    """Numbers readable as ID numbers in free text masked; only cells with 15 digits or more (in any spelling:
    spaced, dashed, split by invisible characters) go through privacy.mask_ids_in_text."""
    from citycredit.core import privacy

    hit = s.str.count(r"[0-9０-９]").ge(15).fillna(False).astype(bool)
    if not hit.any():
        return s
    s = s.copy()
    s[hit] = s[hit].map(privacy.mask_ids_in_text)
    return s


def _map_codes(s, mapping: dict[str, str], multi: bool):
    """Canonical code values to the province's; a multi-valued cell ("警告;罚款") item by item."""
    if multi:
        items = _map_codes(s.str.split(";").explode(), mapping, multi=False)
        joined = items.dropna().groupby(level=0).agg(";".join)
        return joined.reindex(s.index)
    mapped = s.map(mapping)
    return mapped.where(mapped.notna(), s)


def provincial_records(frame, ds: DatasetFormat, profile: Profile):
    """Canonical rows (dates as YYYY-MM-DD text) → the province's columns: formatted, coded and masked."""
    import pandas as pd

    from citycredit.core import privacy

    types = {f.name: f.type for f in config.fields(ds.name)}
    out = pd.DataFrame(index=frame.index)
    for name, identifier in ds.columns.items():
        s = frame[name].astype(object).where(frame[name].notna(), None)
        if types[name] == "date":
            s = pd.to_datetime(s, format="%Y-%m-%d").dt.strftime(profile.date_format)
        if name in ds.masked:
            s = privacy.mask_id_series(s)
        elif types[name] == "text":
            s = _mask_free_text(s.astype("string"))
        if name in ds.code_values:
            s = _map_codes(s, ds.code_values[name], multi=types[name] == "multi_code")
        out[identifier] = s.astype(object).where(s.notna(), None)
    return out
