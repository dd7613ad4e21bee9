"""The task layer: the bodies of the DAGs' tasks, one module per DAG (``ingest``, ``monthly``, ``export``).

DAG files import only this package; each task body takes and returns references (feed ids, batch ids, months,
days), never frames.
"""

from citycredit.core import privacy

privacy.install_log_masking()  # every task process imports the task layer: its logs never show a 身份证 number
