"""Which loaded version fixes which quarantined row: the match that both load paths record in ``quality.corrections``
(``merge`` in delivery order, ``versions`` for a batch merged into later ones)."""

from __future__ import annotations

from citycredit.core import datasets

COLUMNS = "quarantine_batch_id, quarantine_source_row, dataset, record_id, batch_id, source_row, corrected_on"


def candidates(dataset: datasets.Dataset, versions: str, where: str = "true", typed: bool = False) -> str:
    """SQL of the pairs of a quarantined row (``q``) and a version of ``versions`` (``n``, filtered by ``where``)
    that fixes it: the same key columns, and the same subject or the same subject's name. Its columns are
    ``COLUMNS``; ``:dataset`` is bound by the caller, and ``:placeholder``. ``typed``: ``versions`` is the core
    table (typed columns, no name key column) rather than a load's temporary table of staged text.

    Each join needs an equality to hash on: the key columns where the dataset has them (the subject and the name
    then only filter the few rows of the same key; as hash keys, the name's key would be computed for every
    quarantined row), else the subject and the name, one join each. Joined on "subject or name" alone, every
    quarantined row was compared with every version: 66 s for 1,000 new 市场主体登记 versions against 100,000
    quarantined rows."""
    value = "n.{}::text" if typed else "n.{}"
    name_key = f"quality.name_key(n.{dataset.subject_name})" if typed else "n.name_key"
    keys = "".join(f" AND q.row_data->>'{k}' = {value.format(k)}" for k in dataset.key_columns)
    same_subject = dataset.subject_key_sql("q.row_data->>'{}'") + " = n.subject_key"
    same_name = f"quality.name_key(q.row_data->>'{dataset.subject_name}') = {name_key}"
    joins = [f"({same_subject} OR {same_name})"] if dataset.key_columns else [same_subject, same_name]
    return " UNION ALL ".join(
        "SELECT q.batch_id AS quarantine_batch_id, q.source_row AS quarantine_source_row, q.dataset, n.record_id,"
        " n.batch_id, n.source_row, n.reported_on AS corrected_on"
        f" FROM {versions} n JOIN quality.quarantine q ON q.dataset = :dataset{keys} AND {same} WHERE {where}"
        for same in joins
    )
