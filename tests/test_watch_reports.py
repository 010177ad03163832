"""Watch reports parse back: CSV (UTF-8 with BOM), JSON, HTML, PDF (CJK text in its CID font)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from marksearch.ingest import ingest
from marksearch.store import Store, open_store
from marksearch.watch import WatchStore, run_watches
from marksearch.watch.reports import FORMATS, report, to_csv, to_html, to_json, to_pdf
from tests.test_exports import _joined, pdf_text
from tests.test_watch_helpers import WATCHED, batches


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("watch-report")
    _, batch2, batch3 = batches(folder)
    with open_store(":memory:") as store:
        ws = WatchStore(store)
        for portfolio, text, classes in WATCHED:
            ws.add_watch(portfolio, text, classes=classes)
        ws.add_watch("quiet", "ZZYZX")  # a watched mark without alerts is listed too
        ingest(store, [batch2, batch3], format="jsonl", workers=1)
        run_watches(store)
        ws.mark_seen(ids=[ws.alerts()[-1].id])
        yield report(store)


def test_the_report_data(data: dict[str, Any]) -> None:
    assert len(data["watches"]) == 5 and len(data["alerts"]) >= 6
    assert sum(1 for a in data["alerts"] if not a["new"]) == 1
    assert json.loads(to_json(data)) == data


def test_csv_has_a_bom_a_row_per_alert_and_the_watch_columns(data: dict[str, Any]) -> None:
    raw = to_csv(data)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == len(data["alerts"])
    assert {"Portfolio", "Watched mark", "Alert id", "New", "Score", "Mark", "Reasons"} <= set(rows[0])
    assert {(r["Watched mark"], r["Mark"]) for r in rows} >= {("HANTTRE", "한뜨레"), ("SHOEPLACE", "슈플레이스")}
    assert {r["Alert id"] for r in rows} == {str(a["id"]) for a in data["alerts"]}
    assert sorted(r["New"] for r in rows).count("no") == 1


def test_html_lists_each_watched_mark_and_its_alerts(data: dict[str, Any]) -> None:
    doc = lxml.html.fromstring(to_html(data))
    sections = doc.xpath("//section[@class='watch']")
    assert len(sections) == 5
    rows = doc.xpath("//tr[contains(@class, 'alert')]")
    assert len(rows) == len(data["alerts"])
    assert "No alerts." in sections[-1].text_content()  # ZZYZX
    assert "슈플레이스" in doc.text_content()


def test_html_escapes_what_it_shows(data: dict[str, Any]) -> None:
    tricky = {**data, "watches": [{**data["watches"][0], "text": "<script>x</script>"}]}
    assert b"<script>x" not in to_html(tricky)


def test_pdf_has_every_watched_mark_and_alert(data: dict[str, Any]) -> None:
    pdf = to_pdf(data)
    assert pdf.startswith(b"%PDF-")
    pages = pdf_text(pdf)
    text = " ".join(_joined(p) for p in pages)
    for watch in data["watches"]:
        assert watch["text"] in text, watch["text"]
    assert "marksearch watch report" in text and "Page 1 of" in text
    drawn = {t for page in pages for font, t in page if font == "HYSMyeongJo-Medium"}
    assert any("슈플레이스" in t for t in drawn)  # Korean marks set in the Korean CID font


def test_every_format_of_an_empty_register(tmp_path: Path) -> None:
    with open_store(":memory:") as store:
        empty = report(store)
    for fmt, write in FORMATS.items():
        assert write(empty), fmt


def test_a_report_of_one_portfolio(tmp_path: Path) -> None:
    store: Store
    with open_store(":memory:") as store:
        ws = WatchStore(store)
        ws.add_watch("a", "KOKA")
        ws.add_watch("b", "COCA")
        only = report(store, portfolio="a", new_only=True)
    assert [w["text"] for w in only["watches"]] == ["KOKA"] and only["new_only"] is True
