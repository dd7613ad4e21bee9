"""The ingest DAG as Airflow parses it (its file alone), for tests that read its tasks or call their bodies."""

from __future__ import annotations

from citycredit.core import paths


def ingest_dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(paths.DAGS_DIR / "citycredit_ingest.py"))
