"""The plans PostgreSQL chooses for what the code under test runs, read with EXPLAIN just before each statement."""

from __future__ import annotations

import contextlib

import sqlalchemy as sa

# An inner side read through these depends on the outer row (an index lookup, a lateral list): a nested loop over
# it reads only what matches.
_PARAMETERIZED = {"Index Scan", "Index Only Scan", "Bitmap Heap Scan", "Memoize", "Values Scan", "Function Scan",
                  "Result"}  # fmt: skip
_PASSING = {"Materialize", "Subquery Scan", "Limit", "Sort"}  # nodes that pass their input on, reread on each loop


@contextlib.contextmanager
def captured(engine: sa.Engine):
    """(statement, JSON plan) of every data statement the engine runs inside the block, in order."""
    plans: list[tuple[str, dict]] = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        words = statement.split()
        if words and words[0].upper() in {"SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "CREATE"}:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            plans.append((" ".join(words), cursor.fetchone()[0][0]["Plan"]))

    sa.event.listen(engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        sa.event.remove(engine, "before_cursor_execute", explain)


def products(plan: dict) -> list[str]:
    """The nested loops of ``plan`` that read their whole inner side once per outer row (a product of the two
    sides, filtered), unless the outer side is one row by construction (an aggregate without groups)."""
    found = []
    children = {c.get("Parent Relationship"): c for c in plan.get("Plans", [])}
    if plan["Node Type"] == "Nested Loop":
        outer, inner = children["Outer"], children["Inner"]
        while inner["Node Type"] in _PASSING:
            inner = inner["Plans"][0]
        single_row = outer["Node Type"] == "Aggregate" and outer.get("Strategy") == "Plain"
        if inner["Node Type"] not in _PARAMETERIZED and not single_row:
            found.append(f"{outer['Node Type']} × {inner['Node Type']} {inner.get('Relation Name', '')}".strip())
    for child in plan.get("Plans", []):
        found += products(child)
    return found


def summary(plans: list[tuple[str, dict]]) -> list[tuple[str, list[str]]]:
    """Each statement (its first words) whose plan has products, with them."""
    return [(statement[:90], found) for statement, plan in plans if (found := products(plan))]


def reads(plan: dict, relation: str) -> list[str]:
    """How ``plan`` reads the table ``relation``: each scan's node type, index and whether it looks up the rows of
    one outer row (``Index Cond`` on an outer value) or reads them all. The table an UPDATE writes (ModifyTable)
    is not a read of it."""
    found = []
    if plan.get("Relation Name") == relation and plan["Node Type"] != "ModifyTable":
        lookup = "lookup" if "Index Cond" in plan else "whole"
        found.append(" ".join(filter(None, [plan["Node Type"], plan.get("Index Name"), lookup])))
    for child in plan.get("Plans", []):
        found += reads(child, relation)
    return found
