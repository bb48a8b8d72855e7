"""The domain's words, listed once: the status of a regulation, the relation types (active voice,
as the amending text states them) and their passive forms (as the other work sees them), and
which relation gives which status. Every other module imports them from here."""
from __future__ import annotations

from typing import Literal

# a regulation's status, weakest change first
STATUSES = ("berlaku", "diubah", "dicabut_sebagian", "dicabut")
Status = Literal["berlaku", "diubah", "dicabut_sebagian", "dicabut"]

# relation types in the active voice: "<source> mencabut <target>"
RELATION_TYPES = ("mengubah", "mencabut", "mencabut_sebagian", "dasar_hukum")
RelationType = Literal["mengubah", "mencabut", "mencabut_sebagian", "dasar_hukum"]
# the relations that change the target's status (what staff may add to say so)
CHANGING_TYPES = ("mengubah", "mencabut", "mencabut_sebagian")

# active type -> the passive type shown on the target
PASSIVE = {
    "mengubah": "diubah_dengan",
    "mencabut": "dicabut_dengan",
    "mencabut_sebagian": "dicabut_sebagian_dengan",
    "dasar_hukum": "menjadi_dasar_hukum_bagi",
}

# What each incoming active relation makes of the target's status; the strongest decides:
# revoked, then partly revoked, then amended
STATUS_BY_RELATION = (("mencabut", "dicabut"), ("mencabut_sebagian", "dicabut_sebagian"), ("mengubah", "diubah"))

# JDIHN spells status as free text (reference: jdihn-fields.md).
JDIHN_STATUS = {"berlaku": "Berlaku", "diubah": "Mengalami Perubahan", "dicabut_sebagian": "Mengalami Perubahan",
                "dicabut": "Tidak Berlaku"}

assert set(PASSIVE) == set(RELATION_TYPES) and {t for t, _ in STATUS_BY_RELATION} == set(CHANGING_TYPES)
assert set(JDIHN_STATUS) == set(STATUSES)
