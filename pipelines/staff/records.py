"""A work's catalogue record as staff give it: the fields they may set, their validation
(:func:`clean_metadata`) and :class:`UploadRejected`, the refusal (a code, an HTTP status and
messages in English and Indonesian) of an upload or an edit."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

# Metadata staff may give (JDIHN names; docs/jdihn-fields) -> max length; dates and years checked apart.
TEXT_FIELDS: dict[str, int] = {
    "judul": 2000, "judul_en": 2000, "jenis": 120, "singkatanJenis": 40, "noPeraturan": 60,
    "tempatTerbit": 120, "penerbit": 200, "deskripsiFisik": 200, "sumber": 300, "tambahan": 300,
    "subjek": 300, "bahasa": 60, "bidangHukum": 200, "teuBadan": 200, "abstrak": 20000,
}
DATE_FIELDS = ("tanggal_penetapan", "tanggal_pengundangan")
YEAR_FIELDS = ("tahun", "tahun_pengundangan")
EDITABLE_FIELDS = frozenset(TEXT_FIELDS) | frozenset(DATE_FIELDS) | frozenset(YEAR_FIELDS) | {"status"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class UploadRejected(Exception):
    """An upload or edit refused, with ``code``, HTTP ``status`` and both messages."""

    def __init__(self, code: str, message: str, message_id: str, *, status: int = 422, **extra: Any):
        super().__init__(message)
        self.code, self.message, self.message_id, self.status, self.extra = code, message, message_id, status, extra

    @classmethod
    def from_ingest(cls, err) -> "UploadRejected":
        status = {"too_large": 413, "unsupported_type": 415}.get(err.code, 422)
        return cls(err.code, str(err), err.message_id, status=status)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "message_id": self.message_id, **self.extra}


def clean_metadata(fields: dict[str, Any], *, allowed: frozenset[str] = EDITABLE_FIELDS) -> dict[str, Any]:
    """Validated metadata: known fields only, control characters refused, dates ISO, years numeric.

    Values are kept as text (HTML is escaped where pages show it, never stripped here: a title may
    hold "<" legitimately). Empty strings mean "no value" and become None.
    """
    out: dict[str, Any] = {}
    problems: list[tuple[str, str, str]] = []  # (field, English, Indonesian)
    for key, value in fields.items():
        if key not in allowed:
            problems.append((key, f"unknown field '{key}'", f"kolom '{key}' tidak dikenal"))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            out[key] = None
            continue
        if key in YEAR_FIELDS:
            try:
                if isinstance(value, float) and value.is_integer():  # JSON 1945.0 is the integer 1945
                    value = int(value)
                if isinstance(value, bool) or not isinstance(value, (int, str)) or (
                        isinstance(value, str) and not _YEAR.match(value)):
                    raise ValueError(value)
                year = int(str(value).strip())
            except ValueError:
                problems.append((key, f"'{key}' must be a year", f"'{key}' harus berupa tahun"))
                continue
            if not 1900 <= year <= 2100:
                problems.append((key, f"'{key}' must be between 1900 and 2100", f"'{key}' harus antara 1900 dan 2100"))
                continue
            out[key] = year
            continue
        if not isinstance(value, str):
            problems.append((key, f"'{key}' must be text", f"'{key}' harus berupa teks"))
            continue
        value = value.strip()
        if _CONTROL.search(value):
            problems.append((key, f"'{key}' holds control characters", f"'{key}' berisi karakter kontrol"))
            continue
        if key in DATE_FIELDS:
            try:
                if not _ISO_DAY.match(value):
                    raise ValueError(value)
                day = date.fromisoformat(value)
            except ValueError:
                problems.append((key, f"'{key}' must be a date YYYY-MM-DD", f"'{key}' harus tanggal YYYY-MM-DD"))
                continue
            if not 1900 <= day.year <= 2100:
                problems.append((key, f"'{key}' must be between 1900 and 2100", f"'{key}' harus antara 1900 dan 2100"))
                continue
            out[key] = day.isoformat()
            continue
        if key == "status":
            out[key] = value.lower()
            continue
        limit = TEXT_FIELDS[key]
        if len(value) > limit:
            problems.append((key, f"'{key}' is longer than {limit} characters", f"'{key}' lebih dari {limit} karakter"))
            continue
        if key == "noPeraturan" and not _NUMBER.match(value):
            problems.append((key, "'noPeraturan' must be a regulation number (1, 12A, XV/MPR/1998), not zero or negative",
                             "'noPeraturan' harus nomor peraturan (1, 12A, XV/MPR/1998), bukan nol atau negatif"))
            continue
        out[key] = value
    problems += [(f, en, idn) for f, en, idn in date_order_problems(out) if f not in {p[0] for p in problems}]
    if problems:
        raise invalid_metadata(problems)
    return out


# A regulation number: starts with a digit 1-9 or a letter (Roman numerals, TAP MPR), then digits,
# letters and . / - ; never 0, never negative.
_NUMBER = re.compile(r"^(?:[1-9][0-9]*|[A-Za-z])[0-9A-Za-z./ -]{0,59}$")
_YEAR = re.compile(r"^\s*[0-9]{1,6}\s*$")
_ISO_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

# JSON Schema of the same rules, for OpenAPI (what a client may send; the server checks the same).
_NO_CONTROL = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_BLANK = {"type": "string", "pattern": r"^\s*$"}  # an empty value clears the field
_LEAP = r"(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))"
_YEARS = r"(?:19[0-9]{2}|20[0-9]{2}|2100)"
# a calendar day of 1900-2100: any month's 1-28, 29-30 except in February, 31 in the long
# months, 29 February in leap years
DAY_PATTERN = (rf"^(?:{_YEARS}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
               rf"|(?:0[13578]|1[02])-31)|{_LEAP}-02-29)$")


def metadata_json_schema() -> dict[str, Any]:
    """The body of PATCH /regulations/{id} (and the upload's metadata fields) as JSON Schema."""
    props: dict[str, Any] = {}
    for key, limit in TEXT_FIELDS.items():
        rule: dict[str, Any] = {"type": "string", "maxLength": limit, "pattern": _NO_CONTROL}
        if key == "noPeraturan":
            rule = {"type": "string", "pattern": _NUMBER.pattern}
        props[key] = {"anyOf": [rule, _BLANK, {"type": "null"}]}
    for key in DATE_FIELDS:
        props[key] = {"anyOf": [{"type": "string", "pattern": DAY_PATTERN}, _BLANK, {"type": "null"}],
                      "description": "YYYY-MM-DD, 1900-2100; tanggal_pengundangan on or after tanggal_penetapan"}
    for key in YEAR_FIELDS:
        props[key] = {"anyOf": [{"type": "integer", "minimum": 1900, "maximum": 2100},
                                {"type": "string", "pattern": rf"^\s*{_YEARS}\s*$"}, _BLANK, {"type": "null"}]}
    from ingest.vocabulary import STATUSES

    props["status"] = {"anyOf": [{"type": "string", "enum": list(STATUSES)}, _BLANK, {"type": "null"}],
                       "description": "only for a work whose relations leave it in force (else 409)"}
    return {"type": "object", "properties": props, "additionalProperties": False, "minProperties": 1,
            "description": "catalogue fields to set (null or an empty string clears)",
            "example": {"judul_en": "Smart city master plan"}}


def date_order_problems(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """A regulation is promulgated (diundangkan) on or after the day it is enacted (ditetapkan)."""
    a, b = record.get("tanggal_penetapan"), record.get("tanggal_pengundangan")
    if a and b and str(b) < str(a):
        return [("tanggal_pengundangan", f"'tanggal_pengundangan' ({b}) is before 'tanggal_penetapan' ({a})",
                 f"'tanggal_pengundangan' ({b}) lebih awal dari 'tanggal_penetapan' ({a})")]
    return []


def invalid_metadata(problems: list[tuple[str, str, str]]) -> "UploadRejected":
    return UploadRejected("invalid_metadata", "Invalid metadata: " + "; ".join(p[1] for p in problems) + ".",
                          "Metadata tidak valid: " + "; ".join(p[2] for p in problems) + ".",
                          errors=[{"field": f, "type": "invalid_metadata", "message": en} for f, en, _ in problems])


