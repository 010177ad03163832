"""CSV, XLSX and PDF exports of real searches over real records.

The register holds real KIPRIS and EUIPO records from the demo data (Korean,
Chinese and Cyrillic marks beside their Latin neighbours) and real Japanese
brand names from Simple Icons (``/work/shared/data/names``).  The result
dicts come from real searches through the web service; the PDF is read back with a small content-stream
reader written here (no PDF library is installed), which is enough to check
that each mark is written, in which font, page by page.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest

from marksearch.demo import demo_files
from marksearch.ingest import ingest
from marksearch.records import Party, Record, Status, VerbalElement
from marksearch.scoring import shown_score
from marksearch.store import Store, open_store
from marksearch.text import mark_keys
from marksearch.web import exports
from marksearch.web.exports import (
    CJK_FONTS,
    EXPORTS,
    SIGNALS,
    filename,
    to_csv,
    to_pdf,
    to_xlsx,
)
from marksearch.web.service import SearchParams, Service

from .conftest import SHARED

DEMO_MARKS = {"한뜨레", "Hanttre", "惠 博", "Френди", "SHOE PLACE", "슈플레이스", "FRIENDS", "hanuta"}


def _japanese_names() -> list[tuple[str, str]]:
    """(brand, Japanese name) pairs from Simple Icons' localised titles."""
    data = json.loads((SHARED / "names" / "simple-icons_brands.json").read_text())
    icons = data["icons"] if isinstance(data, dict) else data
    return [(i["title"], i["aliases"]["loc"]["ja-JP"]) for i in icons
            if "ja-JP" in ((i.get("aliases") or {}).get("loc") or {})]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("exports")
    picked = folder / "picked.jsonl"
    with picked.open("w") as out:
        for path in demo_files():
            with gzip.open(path, "rt") as lines:
                for line in lines:
                    data = json.loads(line)
                    if " ".join(v["text"] for v in data.get("verbal_elements", ())) in DEMO_MARKS:
                        out.write(line)
    db = open_store(str(folder / "exports.sqlite"))
    ingest(db, [str(picked)], format="jsonl")
    japanese = [Record(office="JP", application_number=f"SI-{n}", status=Status.REGISTERED,
                       verbal_elements=(VerbalElement(name, language="ja"),),
                       parties=(Party("owner", name=f"{brand} (Simple Icons title)"),))
                for n, (brand, name) in enumerate(_japanese_names(), 1)]
    db.write(japanese, [mark_keys(r.mark_text).to_dict() for r in japanese])
    yield db
    db.close()


def search(store: Store, text: str, **filters: Any) -> dict[str, Any]:
    """A real search through the web service, as the export routes get it (time fixed for the checks)."""
    result = Service(store).search(SearchParams(q=text, statuses=("all",), per_page=10, **filters))
    result["generated_at"] = "2025-01-02T03:04:05+00:00"
    return result


# -- CSV -------------------------------------------------------------------------------------------


def test_csv_is_one_clean_table_of_the_hits(store: Store) -> None:
    result = search(store, "Hanttre")
    data = to_csv(result)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Rank", "Score", "Office", "Application number", "Registration number", "Mark"]
    assert [h for h in header if h.lower().replace("-", "_") in SIGNALS] == \
        ["Spelling", "Sound", "Cross-script", "Containment", "Goods"]
    assert len(body) == len(result["hits"]) >= 6
    for row, hit in zip(body, result["hits"], strict=True):
        got = dict(zip(header, row, strict=True))
        assert (got["Rank"], got["Office"], got["Application number"], got["Mark"]) == \
            (str(hit["rank"]), hit["office"], hit["application_number"], hit["mark_text"])
        assert float(got["Cross-script"]) == hit["signals"]["cross_script"]
        assert got["Reasons"] == "; ".join(hit["reasons"])
        assert got["Owners"] == "; ".join(hit["owners"])
        assert got["Filed"] == (hit["filing_date"] or "")
    marks = [r[5] for r in body]
    assert "Hanttre" in marks and "한뜨레" in marks  # the cross-script neighbour, in Hangul
    assert any("동의대학교" in r[header.index("Owners")] for r in body)


def test_csv_keeps_formula_like_text_inert() -> None:
    hits = [{"rank": 1, "mark_text": "=HYPERLINK(\"http://x\")", "owners": ["+Plus Ltd"], "reasons": ["-x"]},
            {"rank": 2, "mark_text": "-SAVE-"}, {"rank": 3, "mark_text": "A=B"}]
    rows = list(csv.reader(io.StringIO(to_csv({"hits": hits}).decode("utf-8-sig"), newline="")))
    header = rows[0]
    assert [r[header.index("Mark")] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'-SAVE-", "A=B"]
    assert rows[1][header.index("Owners")] == "'+Plus Ltd"


# -- XLSX ------------------------------------------------------------------------------------------


def test_xlsx_has_results_and_search_sheets(store: Store) -> None:
    result = search(store, "Hanttre", classes=(25,))
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(result)))
    assert book.sheetnames == ["Results", "Search"]
    ws = book["Results"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == ws.dimensions
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) - 1 == len(result["hits"]) >= 2
    for row, hit in zip(rows[1:], result["hits"], strict=True):
        got = dict(zip(header, row, strict=True))
        assert got["Mark"] == hit["mark_text"] and got["Rank"] == hit["rank"]
        assert got["Score"] == pytest.approx(hit["score"])
        assert got["Nice classes"] and "25" in got["Nice classes"]
        filed = got["Filed"]
        assert isinstance(filed, dt.datetime) and filed.date().isoformat() == hit["filing_date"]
    assert ws.column_dimensions["F"].width >= 12  # the mark column is sized to its content
    search_sheet = {r[0]: r[1] for r in book["Search"].iter_rows(values_only=True) if r[0]}
    assert search_sheet["Query"] == "Hanttre"
    assert search_sheet["Nice classes"] == "25"
    assert search_sheet["Generated"] == "2025-01-02 03:04 UTC"
    cells = [c for r in book["Search"].iter_rows(values_only=True) for c in r if c is not None]
    assert "How current each office's data is" in cells and "KR" in cells


def test_xlsx_text_that_looks_like_a_formula_stays_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx({"hits": [{"rank": 1, "mark_text": "=1+1\x07"}]})))
    cell = book["Results"]["F2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


# -- PDF -------------------------------------------------------------------------------------------


def _objects(pdf: bytes) -> dict[bytes, bytes]:
    """Every indirect object's body by its number (reportlab writes no object streams)."""
    return {m.group(1): m.group(2) for m in re.finditer(rb"\n(\d+) 0 obj\n(.*?)\nendobj", pdf, re.DOTALL)}


def _stream(body: bytes) -> bytes:
    """A stream object's data, decoded (reportlab uses Flate, ASCII85 + Flate for pages)."""
    m = re.search(rb"/Length (\d+).*?stream\r?\n", body, re.DOTALL)
    assert m, body[:200]
    data = body[m.end():m.end() + int(m.group(1))]
    if b"/ASCII85Decode" in body[:m.start() + 80]:
        data = base64.a85decode(data.strip().removesuffix(b"~>"), adobe=False)
    return zlib.decompress(data)


def _literal(s: bytes) -> bytes:
    """A PDF literal string's bytes, escapes undone."""
    out, i = bytearray(), 0
    while i < len(s):
        if s[i:i + 1] == b"\\":
            octal = re.match(rb"[0-7]{1,3}", s[i + 1:i + 4])
            if octal:
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += {b"n": b"\n", b"r": b"\r", b"t": b"\t"}.get(s[i + 1:i + 2], s[i + 1:i + 2])
            i += 2
        else:
            out += s[i:i + 1]
            i += 1
    return bytes(out)


def _decoder(font: bytes, objects: dict[bytes, bytes]) -> tuple[str, Any]:
    """A font object's base name and how to turn its string bytes into text:
    UTF-16 for the CID fonts (UCS2 encodings), the ToUnicode map for TrueType subsets."""
    name = re.search(rb"/BaseFont /([\w+-]+)", font)
    base = name.group(1).decode() if name else "?"
    if base in CJK_FONTS.values():
        return base, lambda raw: raw.decode("utf-16-be")
    to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
    if to_unicode is None:  # a standard Type 1 font, WinAnsi
        return base, lambda raw: raw.decode("cp1252")
    cmap = _stream(objects[to_unicode.group(1)])
    table = {int(a, 16): chr(int(b, 16)) for a, b in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>", cmap)}
    return base, lambda raw: "".join(table.get(b, "\ufffd") for b in raw)


def pdf_text(pdf: bytes) -> list[list[tuple[str, str]]]:
    """Per page, the (base font, text) of every string drawn."""
    objects = _objects(pdf)
    resources = dict(re.findall(rb"/(F\d+(?:\+\d+)?) (\d+) 0 R", pdf))
    fonts = {name.decode(): _decoder(objects[obj], objects) for name, obj in resources.items()}
    kids = re.search(rb"/Kids \[([\d\sR]*)\]", pdf)
    assert kids
    pages = []
    for page in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[page])
        assert contents
        stream = _stream(objects[contents.group(1)])
        decode: Any = None
        font, drawn = "", []
        for m in re.finditer(rb"/(F\d+(?:\+\d+)?) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", stream, re.DOTALL):
            if m.group(1):
                font, decode = fonts[m.group(1).decode()]
            else:
                drawn.append((font, decode(_literal(m.group(2)))))
        pages.append(drawn)
    return pages


def _joined(page: list[tuple[str, str]]) -> str:
    return " ".join(text for _, text in page)  # strings a line wrap cut apart read joined by a space


def test_pdf_report_is_a_pdf_with_numbered_pages(store: Store) -> None:
    result = search(store, "Hanttre")
    pdf = to_pdf(result)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    pages = pdf_text(pdf)
    page_objects = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    assert page_objects == len(pages) >= 2
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {len(pages)}" in _joined(page)
    first = _joined(pages[0])
    for expected in ("marksearch search report", "Query", "Hanttre", "How current each office's data is",
                     "Marks matching the filters", "2025-01-02 03:04 UTC"):
        assert expected in first
    everything = " ".join(_joined(p) for p in pages)
    for hit in result["hits"]:
        assert hit["application_number"] in everything
        assert f"{shown_score(hit['score']):.3f}" in everything  # 0.7875 is shown 0.788, as on the pages
    assert "transliteration" in everything  # a reason, with its words


@pytest.mark.parametrize(("query", "mark", "font"), [
    ("Hanttre", "한뜨레", "HYSMyeongJo-Medium"),
    ("Huibo", "惠", "STSong-Light"),
    ("Uniqlo", "ユニクロ", "HeiseiMin-W3"),
    ("Friendy", "Френди", None),  # Cyrillic: the TrueType font when it has it, else STSong-Light
])
def test_pdf_sets_each_script_in_a_font_that_draws_it(store: Store, query: str, mark: str, font: str | None) -> None:
    result = search(store, query)
    assert any(mark in h["mark_text"] for h in result["hits"]), [h["mark_text"] for h in result["hits"]]
    pdf = to_pdf(result)
    drawn = [d for page in pdf_text(pdf) for d in page]
    fonts = {f for f, text in drawn if mark in text}
    assert fonts, f"{mark} is not drawn"
    if font is not None:
        assert fonts == {font}
        assert f"/BaseFont /{font}".encode() in pdf
    elif ord(mark[0]) in exports.fonts().covered:  # the embedded TrueType subsets, regular and bold
        assert all("+" in f for f in fonts), fonts
    else:
        assert fonts == {"STSong-Light"}
    assert "Helvetica" not in {f for f, text in drawn if text.strip()}  # no text in a font without CJK


def test_pdf_lists_each_office_currency_and_every_hit_field() -> None:
    hit = {"rank": 1, "score": 0.875, "office": "KR", "office_name": "Korean Intellectual Property Office",
           "application_number": "4020150095900", "registration_number": "4001234560000",
           "mark_text": "SHOE PLACE 슈플레이스", "status": "registered", "status_code": "REG", "status_text": "등록",
           "nice_classes": [18, 25], "owners": ["동의대학교 산학협력단"], "filing_date": "2015-11-30",
           "registration_date": "2016-10-05", "expiry_date": "2026-10-05",
           "signals": dict.fromkeys(SIGNALS, 0.5), "reasons": ["spelling: identical"]}
    result = {"query": {"q": "슈플레이스", "offices": ["KR"], "classes": [25], "statuses": ["registered"],
                        "filed_from": "2015-01-01", "owner": "동의대학교"},
              "total": 1, "hits": [hit], "generated_at": "2025-01-02T03:04:05+00:00",
              "currency": [{"office": "KR", "office_name": "Korean Intellectual Property Office", "records": 95,
                            "latest_ingest": "2025-01-01T00:00:00+00:00", "latest_date": "2024-06-30"}]}
    pages = pdf_text(to_pdf(result, title="Clearance search"))
    drawn = [d for page in pages for d in page]
    text = " ".join(t for _, t in drawn)
    for expected in ("Clearance search", "KR", "2015-01-01", "Korean Intellectual Property Office", "95",
                     "2024-06-30", "2025-01-01 00:00 UTC", "4020150095900", "4001234560000", "18, 25",
                     "2015-11-30", "2016-10-05", "2026-10-05", "0.875", "cross-script 0.50", "spelling: identical",
                     "registered (REG "):
        assert expected in text, expected
    korean = {t for f, t in drawn if f == "HYSMyeongJo-Medium"}
    assert {"슈플레이스", "동의대학교", "등록"} <= {w for t in korean for w in t.split()}


# -- the table of formats ------------------------------------------------------------------------


def test_exports_table_names_each_format_with_its_media_type(store: Store) -> None:
    result = search(store, "SHOE PLACE")
    magic = {"csv": b"\xef\xbb\xbfRank,", "xlsx": b"PK\x03\x04", "pdf": b"%PDF-"}
    for fmt, (media_type, export) in EXPORTS.items():
        assert export(result).startswith(magic[fmt]), fmt
        assert "/" in media_type
        assert filename(result, fmt) == f"marksearch-shoe-place-2025-01-02.{fmt}"
    assert filename({"query": {"q": "한뜨레"}, "generated_at": "2025-01-02T00:00:00"}, "csv") == \
        "marksearch-hantteule-2025-01-02.csv"


def test_an_empty_result_still_exports() -> None:
    empty: dict[str, Any] = {"query": {"q": "zzzz"}, "total": 0, "hits": []}
    assert to_csv(empty).decode("utf-8-sig").count("\r\n") == 1
    assert openpyxl.load_workbook(io.BytesIO(to_xlsx(empty)))["Results"].max_row == 1
    assert "Hits (0 of 0" in "".join(_joined(p) for p in pdf_text(to_pdf(empty)))
