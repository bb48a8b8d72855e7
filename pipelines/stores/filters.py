"""Haystack metadata filters translated to SQLite SQL (the WHERE clause of the SQLite store).

The semantics follow Haystack's reference implementation (``haystack.utils.filters``, used by
InMemoryDocumentStore), so a filter selects the same documents in every store:

- a missing meta field compares as None: ``==`` None matches it, ``!=`` x and ``not in`` match it,
  ``>``/``>=``/``<``/``<=`` never do;
- ordering operators take numbers or ISO 8601 dates (strings or ``datetime``); any other string,
  a list or a tuple raises ``FilterError``; dates are compared as points in time (``julianday``);
- ``in``/``not in`` need a ``list``;
- NOT negates the AND of its conditions.

Usage::

    >>> sql, params = filters_to_sql({"field": "meta.jenis", "operator": "in", "value": ["uu", "pp"]}, "d")
    >>> sql
    '(json_extract(d.meta, \\'$."jenis"\\') IN (?, ?))'

Meta paths are written into the SQL as quoted literals (not parameters) so that expression indexes
on ``json_extract(meta, '$."field"')`` are used by the query planner.
"""
from __future__ import annotations

import json
from dataclasses import fields as dataclass_fields
from datetime import datetime
from typing import Any

from haystack.dataclasses import Document
from haystack.errors import FilterError

COMPARISON_OPERATORS = ("==", "!=", ">", ">=", "<", "<=", "in", "not in")
LOGICAL_OPERATORS = ("AND", "OR", "NOT")
_DOCUMENT_FIELDS = {f.name for f in dataclass_fields(Document)}
_COLUMN_FIELDS = {"id": "id", "content": "content"}


def meta_path(key: str) -> str:
    """JSON path literal for a (possibly dotted) meta key: ``a.b`` -> ``$."a"."b"``."""
    parts = key.split(".")
    return "$" + "".join('."' + p.replace('"', '\\"') + '"' for p in parts)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def meta_expression(key: str, table: str = "") -> str:
    """The SQL expression for a meta key; the same text is used for expression indexes."""
    column = f"{table}.meta" if table else "meta"
    return f"json_extract({column}, {sql_literal(meta_path(key))})"


def _field_sql(field: str, table: str) -> tuple[str, str | None]:
    """(value expression, json_type expression or None for plain columns)."""
    prefix = f"{table}." if table else ""
    if field.startswith("meta."):
        key = field[len("meta."):]
    elif field in _COLUMN_FIELDS:
        return prefix + _COLUMN_FIELDS[field], None
    elif field in _DOCUMENT_FIELDS:
        raise FilterError(f"Filtering on the Document field '{field}' is not supported: use 'id', 'content' or 'meta.<key>'")
    else:
        key = field  # legacy filters name meta keys without the "meta." prefix
    if not key:
        raise FilterError(f"Invalid filter field '{field}'")
    path = sql_literal(meta_path(key))
    return f"json_extract({prefix}meta, {path})", f"json_type({prefix}meta, {path})"


def _looks_like_iso_date(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) >= 10
        and value[:4].isdigit()
        and value[4] == "-"
        and value[5:7].isdigit()
        and value[7] == "-"
        and value[8:10].isdigit()
        and (len(value) == 10 or value[10] in "Tt ")
    )


def _bind(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def _equal(expr: str, jtype: str | None, value: Any, params: list) -> str:
    if value is None:
        return f"({expr} IS NULL)"
    if isinstance(value, datetime) or _looks_like_iso_date(value):
        params.extend([_bind(value), _bind(value)])
        text_check = f" AND {jtype} = 'text'" if jtype else ""
        return f"({expr} IS ? OR COALESCE(julianday({expr}) = julianday(?){text_check}, 0))"
    params.append(_bind(value))
    return f"({expr} IS ?)"


def _ordering(op: str, expr: str, jtype: str | None, value: Any, params: list) -> str:
    if value is None:
        return "(0)"
    if isinstance(value, (list, tuple, dict)):
        raise FilterError(f"Filter value can't be of type {type(value).__name__} using operators '>', '>=', '<', '<='")
    if isinstance(value, (datetime, str)):
        text = _bind(value)
        try:
            datetime.fromisoformat(text)
        except ValueError as exc:
            raise FilterError(
                f"Can't compare strings using operators '>', '>=', '<', '<=': {value!r} is not an ISO formatted date"
            ) from exc
        params.append(text)
        text_check = f" AND {jtype} = 'text'" if jtype else ""
        return f"(COALESCE(julianday({expr}) {op} julianday(?){text_check}, 0))"
    if isinstance(value, (int, float)):
        params.append(value)
        type_check = f" AND {jtype} IN ('integer', 'real', 'true', 'false')" if jtype else ""
        return f"(COALESCE({expr} {op} ?{type_check}, 0))"
    raise FilterError(f"Unsupported filter value {value!r} for operator '{op}'")


def _in(expr: str, jtype: str | None, value: Any, params: list, null_safe: bool = True) -> str:
    if not isinstance(value, list):
        raise FilterError(
            f"Filter value must be a `list` when using operator 'in' or 'not in', received type '{type(value)}'"
        )
    if not value:
        return "(0)"
    simple = all(
        isinstance(v, (int, float, str)) and not isinstance(v, bool) and not _looks_like_iso_date(v) for v in value
    )
    if simple:
        params.extend(value)
        marks = ", ".join("?" * len(value))
        if null_safe:  # 0, not NULL, for a missing field: right under NOT
            return f"({expr} IN ({marks}) AND {expr} IS NOT NULL)"
        return f"({expr} IN ({marks}))"  # NULL for a missing field: the same as 0 outside a NOT
    return "(" + " OR ".join(_equal(expr, jtype, v, params) for v in value) + ")"


def _comparison(condition: dict[str, Any], table: str, params: list, null_safe: bool = True) -> str:
    for key in ("operator", "value"):
        if key not in condition:
            raise FilterError(f"'{key}' key missing in {condition}")
    field, op, value = condition["field"], condition["operator"], condition["value"]
    if op not in COMPARISON_OPERATORS:
        raise FilterError(f"Unknown comparison operator '{op}'. Valid operators are: {sorted(COMPARISON_OPERATORS)}")
    expr, jtype = _field_sql(field, table)
    if op == "==":
        return _equal(expr, jtype, value, params)
    if op == "!=":
        return f"(NOT {_equal(expr, jtype, value, params)})"
    if op == "in":
        return _in(expr, jtype, value, params, null_safe)
    if op == "not in":
        return f"(NOT {_in(expr, jtype, value, params)})"
    return _ordering(op, expr, jtype, value, params)


def _condition(condition: dict[str, Any], table: str, params: list, null_safe: bool = False) -> str:
    """SQL for one condition. ``null_safe``: the expression must never be NULL, because a NOT
    above it would turn NULL (a missing field) into NULL again instead of true. Outside a NOT,
    NULL and 0 select the same rows, and the bare ``expr IN (...)`` form lets SQLite use the
    expression indexes (``COALESCE``/``IS NOT NULL`` around it cost a table read per row: 35 ms
    instead of 5 ms for 8,700 rows of a work family at 100k chunks)."""
    if not isinstance(condition, dict):
        raise FilterError(f"A filter condition must be a dict, got {type(condition).__name__}: {condition!r}")
    if "field" in condition:
        return _comparison(condition, table, params, null_safe)
    if "operator" not in condition:
        raise FilterError(f"'operator' key missing in {condition}")
    if "conditions" not in condition:
        raise FilterError(f"'conditions' key missing in {condition}")
    op, conditions = condition["operator"], condition["conditions"]
    if op not in LOGICAL_OPERATORS:
        raise FilterError(f"Unknown logical operator '{op}'. Valid operators are: {sorted(LOGICAL_OPERATORS)}")
    if not isinstance(conditions, list):
        raise FilterError(f"'conditions' must be a list in {condition}")
    parts = [_condition(c, table, params, null_safe or op == "NOT") for c in conditions]
    joined = " AND ".join(parts) if op in ("AND", "NOT") else " OR ".join(parts)
    if not parts:
        joined = "1" if op in ("AND", "NOT") else "0"
    return f"(NOT ({joined}))" if op == "NOT" else f"({joined})"


def filters_to_sql(filters: dict[str, Any] | None, table: str = "") -> tuple[str, list[Any]]:
    """Translate a Haystack filter to ``(sql, params)``; ``("1", [])`` when there is no filter.

    :param table: alias of the documents table in the query ("" for none).
    :raises FilterError: for a malformed filter or a value the operator cannot compare.
    """
    if not filters:
        return "1", []
    params: list[Any] = []
    return _condition(filters, table, params), params
