"""Status is derived from relations stored once, in the active voice."""
from ingest.vocabulary import JDIHN_STATUS, STATUSES
from regulations.relations import Relation, derive_status


def rel(type_, source, target):
    return Relation(type_, target, f"{source} {type_} {target}", source=source)


def test_status_follows_the_strongest_relation():
    assert derive_status("uu-11-2008", []) == "berlaku"
    assert derive_status("uu-11-2008", [rel("mengubah", "uu-19-2016", "uu-11-2008")]) == "diubah"
    partly = rel("mencabut_sebagian", "uu-1-2022", "uu-23-2014")
    assert derive_status("uu-23-2014", [partly]) == "dicabut_sebagian"
    assert derive_status("uu-23-2014", [partly, rel("mengubah", "uu-9-2015", "uu-23-2014")]) == "dicabut_sebagian"
    assert derive_status("uu-28-2009", [rel("mencabut", "uu-1-2022", "uu-28-2009"), partly]) == "dicabut"
    # a relation about another work changes nothing
    assert derive_status("uu-14-2008", [rel("mencabut", "uu-1-2022", "uu-28-2009")]) == "berlaku"


def test_every_status_has_a_jdihn_spelling():
    assert set(JDIHN_STATUS) == set(STATUSES)
    assert set(JDIHN_STATUS.values()) <= {"Berlaku", "Tidak Berlaku", "Mengalami Perubahan"}
