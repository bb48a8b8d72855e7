"""The services register (regulations/services.yaml): the 14 services of Table 3 of Kamil et
al. 2025 as the issue names them, with office, function, dimension and source, and the 2023
realisation figures of the city's news of 9 Nov 2023."""
from __future__ import annotations

import pytest

from regulations.services import RegisterError, load_register, validate_register

# Table 3 of the paper, as issue 16 names the services and their offices
TABLE_3 = {
    "SI APEL": "Dinas Kependudukan dan Catatan Sipil",
    "SIMPATDA": "Badan Pendapatan Daerah",
    "P-Care BPJS": "Dinas Kesehatan",
    "E-PDKRT": "Dinas Sosial, P3AP2KB",
    "SIMPEG": "Badan Ketenagakerjaan Daerah",
    "Tombol Panik": "Polres Malang Kota",
    "ATCS and RTTIC": "Dinas Perhubungan",
    "Ngalam Command Center": "Dinas Komunikasi dan Informatika",
    "SIMBADA": "Badan Pengelolaan Keuangan dan Aset Daerah",
    "SIMBAH-E": "Dinas Pendidikan dan Olahraga",
    "Jatim Bejo": "Bagian Layanan Pengelolaan Barang dan Jasa",
    "SRIKANDI": "Bagian Kearsipan",
    "jdih.malangkota.go.id": "Bagian Layanan Hukum",
    "Si-Izol": "Dinas Ketenagakerjaan dan Transmigrasi",
}


@pytest.fixture(scope="module")
def register():
    return load_register()


def test_the_register_holds_the_14_services_of_table_3_exactly(register):
    assert {s.name: s.office for s in register.services} == TABLE_3
    assert len(register.services) == 14


def test_every_service_names_its_source_and_the_source_is_the_paper(register):
    assert all(s.source == "paper" for s in register.services)
    assert "Kamil et al. (2025)" in register.references["paper"] and "Table 3" in register.references["paper"]
    assert "9 November 2023" in register.references["news"]


def test_functions_are_bilingual_and_dimensions_are_of_the_taxonomy(register):
    from pipelines.indexing.dimensions import default_taxonomy

    tax = default_taxonomy()
    for s in register.services:
        assert s.function["id"].strip() and s.function["en"].strip(), s.id
        dim = tax.get(s.dimension)
        assert s.subdimension in {x.id for x in dim.subdimensions}, s.id


def test_nothing_unknown_is_invented(register):
    """The register knows name, office, function, classification and source; no URL, date or
    legal basis of a service is written in it (jdih.malangkota.go.id is the service's name)."""
    allowed = {"id", "name", "aliases", "office", "office_note", "function", "dimension", "subdimension", "source"}
    import yaml

    raw = yaml.safe_load(register.path.read_text(encoding="utf-8"))
    for s in raw["services"]:
        assert set(s) <= allowed, s["id"]


def test_the_2023_realisation_is_the_news_figures(register):
    assert register.realisation == {"smart-governance": 100, "smart-living": 100, "smart-society": 100,
                                    "smart-environment": 100, "smart-branding": 89, "smart-economy": 86}
    assert register.realisation_average == 96.2 and register.realisation_year == 2023
    assert register.realisation_source == "news"


def test_service_names_are_found_in_questions(register):
    def ids(q):
        return [s.id for s in register.named_in(q)]

    assert ids("aturan apa yang mendasari Ngalam Command Center?") == ["ngalam-command-center"]
    assert ids("dasar hukum si-apel dan Simpeg") == ["si-apel", "simpeg"]
    assert ids("which rule governs jdih.malangkota.go.id?") == ["jdih-malangkota"]
    assert ids("regulasi pusat data pemerintah") == []
    assert ids("simpegawai") == []  # whole words only


def test_an_inconsistent_register_is_refused(tmp_path, register):
    bad = tmp_path / "services.yaml"
    text = register.path.read_text(encoding="utf-8")
    bad.write_text(text.replace("subdimension: smart-living/kesehatan", "subdimension: smart-economy/industri")
                   .replace("- id: simpeg", "- id: si-apel"), encoding="utf-8")
    with pytest.raises(RegisterError) as exc:
        load_register(bad)
    msg = str(exc.value)
    assert "si-apel: listed twice" in msg and "not a sub-dimension of smart-living" in msg
    assert validate_register(register) == []
