"""bench/ingest: ingest speed against a bare lxml iterparse pass over the same file.

Generates an EUIPO-profile ST.66 bulk file of N records (default 200,000) from
the 587 real EUIPO records in ``../shared/data/formats/st66/euipo_bulk_sample``
used as templates (so sizes, class counts and the 23 languages of goods follow
the real distribution), each given a unique application number and a real
mark text from ``../shared/data/names``. Then, in one run, it times:

* a bare ``lxml.etree.iterparse`` pass that only frees each ``TradeMark``
  (the limit for any Python ingest of this file), and
* ``marksearch ingest`` into a fresh SQLite register (parse, normalise, text
  keys, write), between two bare passes: its ratio is taken against their mean.

Both passes start alike: with the file dropped from the OS page cache (read
from disk), or with ``--warm`` just read through (as much of it cached as
the OS keeps).  The ratio depends on this: a bare pass does its reading on
its one core, an ingest on two.

Usage: ``python bench/ingest.py [--records N] [--rounds R] [--seed S] [--warm] [--keep] [--no-write]``.

``--phases`` instead times what an ingest is made of, one phase after the
other in this process on the same kind of file (see :func:`phases`), and
writes that table to its own section.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

import lz4.frame
import orjson
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import OUT, SHARED, table, write_section  # noqa: E402

from marksearch.formats import get_reader, split  # noqa: E402
from marksearch.formats.xmlsafe import iter_records  # noqa: E402
from marksearch.ingest import ingest  # noqa: E402
from marksearch.records import Record  # noqa: E402
from marksearch.store import Prepared, open_store  # noqa: E402
from marksearch.store.packing import pack, unpack  # noqa: E402
from marksearch.text import mark_keys  # noqa: E402

NS = "http://euipo.europa.eu/trademark/data"
_TM = re.compile(r"<TradeMark\b.*?</TradeMark>", re.S)


def templates() -> list[str]:
    found = []
    for path in sorted((SHARED / "formats" / "st66" / "euipo_bulk_sample").glob("*.xml")):
        found += _TM.findall(path.read_text(encoding="utf-8"))
    return found


def names() -> list[str]:
    with open(SHARED / "names" / "euipo_figurative_marks_TradeMarks2020_validation.csv", encoding="utf-8") as f:
        texts = [row["verbal_text"] for row in csv.DictReader(f) if row["verbal_text"].strip()]
    texts += (SHARED / "names" / "simple-icons_brand_titles.txt").read_text(encoding="utf-8").split("\n")
    return [t for t in texts if t.strip()]


def generate(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    bodies, marks = templates(), names()
    with open(path, "w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<Transaction xmlns="{NS}">\n'
                  "<TradeMarkTransactionBody><TransactionContentDetails><TransactionData>\n<TradeMarkDetails>\n")
        for i in range(count):
            body = rng.choice(bodies)
            number = f"{30_000_000 + i:09d}"
            text = escape(rng.choice(marks) + ("" if rng.random() < 0.7 else " " + rng.choice(marks)))
            body = re.sub(r"<ApplicationNumber>\d+</ApplicationNumber>",
                          f"<ApplicationNumber>{number}</ApplicationNumber>", body, count=1)
            body = re.sub(r"<MarkVerbalElementText>[^<]*</MarkVerbalElementText>",
                          f"<MarkVerbalElementText>{text}</MarkVerbalElementText>", body, count=1)
            out.write(body)
            out.write("\n")
        out.write("</TradeMarkDetails>\n</TransactionData></TransactionContentDetails></TradeMarkTransactionBody>\n</Transaction>\n")


def uncache(path: Path) -> None:
    """Drop ``path`` from the OS page cache (where the OS offers it), so that both passes start
    with the file on disk alike.  An ingest drops what it has read (``split.SpanStream``);
    without this, a bare pass after an ingest would read from disk, and one after another
    bare pass from memory."""
    if not hasattr(os, "posix_fadvise"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def warm(path: Path) -> None:
    """Read ``path`` through once, so that each pass starts with as much of it in the OS page
    cache as the OS keeps (``--warm``)."""
    buffer = bytearray(8 << 20)
    with open(path, "rb", buffering=0) as f:
        while f.readinto(buffer):
            pass


def cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process and of its children that have ended (an
    ingest's worker processes end with it)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + children.ru_utime, me.ru_stime + children.ru_stime


def bare_iterparse(path: Path) -> tuple[int, float]:
    started = time.perf_counter()
    count = 0
    for _event, elem in etree.iterparse(str(path), events=("end",), tag=f"{{{NS}}}TradeMark"):
        count += 1
        elem.clear()
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return count, time.perf_counter() - started


def marksearch_ingest(path: Path, db: Path) -> tuple[int, float, int]:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    with open_store(str(db)) as store:
        started = time.perf_counter()
        summary = ingest(store, [path], format="st66")
        seconds = time.perf_counter() - started
    if summary.errors or summary.counts.quarantined:
        raise SystemExit(f"ingest reported problems: {summary.to_dict()['errors']}")
    return summary.counts.inserted, seconds, db.stat().st_size


def phases(path: Path, records: int) -> str:
    """What an ingest's CPU time is made of, per record, one phase at a time in one process.

    The file is cut as ``marksearch ingest`` cuts it.  Each piece is read into
    memory, then run through the phases one after the other, as a worker runs
    them but each timed apart: parsing alone
    (:func:`~marksearch.formats.xmlsafe.iter_records`, the workers' share of
    the bare pass), parsing and mapping to records (the reader), the text
    keys of texts not keyed before (the ingest's cache keeps repeats), the
    record's JSON and its compression (the rest of
    :meth:`Prepared.from_record`, a hash and a few columns, is left out).
    The writer's SQLite transactions are timed last, over every prepared
    record.  An ingest runs the phases before the write in worker processes,
    one per core, and writes in its own process, so their sum spread over the
    cores bounds its speed.

    Beside them, left out of the sum: LZ4, a faster compressor than the zstd
    that packs records, on the same JSON, and reading a record back with either.
    """
    reader = get_reader("st66")
    with open(path, "rb") as f:
        spans = list(split.plan_xml(f, split.RECORD_ELEMENTS["st66"], path.name, size=path.stat().st_size))
    names = ["parse (iter_records)", "map to records (reader minus parse)", "text keys (texts not keyed before)",
             "record JSON (orjson)", "compression (packing.pack: zstd level 1)"]
    spent = dict.fromkeys(names, 0.0)
    # LZ4, the faster compressor packing does not use, timed beside it and left out of the sum.
    sizes = {"json": 0, "zstd": 0, "lz4": 0}
    other = {"LZ4 compression instead (not in the sum)": 0.0, "zstd unpack (packing.unpack; not in the sum)": 0.0,
             "LZ4 unpack (not in the sum)": 0.0}
    keys: dict[str, bytes] = {}
    prepared: list[Prepared] = []
    clock = time.perf_counter
    _, bare = bare_iterparse(path)
    with open(path, "rb") as f:
        for span in spans:
            f.seek(span.offset)
            payload = span.prefix + f.read(span.length) + span.suffix
            t0 = clock()
            for _ in iter_records(io.BytesIO(payload), path.name, frozenset({"TradeMark"})):
                pass
            t1 = clock()
            found = [e for e in reader.read(io.BytesIO(payload), path.name) if isinstance(e, Record)]
            t2 = clock()
            for text in (r.mark_text for r in found):
                if text and text not in keys:
                    keys[text] = orjson.dumps(mark_keys(text).to_dict())
            t3 = clock()
            data = [r.to_json_bytes() for r in found]
            t4 = clock()
            packed = [pack(d) for d in data]
            t5 = clock()
            squeezed = [lz4.frame.compress(d) for d in data]
            t6 = clock()
            for p in packed:
                unpack(p)
            t7 = clock()
            for z in squeezed:
                lz4.frame.decompress(z)
            t8 = clock()
            for key, seconds in zip(other, (t6 - t5, t7 - t6, t8 - t7), strict=True):
                other[key] += seconds
            sizes["json"] += sum(map(len, data))
            sizes["zstd"] += sum(map(len, packed))
            sizes["lz4"] += sum(map(len, squeezed))
            prepared += [Prepared.from_record(r, keys.get(r.mark_text)) for r in found]  # for the writer
            for name, seconds in zip(names, (t1 - t0, t2 - t1 - (t1 - t0), t3 - t2, t4 - t3, t5 - t4), strict=True):
                spent[name] += seconds
    assert len(prepared) == records, (len(prepared), records)
    with tempfile.TemporaryDirectory() as tmp, open_store(str(Path(tmp) / "phases.sqlite")) as store:
        started = clock()
        for i in range(0, len(prepared), 500):
            store.write_prepared(prepared[i : i + 500])
        spent["write (SQLite, batches of 500)"] = clock() - started
    total = sum(spent.values())
    rows: list[list[object]] = [["bare lxml iterparse of the file (the bench's limit)", f"{bare / records * 1e3:.3f}",
                                 ""]]
    rows += [[name, f"{seconds / records * 1e3:.3f}", f"{seconds / total:.0%}"] for name, seconds in spent.items()]
    rows.append(["sum of the phases", f"{total / records * 1e3:.3f}", "100%"])
    rows += [[name, f"{seconds / records * 1e3:.3f}", ""] for name, seconds in other.items()]
    cores = os.cpu_count() or 1
    return (
        f"`python bench/ingest.py --phases --records {records}`: the ST.66 file of {records:,} generated records "
        f"cut into {len(spans)} pieces as `marksearch ingest` cuts it, each piece run through the phases one after "
        f"the other in one process, each phase timed apart, in ms per record; {len(keys):,} distinct mark texts.\n\n"
        + table(["phase", "ms per record", "share"], rows)
        + f"\n\nSpread perfectly over {cores} cores, these phases would take {total / cores / records * 1e3:.3f} ms "
        f"per record: a ratio to the bare pass of at most {bare / (total / cores):.3f} on this machine, before "
        "pipes, pickling and scheduling.\n\n"
        f"Packed, a record takes {sizes['zstd'] / sizes['json']:.0%} of its JSON with zstd level 1 "
        f"({sizes['lz4'] / sizes['json']:.0%} with LZ4); the record JSON averages "
        f"{sizes['json'] / records / 1e3:.1f} KB."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated file and register")
    parser.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    parser.add_argument("--rounds", type=int, default=3, help="bare pass then ingest, this many times")
    parser.add_argument("--warm", action="store_true", help="start each pass with the file read through once "
                                                            "(as much of it cached as the OS keeps) instead of "
                                                            "out of the page cache")
    parser.add_argument("--phases", action="store_true", help="time each phase of an ingest instead (use a few "
                                                              "thousand --records: the pieces are held in memory)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"st66_{args.records}.xml"
    db = OUT / f"ingest_{args.records}.sqlite"
    if not path.exists():
        print(f"generating {args.records} records -> {path}", file=sys.stderr)
        generate(path, args.records, args.seed)
    if args.phases:
        body = phases(path, args.records)
        print(body)
        if not args.no_write:
            write_section("Ingest: where the time goes (bench/ingest.py --phases)", body)
        if not args.keep:
            path.unlink()
        return
    size_mb = path.stat().st_size / 1e6
    print(f"file: {size_mb:.0f} MB, {args.records} records", file=sys.stderr)
    rows = []
    ratios = []
    start = warm if args.warm else uncache

    def bare_pass(label: str) -> float:
        load = os.getloadavg()[0]
        start(path)
        before = cpu()
        n_bare, t_bare = bare_iterparse(path)
        bare_cpu = [after - b for after, b in zip(cpu(), before)]
        assert n_bare == args.records, (n_bare, args.records)
        rows.append([label, f"{load:.1f}", "bare lxml iterparse (limit)", n_bare, f"{n_bare / t_bare:,.0f}",
                     f"{size_mb / t_bare:.1f}", f"{t_bare:.1f}", f"{bare_cpu[0]:.1f}", f"{bare_cpu[1]:.1f}", ""])
        return t_bare

    # Each ingest runs between two bare passes and is compared with their mean: the shared machine's
    # speed drifts by a fifth or more within minutes, and a drift that is steady over the three passes
    # then cancels out of the ratio instead of landing on it.
    t_before = bare_pass("0")
    for round_ in range(1, args.rounds + 1):
        load = os.getloadavg()[0]
        start(path)
        before = cpu()
        n_ms, t_ms, db_bytes = marksearch_ingest(path, db)
        ms_cpu = [after - b for after, b in zip(cpu(), before)]
        assert n_ms == args.records, (n_ms, args.records)
        rows.append([round_, f"{load:.1f}", "marksearch ingest (SQLite)", n_ms, f"{n_ms / t_ms:,.0f}",
                     f"{size_mb / t_ms:.1f}", f"{t_ms:.1f}", f"{ms_cpu[0]:.1f}", f"{ms_cpu[1]:.1f}", ""])
        t_after = bare_pass(f"{round_}")
        ratio = (t_before + t_after) / 2 / t_ms
        rows[-2][-1] = f"{ratio:.3f}"
        ratios.append(ratio)
        print(f"round {round_}: ratio {ratio:.3f} (bare {t_before:.1f} s and {t_after:.1f} s, ingest {t_ms:.1f} s)",
              file=sys.stderr)
        t_before = t_after
    body = (
        f"ST.66 (EUIPO profile) file of {args.records:,} records, {size_mb:,.0f} MB, generated from the 587 real "
        f"EUIPO records as templates (seed {args.seed}). Register size after ingest: {db_bytes / 1e6:,.0f} MB. "
        f"{args.rounds} rounds; each ingest runs between two bare passes (a round's bare pass is the one after "
        "its ingest; round 0's is the first) and its ratio is the mean of the two bare passes' seconds over "
        "its own, so that the shared machine's drift in speed, steady over the three passes, cancels out. "
        "Each pass starts with the "
        + ("file just read through (`--warm`: as much of it in the OS page cache as the OS keeps)" if args.warm
           else "file out of the OS page cache")
        + ". CPU seconds are the pass's own, an ingest's worker processes included (2 cores: an ingest that "
        "keeps both busy uses twice its seconds).\n\n"
        + table(["round", "load before", "pass", "records", "records/s", "MB/s", "seconds", "CPU user s",
                 "CPU system s", "ratio to iterparse"], rows)
        + f"\n\nRatio to bare iterparse: median {statistics.median(ratios):.3f}, "
        f"lowest {min(ratios):.3f}, highest {max(ratios):.3f} (three decimals: the bar is 0.5)."
    )
    print(body)
    if not args.no_write:
        write_section("Ingest (bench/ingest.py)", body)
    if not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
