"""The web app in real headless Chromium against a live ``marksearch serve`` on the demo register.

What a user does: search a mark and read the ranked hits with their signal
bars and reasons; narrow with the form and the facets; switch the interface
to Chinese, Korean and Japanese; open a record, and from it the marks that
resemble it; download the results as CSV, XLSX and PDF; ask which class a
list of goods is in and search marks with those goods.  The pages' stable
hooks are listed in ``docs/web.md``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from marksearch.store import open_store
from marksearch.web.exports import SIGNALS

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")


def search(page: Any, text: str, *, status: str = "all") -> None:
    """Type ``text`` into the search form, choose the status, submit, and wait for the results."""
    page.goto("/")
    page.fill("#search-form input[name=q]", text)
    page.select_option("#search-form select[name=status]", status)
    page.click("#search-form button[type=submit]")
    expect(page.locator("#results")).to_be_visible()


def total(page: Any) -> int:
    return int(page.locator("#total").get_attribute("data-total"))


def facet_count(page: Any, facet: str, value: str) -> int:
    link = page.locator(f"#facets a.facet[data-facet={facet}][data-value='{value}']")
    return int(re.sub(r"\D", "", link.locator("xpath=following-sibling::span[1]").inner_text()))


@pytest.fixture(scope="module")
def register_counts(demo_db: Path) -> dict[str, Any]:
    """Counts read straight from the register, to check the pages against."""
    store = open_store(str(demo_db))
    try:
        stats = store.stats()
        return {"total": stats.total, "by_office": stats.by_office, "by_status": stats.by_status}
    finally:
        store.close()


def test_a_search_shows_ranked_hits_with_signal_bars_and_reasons(page: Any, register_counts: dict[str, Any]) -> None:
    search(page, "Hanttre")
    assert total(page) == register_counts["total"]  # status "all": every mark is ranked
    hits = page.locator("#results li.hit")
    assert hits.count() == 20
    scores = [float(s) for s in hits.locator(".score").evaluate_all("els => els.map(e => e.dataset.score)")]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    first = hits.nth(0)
    expect(first.locator("a.record-link")).to_have_text("Hanttre")
    signals = first.locator(".signal")
    assert sorted(signals.evaluate_all("els => els.map(e => e.dataset.signal)")) == sorted(SIGNALS)
    expect(first.locator(".signal[data-signal=spelling] meter")).to_have_attribute("value", "1.0")
    assert first.locator(".reason").count() >= 1
    # the Hangul rendering of the mark is found by its sound, and says so
    korean = hits.filter(has=page.locator("a.record-link", has_text="한뜨레")).first
    expect(korean).to_be_visible()
    assert float(korean.locator(".signal[data-signal=cross_script] meter").get_attribute("value")) == 1.0
    expect(korean.locator(".reason").first).to_contain_text("Hanttre ~ 한뜨레, alike in sound")


# The smallest PNG there is: one transparent pixel.
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.mark.parametrize("images", ["unreachable", "served"])
def test_a_hit_keeps_its_layout_whether_its_image_loads_or_not(page: Any, images: str) -> None:
    """Offices give images as URLs on their own servers, which may be down or out of reach: a hit
    whose image fails loses its thumbnail column, and its facts and scores keep their places."""
    def answer(route: Any) -> None:
        if images == "served":
            route.fulfill(status=200, content_type="image/png", body=PIXEL)
        else:
            route.abort()

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), answer)  # every image off this machine
    search(page, "Hanttre")
    hits = page.locator("#results li.hit")
    with_image = hits.filter(has=page.locator("a.record-link", has_text="한뜨레")).first
    expect(with_image).to_be_visible()
    if images == "served":
        expect(with_image.locator(".thumb img")).to_have_count(1)
        expect(with_image).not_to_have_class(re.compile(r"\bno-image\b"))
    else:
        expect(with_image.locator(".thumb")).to_have_count(0)
        expect(with_image).to_have_class(re.compile(r"\bno-image\b"))
    for i in range(hits.count()):
        about = hits.nth(i).locator(".about").bounding_box()
        scoring = hits.nth(i).locator(".scoring").bounding_box()
        assert about["width"] > 300, (images, i, about)  # not squeezed into the thumbnail's column
        assert scoring["x"] >= about["x"] + about["width"], (images, i, about, scoring)


def test_filters_and_facets_narrow_the_ranking(page: Any, register_counts: dict[str, Any]) -> None:
    search(page, "SHOE PLACE")
    kr = register_counts["by_office"]["KR"]
    assert facet_count(page, "office", "KR") == kr
    page.select_option("#search-form select[name=office]", ["KR"])
    page.click("#search-form button[type=submit]")
    expect(page.locator("#total")).to_have_attribute("data-total", str(kr))
    offices = page.locator("#results li.hit").evaluate_all("els => els.map(e => e.dataset.office)")
    assert offices and set(offices) == {"KR"}
    assert page.locator("#facets a.facet[data-facet=office]").count() == 1  # only KR passes now
    class_25 = facet_count(page, "nice_class", "25")
    assert 0 < class_25 < kr
    page.select_option("#search-form select[name=cls]", ["25"])
    page.click("#search-form button[type=submit]")
    expect(page.locator("#total")).to_have_attribute("data-total", str(class_25))
    for classes in page.locator("#results li.hit dl.facts").all_inner_texts():
        assert re.search(r"\b25\b", classes), classes
    registered = facet_count(page, "status", "registered")
    assert registered < class_25
    page.click("#facets a.facet[data-facet=status][data-value=registered]")
    expect(page.locator("#total")).to_have_attribute("data-total", str(registered))
    statuses = page.locator("#results li.hit .status").evaluate_all("els => els.map(e => e.className)")
    assert statuses and all("status-registered" in s for s in statuses)
    expect(page.locator("#search-form select[name=status]")).to_have_value("registered")


def test_the_interface_speaks_chinese_korean_and_japanese(page: Any) -> None:
    search(page, "Hanttre")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    english = page.locator("#search-form button[type=submit]").inner_text()
    page.click("nav#lang a[hreflang=zh]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    button = page.locator("#search-form button[type=submit]").inner_text()
    assert HAN.search(button) and button != english
    assert HAN.search(page.locator("h1").inner_text())
    assert page.locator("#results li.hit").count() == 20  # the same results, in another language
    page.goto("/")  # the choice is remembered (cookie)
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.click("nav#lang a[hreflang=ko]")
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    assert HANGUL.search(page.locator("#search-form button[type=submit]").inner_text())
    assert HANGUL.search(page.locator("h1").inner_text())
    page.click("nav#lang a[hreflang=ja]")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert KANA.search(page.locator("header .tagline").inner_text())
    search(page, "Hanttre")  # in Japanese now (cookie): the signals in the words of Japanese examiners
    expect(page.locator("#results li.hit").first.locator(".signal[data-signal=sound]")).to_contain_text("称呼")


def test_the_browser_language_chooses_the_interface(browser: Any, server: str) -> None:
    context = browser.new_context(base_url=server, locale="ko-KR")
    try:
        page = context.new_page()
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
    finally:
        context.close()


def test_a_record_page_shows_goods_dates_and_parties(page: Any) -> None:
    search(page, "JAVA")
    page.locator("#results li.hit[data-office=US] a.record-link", has_text="JAVA").first.click()
    expect(page).to_have_url(re.compile(r"/marks/US/74631225$"))  # USPTO TSDR record, Oracle's JAVA
    expect(page.locator("#record")).to_contain_text("JAVA")
    goods = page.locator("#goods")
    expect(goods).to_contain_text("9")
    expect(goods).to_contain_text("computer programs for use in developing and executing other computer programs")
    dates = page.locator("#dates")
    for day in ("1995", "1998"):  # filed 1995-02-07, registered 1998-08-04
        expect(dates).to_contain_text(day)
    expect(page.locator("#parties")).to_contain_text("Oracle America, Inc.")


def test_a_hangul_record_page_shows_its_korean_parties(page: Any) -> None:
    search(page, "Hanttre")
    link = page.locator("#results li.hit[data-office=KR] a.record-link", has_text="한뜨레").first
    number = link.locator("xpath=ancestor::li[1]").get_attribute("data-number")
    link.click()
    expect(page).to_have_url(re.compile(rf"/marks/KR/{number}$"))
    record = page.locator("#record")
    expect(record).to_contain_text("한뜨레")
    expect(record).to_contain_text(number)
    expect(page.locator("#dates")).to_contain_text("2011")
    expect(page.locator("#parties")).to_contain_text("동의대학교 산학협력단")
    expect(page.locator("#goods")).to_be_visible()  # KIPRIS gave classes without goods text: said so, not hidden


def test_a_record_page_leads_to_the_marks_that_resemble_it(page: Any) -> None:
    page.goto("/marks/KR/4020190000011")  # 돈퍼, with its KIPRIS designated goods
    expect(page.locator("#goods")).to_contain_text("Similar-goods groups: G0301, G0502, S120602")
    page.click("#find-similar")
    expect(page).to_have_url(re.compile(r"/search\?q=%EB%8F%88%ED%8D%BC&cls=43$"))
    expect(page.locator("#search-form input[name=q]")).to_have_value("돈퍼")
    first = page.locator("#results li.hit").first
    expect(first).to_have_attribute("data-number", "4020190000011")
    for hit in page.locator("#results li.hit").all():  # kept to the mark's class
        classes = hit.locator("dt", has_text="Nice classes").locator("xpath=following-sibling::dd[1]").inner_text()
        assert "43" in classes.split(", "), classes


def test_a_record_page_names_its_vienna_codes(page: Any) -> None:
    search(page, "Uncle Ben's")
    link = page.locator("#results li.hit[data-office=EM] a.record-link", has_text="Uncle Ben's").first
    link.click()
    vienna = page.locator("#vienna")
    expect(vienna).to_contain_text("02.01.01")  # Vienna 020101: men (TradeMarks2020 record 000001751)
    assert re.search(r"[a-z]{4,}", vienna.inner_text().lower())  # the code's description, not only the code


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_each_export_downloads_the_page_of_hits(page: Any, fmt: str) -> None:
    search(page, "Hanttre")
    marks = page.locator("#results li.hit a.record-link").all_inner_texts()
    with page.expect_download() as info:
        page.click(f"a.export[data-format={fmt}]")
    download = info.value
    assert download.suggested_filename.endswith(f".{fmt}")
    data = Path(download.path()).read_bytes()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
        assert [r["Mark"] for r in rows] == marks
    elif fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data))["Results"]
        header, *rows = list(sheet.iter_rows(values_only=True))
        assert [r[header.index("Mark")] for r in rows] == marks
    else:
        assert data.startswith(b"%PDF-") and b"/BaseFont /HYSMyeongJo-Medium" in data


def test_the_goods_page_suggests_a_class_and_leads_to_the_search(page: Any) -> None:
    page.goto("/")
    page.click("#search-form a.which-class")
    expect(page).to_have_url(re.compile(r"/goods$"))
    page.fill("#goods-form textarea[name=q]", "coffee; pastries\nKaffee")
    page.click("#goods-form button[type=submit]")
    first = page.locator("#suggestion li.class-suggestion").first
    expect(first).to_have_attribute("data-class", "30")  # coffee, tea, bakery
    expect(first.locator(".heading")).to_contain_text("Coffee, tea, cocoa")
    german = page.locator("article.goods-item").nth(2).locator("tr.term").first
    expect(german).to_have_attribute("data-language", "de")  # the register's EUIPO goods joined the term base
    page.fill("#goods-search input[name=q]", "Dolceria degli Elfi")
    page.click("#goods-search button[type=submit]")
    expect(page).to_have_url(re.compile(r"/search\?.*goods=coffee"))
    expect(page.locator("#search-form textarea[name=goods]")).to_have_value("coffee; pastries\nKaffee")
    hit = page.locator("#results li.hit").first
    expect(hit.locator("a.record-link")).to_have_text("Dolceria degli Elfi")  # EUIPO sample, classes 30 and 43
    expect(hit.locator(".signal[data-signal=goods] meter")).to_have_attribute("value", "1.0")
    overlap = hit.locator("li.overlap").first  # which of the mark's goods meet the description
    expect(overlap).to_have_attribute("data-class", "30")
    expect(overlap).to_contain_text(re.compile(r"(coffee|pastries|Kaffee) ~ "))
