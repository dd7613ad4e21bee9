import pytest
import sqlalchemy as sa

from citycredit.core import config, migrations, warehouse

pytestmark = pytest.mark.db


def test_from_empty_creates_every_stage_schema_and_records_versions(engine):
    with engine.connect() as conn:
        schemas = set(conn.execute(sa.text("SELECT nspname FROM pg_namespace")).scalars())
        recorded = conn.execute(sa.text("SELECT version FROM public.schema_migrations ORDER BY 1")).scalars().all()
    assert {"landing", "staging", "core", "quality", "mart", "export"} <= schemas
    assert recorded == [m.version for m in migrations.available()]


def test_applying_twice_changes_nothing(engine):
    assert migrations.upgrade(engine) == []
    assert migrations.current_version(engine) == migrations.available()[-1].version


def test_a_changed_applied_migration_is_refused(engine, tmp_path):
    for m in migrations.available():
        (tmp_path / m.path.name).write_text(m.sql + "\n-- edited\n", encoding="utf-8")
    with pytest.raises(migrations.MigrationError, match="changed after it was applied"):
        migrations.upgrade(engine, tmp_path)


@pytest.mark.parametrize("dataset", ["license", "penalty"])
def test_staging_and_core_tables_hold_every_canonical_column(engine, dataset):
    with engine.connect() as conn:

        def columns(schema, table):
            return set(
                conn.execute(
                    sa.text(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t"
                    ),
                    {"s": schema, "t": table},
                ).scalars()
            )

        staging, core = columns("staging", f"{dataset}_rows"), columns("core", dataset)
    names = set(config.field_names(dataset))
    assert names <= staging
    assert names <= core


def test_airflow_connection_uri_is_read_as_psycopg2():
    assert warehouse.sqlalchemy_url("postgres://u:p@h:5432/db") == "postgresql+psycopg2://u:p@h:5432/db"
    assert warehouse.sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"


def test_no_table_keeps_two_copies_of_one_index(engine):
    """Every index costs time on each of the millions of rows a load writes: the same one twice is pure cost."""
    with engine.connect() as conn:
        twins = conn.execute(
            sa.text(
                """
                SELECT i.indrelid::regclass::text, array_agg(i.indexrelid::regclass::text ORDER BY 1)
                FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname IN ('landing', 'staging', 'core', 'quality', 'mart', 'export')
                GROUP BY i.indrelid, i.indkey::text, i.indclass::text, pg_get_expr(i.indexprs, i.indrelid),
                         pg_get_expr(i.indpred, i.indrelid)
                HAVING count(*) > 1
                """
            )
        ).all()
    assert twins == []
