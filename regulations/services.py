"""The register of Malang City's Smart City (e-government) services, read from ``services.yaml``.

>>> from regulations.services import load_register, get_service
>>> reg = load_register()
>>> len(reg.services)
14
>>> get_service("ngalam-command-center").office
'Dinas Komunikasi dan Informatika'
>>> reg.realisation["smart-economy"]
86
>>> [s.id for s in reg.named_in("aturan apa yang mendasari Ngalam Command Center?")]
['ngalam-command-center']

What the register holds and where each fact comes from is said in the header of
``services.yaml``: the name, office and function of Table 3 of Kamil et al. 2025, our
classification into the Smart City dimensions, and the city's 2023 realisation figure per
dimension (news of 9 Nov 2023). A service's legal basis is not in the register: the system
proposes it and staff confirm it (``search_api.services``, ``pipelines.staff.service_links``).
Nothing is cached: each call reads the file (it is small).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
DEFAULT_PATH = HERE / "services.yaml"
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DIMENSIONS = ("smart-governance", "smart-branding", "smart-economy", "smart-living", "smart-society",
              "smart-environment")


class RegisterError(ValueError):
    """The register is inconsistent; ``problems`` lists every finding, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} register problem(s):\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    office: str
    function: dict[str, str]  # {"id": ..., "en": ...}
    dimension: str
    subdimension: str
    source: str  # a key of the register's references
    aliases: tuple[str, ...] = ()
    office_note: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "aliases": list(self.aliases), "office": self.office,
                "office_note": self.office_note, "function": dict(self.function), "dimension": self.dimension,
                "subdimension": self.subdimension, "source": self.source}


def _fold(text: str) -> str:
    """Casefolded, accents dropped, every run of non-alphanumerics one space: how names match."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()
    return " " + " ".join(re.findall(r"[a-z0-9]+", text)) + " "


@dataclass
class Register:
    services: list[Service]
    references: dict[str, str]
    realisation: dict[str, float]  # dimension id -> percent (the news's figures)
    realisation_average: float | None
    realisation_year: int | None
    realisation_source: str | None
    classification_source: str = ""
    path: Path = field(default=DEFAULT_PATH)

    def get(self, service_id: str) -> Service | None:
        wanted = service_id.strip().lower()
        return next((s for s in self.services if s.id == wanted), None)

    def by_dimension(self, dimension: str) -> list[Service]:
        return [s for s in self.services if s.dimension == dimension]

    def named_in(self, text: str) -> list[Service]:
        """The services whose name or alias occurs in ``text`` as whole words (case, hyphens and
        dots aside: "si apel", "SI-APEL", "Ngalam Command Center"), longest name first so that
        "Ngalam Command Center (NCC)" is one service, in the order they appear."""
        folded = _fold(text)
        found: list[tuple[int, Service]] = []
        taken: list[tuple[int, int]] = []
        candidates = sorted(((n, s) for s in self.services for n in s.names), key=lambda x: -len(_fold(x[0])))
        for name, svc in candidates:
            needle = _fold(name)
            start = folded.find(needle)
            while start >= 0:
                span = (start + 1, start + len(needle) - 1)  # the name without its bounding spaces
                if not any(a < span[1] and span[0] < b for a, b in taken):
                    taken.append(span)
                    if all(s.id != svc.id for _, s in found):
                        found.append((start, svc))
                    break
                start = folded.find(needle, start + 1)
        return [s for _, s in sorted(found, key=lambda x: x[0])]

    def source_text(self, key: str | None) -> str | None:
        return self.references.get(key) if key else None


def _service(raw: dict[str, Any]) -> Service:
    return Service(id=str(raw.get("id", "")), name=str(raw.get("name", "")), office=str(raw.get("office", "")),
                   function={k: str(v) for k, v in (raw.get("function") or {}).items()},
                   dimension=str(raw.get("dimension", "")), subdimension=str(raw.get("subdimension", "")),
                   source=str(raw.get("source", "")), aliases=tuple(str(a) for a in raw.get("aliases") or ()),
                   office_note=raw.get("office_note"))


def load_register(path: str | Path | None = None, *, validate: bool = True) -> Register:
    """The register; with ``validate`` (the default) an inconsistent file raises
    :class:`RegisterError` listing every problem."""
    path = Path(path or DEFAULT_PATH)
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), list):
        raise RegisterError([f"{path}: expected a mapping with a 'services' list"])
    real = doc.get("realisation") or {}
    reg = Register(services=[_service(r) for r in doc["services"]],
                   references={str(k): " ".join(str(v).split()) for k, v in (doc.get("references") or {}).items()},
                   realisation={str(k): v for k, v in (real.get("dimensions") or {}).items()},
                   realisation_average=real.get("average"), realisation_year=real.get("year"),
                   realisation_source=real.get("source"),
                   classification_source=" ".join(str(doc.get("classification_source") or "").split()), path=path)
    if validate:
        problems = validate_register(reg)
        if problems:
            raise RegisterError(problems)
    return reg


def get_service(service_id: str, register: Register | None = None) -> Service | None:
    return (register or load_register()).get(service_id)


def validate_register(reg: Register) -> list[str]:
    """Problems found (empty when all is well): ids that are not slugs or repeat, names that
    repeat, empty name/office/function, a dimension outside the six, a sub-dimension not of its
    dimension, a source that is not a reference, realisation figures outside 0-100."""
    problems: list[str] = []
    seen: set[str] = set()
    names: dict[str, str] = {}
    for s in reg.services:
        if not ID_RE.match(s.id):
            problems.append(f"{s.id!r}: id is not a lower-case slug")
        if s.id in seen:
            problems.append(f"{s.id}: listed twice")
        seen.add(s.id)
        for n in s.names:
            key = _fold(n)
            if key in names and names[key] != s.id:
                problems.append(f"{s.id}: name {n!r} is also a name of {names[key]}")
            names[key] = s.id
        for attr in ("name", "office"):
            if not getattr(s, attr).strip():
                problems.append(f"{s.id}: {attr} is empty")
        for lang in ("id", "en"):
            if not (s.function.get(lang) or "").strip():
                problems.append(f"{s.id}: function.{lang} is empty")
        if s.dimension not in DIMENSIONS:
            problems.append(f"{s.id}: dimension {s.dimension!r} is not one of the six")
        if not s.subdimension.startswith(s.dimension + "/"):
            problems.append(f"{s.id}: subdimension {s.subdimension!r} is not a sub-dimension of {s.dimension}")
        if s.source not in reg.references:
            problems.append(f"{s.id}: source {s.source!r} is not one of the references ({', '.join(reg.references)})")
    for dim, value in reg.realisation.items():
        if dim not in DIMENSIONS:
            problems.append(f"realisation: {dim!r} is not one of the six dimensions")
        if not isinstance(value, (int, float)) or not 0 <= value <= 100:
            problems.append(f"realisation: {dim}: {value!r} is not a percentage")
    if reg.realisation and reg.realisation_source not in reg.references:
        problems.append(f"realisation: source {reg.realisation_source!r} is not one of the references")
    return problems


__all__ = ["DIMENSIONS", "Register", "RegisterError", "Service", "get_service", "load_register", "validate_register"]
