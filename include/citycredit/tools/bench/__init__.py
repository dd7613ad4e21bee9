"""``citycredit bench``: speed, memory and scale of the pipeline on generated feeds (issue 9), in one run (``run``).

Figures, each against its goal (``figures``):
1. ingest: a 行政处罚 file of ``rows`` rows (``files``) through land → normalize → validate → load (the DAG's task
   bodies in citycredit.tasks.ingest), against a bare ``COPY`` of the same file into an UNLOGGED all-text table
   (``ingest``); the same file is ingested once before, unmeasured, into a database of its own: a server's first
   ingest creates the WAL files that every later one (and the reference pipelines) recycle, as a warehouse that
   loads every day does;
2. memory: the peak RSS of the ingest process for ``big_rows`` rows, and for ``rows`` (flat as files grow);
3. scaling: the ingest time of 4 × ``rows`` rows over that of ``rows`` rows;
4. self-check: ``citycredit check`` on the ``rows``-row file against the same COPY (``check``);
5. indicators: ``compute.compute_month`` for one month over a history of ``history_rows`` / 10 and of
   ``history_rows`` records built in the warehouse with set-based SQL (``indicators``, sql/bench/): the same
   records a month, so the month and its 12-month window are identical in both, only older months are added;
6. lookups, over that large history (a market-subject register and credit-list periods added with
   sql/bench/lookups_*.sql): a subject report (``subject_report.gather``) and a 10,000-subject 联合奖惩 核查
   (``list_check.check``), each against a bare indexed lookup of the same rows in the same run (``lookups``);
   then the ingest's file once more, into the core that history filled, against its ingest into an empty core;
7. DAG parse: the import time of each DAG file beyond ``import airflow.sdk`` (``dag_parse``);
8. a small delivery: a 10-row file through the four task bodies, each in a fresh process as Airflow runs them,
   against ``python -c "import pandas"`` (``delivery``);
9. the reference pipelines a data engineer would write, on the ingest's file and suite: pandas + GX's Validator +
   COPY, and COPY + one SQL query per rule + MERGE; the ingest against the faster (``reference``).
Beside the ingest, the floor of this design (no goal): the COPY plus the ingest's loaded rows written once more into
a copy of their core table with its indexes (``core_insert_seconds``), against the COPY.
Each ingest runs in a child process (``python -m citycredit.tools.bench``; its peak RSS is what the pipeline needs)
against a fresh database of its own; everything happens in a database ``<warehouse database>_bench``
(``citycredit_bench`` for the embedded warehouse) on the configured server, dropped at the end (``database``), so
the warehouse's own data is never touched. Results: a table on stdout and ``$CITYCREDIT_HOME/bench-results.json``.
The machine may be shared with whatever else runs on it: the load average is recorded with the figures.
"""
