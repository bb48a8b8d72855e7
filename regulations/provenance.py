"""Where a catalogue field's value came from, and which values staff gave: a record's
``provenance`` maps a field to a note; notes of staff-given values begin with ``STAFF_NOTES``.
Pure rules over record dicts, used by the staff side (edits, uploads) and by re-indexing (which
keeps what staff corrected)."""
from __future__ import annotations

from typing import Any


def set_field(record: dict[str, Any], provenance: dict[str, str], key: str, value: Any, note: str) -> None:
    """Set (or, with None, clear) one catalogue field together with where its value came from."""
    if value is None:
        record.pop(key, None)
        provenance.pop(key, None)
    else:
        record[key] = value
        provenance[key] = note


STAFF_NOTES = ("edited by ", "entered by ")  # how set_field's notes for staff-given values begin


def keep_staff_fields(current: dict[str, Any] | None, incoming: dict[str, Any]) -> dict[str, Any]:
    """``incoming`` (a catalogue record being re-ingested) with the fields staff set on the
    ``current`` record kept, values and provenance: a corrected title survives a new release of
    the corpus. Returns a new dict; ``incoming`` is not changed."""
    provenance = dict((current or {}).get("provenance") or {})
    staff = {k: note for k, note in provenance.items()
             if isinstance(note, str) and note.startswith(STAFF_NOTES) and k in (current or {})}
    if not staff:
        return incoming
    merged = dict(incoming)
    merged_provenance = dict(incoming.get("provenance") or {})
    for key, note in staff.items():
        merged[key] = current[key]
        merged_provenance[key] = note
    merged["provenance"] = merged_provenance
    return merged
