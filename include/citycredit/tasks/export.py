"""The export DAG's tasks: the day publication windows are evaluated for, the outbox files, the province push."""

from __future__ import annotations

from datetime import datetime

from citycredit.feeds import registry


class NotConfigured(Exception):
    """No provincial endpoint is configured: the push task is skipped."""


def city_timezone() -> str:
    """The city's time zone, in which the export's morning run is scheduled."""
    return registry.city_timezone().key


def as_of(requested: str | None, run_after: datetime) -> str:
    from citycredit.publish import export

    return export.as_of_for_run(requested, run_after)


def write_outbox(day: str) -> list[int]:
    from citycredit.publish import outbox

    return outbox.run_outbox(day)


def push_to_province(day: str) -> list[int]:
    from citycredit.publish import province_push

    try:
        return province_push.run_province(day)
    except province_push.NotConfigured as exc:
        raise NotConfigured(str(exc)) from exc
