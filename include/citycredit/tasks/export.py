"""The export DAG's tasks: the day publication windows are evaluated for, the outbox files, the province push."""

from __future__ import annotations

from datetime import date, datetime

from citycredit.core import city, warehouse


class NotConfigured(Exception):
    """No provincial endpoint is configured: the push task is skipped."""


def city_timezone() -> str:
    """The city's time zone, in which the export's morning run is scheduled."""
    return city.timezone().key


def as_of(requested: str | None, run_after: datetime) -> str:
    """The day a run evaluates publication windows for: the one asked for, else the run's day in the city."""
    day = date.fromisoformat(requested) if requested else run_after.astimezone(city.timezone()).date()
    return day.isoformat()


def write_outbox(day: str) -> list[int]:
    """The ids of the outbox batches written."""
    from citycredit.publish import outbox

    return [r.batch_id for r in outbox.export_outbox(warehouse.engine(), date.fromisoformat(day))]


def push_to_province(day: str) -> list[int]:
    """The ids of the batches the province acknowledged in full; NotConfigured when no endpoint is set."""
    from citycredit.publish import province_push

    try:
        endpoint = province_push.resolve_endpoint()
    except province_push.NotConfigured as exc:
        raise NotConfigured(str(exc)) from exc
    batches = province_push.push_to_province(warehouse.engine(), date.fromisoformat(day), endpoint=endpoint)
    return [r.batch_id for r in batches]
