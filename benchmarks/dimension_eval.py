"""Evaluate the Smart City dimension tagger on the gold labels.

Run ``.venv/bin/python benchmarks/dimension_eval.py`` from the project root: it prints the
precision and recall table that docs/dimensions.md reports, and, with ``--errors``, every
gold article the tagger gets wrong.

Article texts come from the real corpus (``regulations/corpus`` or ``../shared/corpus``).
The gold file names each article by corpus file and Pasal number and carries a short quote
from it; :func:`article_text` slices the article out of the plain-text file on its own
(heading line ``Pasal N`` to the next heading line, body only: the Penjelasan is cut off) so
the figures do not move when the structure parser changes, and the quote proves the slice is
the right article.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from pipelines.indexing.dimensions import DimensionTagger

GOLD_PATH = ROOT / "tests" / "data" / "dimension-gold.yaml"
_HEADING = re.compile(r"^\s*Pasal\s+(\d+[A-Z]?)\s*$")
# "Pasal 6 Subjek ..." inside a line, after a sentence end or an upper-case BAB title: several
# articles run together on one line in the OCR text of UU 27/2022. Only the next number in
# sequence is accepted, so cross-references ("dalam Pasal 5 ayat (2)") never split an article.
_INLINE = re.compile(r"(?:(?<=[.;:])|(?<=[A-Z]{2}))\s+Pasal\s+(\d+)\s+(?=\(|[A-Z])")
_PENJELASAN = re.compile(r"^\s*PENJELASAN\b", re.M)
# the enacting formula closes the body; the Penjelasan (often without its heading) follows it
_FORMULA = re.compile(r"Agar\s+setiap\s+orang\s+meng\w+,?\s+mem\w+\s+pengundangan")
_TRAILING_HEADING = re.compile(r"\s+(?:BAB\s*[IVXLC]+\b|Bagian\s+Ke\w+\b|Paragraf\s+\d+\b)[^\n]*$")


def corpus_file(name: str) -> Path:
    for base in (ROOT / "regulations" / "corpus", ROOT.parent / "shared" / "corpus"):
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"corpus file {name} not found in regulations/corpus or ../shared/corpus")


def _clean(text: str) -> str:
    text = text.strip()
    while True:  # a BAB/Bagian/Paragraf title glued to the end belongs to the next article
        cut = _TRAILING_HEADING.sub("", text)
        if cut == text:
            return text
        text = cut.strip()


@lru_cache(maxsize=None)
def _articles(name: str) -> dict[str, str]:
    """Pasal number -> article text, body only, first occurrence of each heading."""
    text = corpus_file(name).read_text(encoding="utf-8", errors="replace")
    for pat in (_FORMULA, _PENJELASAN):
        m = pat.search(text)
        if m:
            text = text[: m.start()]
    out: dict[str, str] = {}
    current: str | None = None
    buf: list[str] = []

    def close() -> None:
        if current is not None and current not in out:
            out[current] = _clean("\n".join(buf))

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            close()
            current, buf = m.group(1), []
            continue
        if current is None:
            continue
        while True:  # articles run together on one line
            nxt = str(int(re.match(r"\d+", current).group()) + 1) if current[0].isdigit() else None
            im = next((x for x in _INLINE.finditer(line) if x.group(1) == nxt), None)
            if im is None:
                break
            buf.append(line[: im.start()])
            close()
            current, buf, line = im.group(1), [], line[im.end():]
        buf.append(line)
    close()
    return out


def article_text(file: str, pasal: str) -> str:
    try:
        return _articles(file)[str(pasal)]
    except KeyError:
        raise KeyError(f"{file}: no heading line 'Pasal {pasal}' before the Penjelasan") from None


@dataclass
class GoldCase:
    id: str
    work: str
    file: str
    pasal: str
    expected: list[str]
    reason: str
    quote: str

    @property
    def text(self) -> str:
        return article_text(self.file, self.pasal)


def load_gold(path: Path = GOLD_PATH) -> list[GoldCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = []
    for c in data["cases"]:
        cases.append(
            GoldCase(
                id=f"{c['work']}#{c['pasal']}",
                work=c["work"],
                file=c["file"],
                pasal=str(c["pasal"]),
                expected=sorted(c["expected"]),
                reason=c["reason"],
                quote=c["quote"],
            )
        )
    return cases


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EvalReport:
    micro: Scores
    per_dimension: dict[str, Scores]
    cases: int
    exact: int  # cases whose predicted set equals the gold set
    negatives_clean: int  # gold-empty cases predicted empty
    negatives: int
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # id, gold, predicted


def evaluate(tagger: DimensionTagger | None = None, cases: list[GoldCase] | None = None) -> EvalReport:
    from haystack import Document

    from pipelines.indexing.dimensions import DIMENSION_IDS, DimensionTagger

    tagger = tagger or DimensionTagger()
    tagger.warm_up()
    cases = cases if cases is not None else load_gold()
    docs = [Document(content=c.text, meta={"work_id": c.work, "pasal": c.pasal}) for c in cases]
    tagged = tagger.run(documents=docs)["documents"]
    micro = Scores()
    per = {d: Scores() for d in DIMENSION_IDS}
    report = EvalReport(micro, per, len(cases), 0, 0, 0)
    for case, doc in zip(cases, tagged):
        gold = set(case.expected)
        pred = set(doc.meta["dimensions"])
        for d in DIMENSION_IDS:
            s = per[d]
            if d in gold and d in pred:
                s.tp += 1
                micro.tp += 1
            elif d in pred:
                s.fp += 1
                micro.fp += 1
            elif d in gold:
                s.fn += 1
                micro.fn += 1
        if gold == pred:
            report.exact += 1
        else:
            report.errors.append((case.id, sorted(gold), sorted(pred)))
        if not gold:
            report.negatives += 1
            report.negatives_clean += not pred
    return report


def format_report(report: EvalReport, tagger: DimensionTagger) -> str:
    lines = [
        f"gold cases: {report.cases} ({report.negatives} with no dimension); "
        f"threshold {tagger.threshold}",
        "",
        "| dimension | gold | tp | fp | fn | precision | recall |",
        "|---|---|---|---|---|---|---|",
    ]
    for d, s in report.per_dimension.items():
        prec = f"{s.precision:.2f}" if s.tp + s.fp else "n/a"
        rec = f"{s.recall:.2f}" if s.tp + s.fn else "n/a (no gold case)"
        lines.append(f"| {d} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.fn} | {prec} | {rec} |")
    m = report.micro
    lines.append(f"| **micro** | {m.tp + m.fn} | {m.tp} | {m.fp} | {m.fn} | **{m.precision:.2f}** | **{m.recall:.2f}** |")
    lines.append("")
    lines.append(f"exact-set accuracy: {report.exact}/{report.cases}; "
                 f"negatives left untagged: {report.negatives_clean}/{report.negatives}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threshold", type=float, default=None)
    ap.add_argument("--errors", action="store_true", help="list the gold cases the tagger gets wrong")
    args = ap.parse_args(argv)
    from pipelines.indexing.dimensions import DimensionTagger

    tagger = DimensionTagger() if args.threshold is None else DimensionTagger(threshold=args.threshold)
    report = evaluate(tagger)
    print(format_report(report, tagger))
    if args.errors:
        for cid, gold, pred in report.errors:
            print(f"{cid}: gold {gold} predicted {pred}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
