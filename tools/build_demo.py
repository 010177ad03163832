"""Build the bundled demo register from the real samples in ``../shared/data``.

Writes ``src/marksearch/data/demo/*.jsonl.gz`` (the documented JSON Lines form
of the normalised record), which ``marksearch demo`` loads:

* ``01-eu-trademarks2020.jsonl.gz``: 20,000 real EU trade marks (application
  number, filing date, word element, Vienna codes) from the TradeMarks2020
  extract of EUIPO open data;
* ``02-office-samples.jsonl.gz``: every real office sample read through the
  readers: 604 EUIPO ST.66 records, USPTO TSDR ST.66 and ST.96, USPTO daily
  XML and KIPRIS Plus records (one with its designated goods).

Run: ``python tools/build_demo.py``.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from marksearch.formats.common import parse_date, vienna
from marksearch.ingest import ingest
from marksearch.records import Feature, Record, VerbalElement
from marksearch.store import open_store

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEMO = REPO / "src" / "marksearch" / "data" / "demo"
SAMPLES = [
    SHARED / "formats" / "st66",
    SHARED / "formats" / "st96",
    SHARED / "formats" / "uspto_daily_xml",
    SHARED / "formats" / "kipris" / "kipris_plus_applicantNameSearch_120070120001.xml",
    SHARED / "formats" / "kipris" / "kipris_plus_applicantNameSearch_120080091393.xml",
    SHARED / "formats" / "kipris" / "kipris_plus_tradeMarkInfo_4020190000011.xml",
    SHARED / "formats" / "kipris" / "kipris_plus_tradeMarkInfo_4020200023099.xml",
]


def trademarks2020() -> Iterator[Record]:
    """The EU marks of the TradeMarks2020 extract: figurative marks with their word element."""
    path = SHARED / "names" / "euipo_figurative_marks_TradeMarks2020_validation.csv"
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            filing = parse_date("filing", row["filing_date"])
            text = row["verbal_text"].strip()
            codes = (vienna(c) for c in row["vienna_codes"].split())
            yield Record(
                office="EM",
                application_number=row["eutm_application_number"].strip(),
                verbal_elements=(VerbalElement(text),) if text else (),
                feature=Feature.FIGURATIVE,
                feature_raw="Figurative",
                dates=(filing,) if filing else (),
                vienna_codes=tuple(dict.fromkeys(c for c in codes if c)),
            )


# The designated goods of 4020190000011 (돈퍼, class 43), saved by the project that also saved its
# TradeMarkInfo (SOURCES.md of the samples); ingested under its number, it adds them to that record.
GOODS = {"4020190000011": SHARED / "formats" / "kipris" / "kipris_plus_trademarkDesignationGoodstInfo.xml"}


def office_samples() -> Iterator[Record]:
    """Every record of the real office samples, as the readers normalise them."""
    with tempfile.TemporaryDirectory() as folder, open_store(":memory:") as store:
        goods = []
        for number, source in GOODS.items():
            goods.append(Path(folder) / f"{number}.xml")
            shutil.copy(source, goods[-1])
        summary = ingest(store, [str(p) for p in [*SAMPLES, *goods]])
        if summary.errors or summary.counts.quarantined:
            raise SystemExit(f"sample ingest failed: {summary.to_dict()}")
        for stored in store.iter_records():
            yield stored.record


def write(path: Path, records: Iterator[Record]) -> int:
    count = 0
    # mtime=0 keeps the archive byte-identical across rebuilds.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for record in records:
            data = record.to_dict()
            data.pop("provenance", None)
            out.write(json.dumps(data, ensure_ascii=False, sort_keys=True).encode() + b"\n")
            count += 1
    return count


def main() -> None:
    DEMO.mkdir(parents=True, exist_ok=True)
    for name, records in (
        ("01-eu-trademarks2020.jsonl.gz", trademarks2020()),
        ("02-office-samples.jsonl.gz", office_samples()),
    ):
        n = write(DEMO / name, records)
        print(f"{name}: {n} records, {(DEMO / name).stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
