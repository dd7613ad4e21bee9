"""Database feeds: a query against a department's database, streamed in chunks into one delivery per pull.

The connection (URL and credentials) is the feed's Airflow connection; the registry gives ``query`` or ``table``,
``watermark_column`` and ``chunk_size`` (`registry.SqlSource`). With a watermark column the pull reads
``SELECT * FROM (<query>) AS src WHERE <column> > <watermark> ORDER BY <column>``: only rows whose value is larger
than the largest one pulled before (rows without a value are read by the first pull only). Rows stream from a
server-side cursor, ``chunk_size`` at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from citycredit.core import warehouse
from citycredit.feeds import pulls
from citycredit.feeds.landing import Landed
from citycredit.feeds.registry import Feed, SqlSource


def pull(engine: sa.Engine, feed: Feed) -> Landed | None:
    """Pull the feed's new rows and land them as one delivery; None when there is nothing new."""
    source = cast(SqlSource, feed.source)  # registry.load gives every sql feed its SqlSource and conn_id
    return pulls.land(engine, feed, lambda since: records(feed, since), source.watermark_column)


def statement(source: SqlSource, since: str | None, dialect: sa.Dialect) -> tuple[str, dict]:
    quote = dialect.identifier_preparer.quote
    if source.table:
        base = "SELECT * FROM " + ".".join(quote(part) for part in source.table.split("."))
    else:
        base = cast(str, source.query).strip().rstrip(";")  # registry.load requires exactly one of table and query
    if not source.watermark_column:
        return base, {}
    column = f"src.{quote(source.watermark_column)}"
    where = f" WHERE {column} > :since" if since is not None else ""
    return f"SELECT * FROM ({base}) AS src{where} ORDER BY {column}", ({"since": since} if since is not None else {})


def records(feed: Feed, since: str | None) -> Iterator[sa.RowMapping]:
    source = cast(SqlSource, feed.source)
    url = warehouse.sqlalchemy_url(pulls.connection(cast(str, feed.conn_id)).get_uri())
    try:
        department_db = sa.create_engine(url, poolclass=NullPool)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise pulls.PullFailed(f"Airflow连接“{feed.conn_id}”不是可用的数据库连接：{exc}") from exc
    sql, params = statement(source, since, department_db.dialect)
    try:
        with department_db.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=source.chunk_size).execute(
                sa.text(sql), params
            )
            for chunk in result.mappings().partitions():
                yield from chunk
    except sa.exc.DBAPIError as exc:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise pulls.PullFailed(f"查询部门数据库失败（连接“{feed.conn_id}”）：{detail}；本次拉取作废") from exc
    finally:
        department_db.dispose()
