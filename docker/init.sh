#!/usr/bin/env bash
# The airflow-init service of docker-compose.yaml: runs once before the other Airflow services start.
# Safe to run again: every step converges.
set -euo pipefail

# Airflow metadata schema and the citycredit pools (citycredit.airflow_env.POOLS).
python -c 'from citycredit import airflow_env; airflow_env.initialize()'

# The warehouse connection, rebuilt from .env so a changed password takes effect on the next start.
airflow connections delete citycredit_warehouse >/dev/null 2>&1 || true
airflow connections add citycredit_warehouse \
    --conn-type postgres \
    --conn-host "${WAREHOUSE_DB_HOST}" \
    --conn-port "${WAREHOUSE_DB_PORT}" \
    --conn-schema "${WAREHOUSE_DB_NAME}" \
    --conn-login "${WAREHOUSE_DB_USER}" \
    --conn-password "${WAREHOUSE_DB_PASSWORD}"

# Pending warehouse migrations (the ingest DAG applies them too; doing it here fails the start early when the
# warehouse cannot be reached).
python - <<'PY'
import os

import sqlalchemy as sa

from citycredit import migrations, warehouse

url = sa.URL.create(
    "postgresql+psycopg2",
    username=os.environ["WAREHOUSE_DB_USER"],
    password=os.environ["WAREHOUSE_DB_PASSWORD"],
    host=os.environ["WAREHOUSE_DB_HOST"],
    port=int(os.environ["WAREHOUSE_DB_PORT"]),
    database=os.environ["WAREHOUSE_DB_NAME"],
)
applied = migrations.upgrade(warehouse.engine(url.render_as_string(hide_password=False)))
print(f"warehouse {url.render_as_string(hide_password=True)}: {len(applied)} migrations applied")
PY

# The landing folders departments deliver into and the provincial outbox, on the shared volumes.
mkdir -p "${CITYCREDIT_HOME}/landing/inbox" "${CITYCREDIT_HOME}/landing/archive" \
         "${CITYCREDIT_HOME}/landing/rejected" "${CITYCREDIT_HOME}/outbox"
