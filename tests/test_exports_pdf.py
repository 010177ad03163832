"""The PDF report with hostile data: huge owner lists, very long texts, and characters
that only some fonts have (the search PDF and the watch report PDF share the layout).

Each PDF is read back with the content-stream reader of :mod:`tests.test_exports`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reportlab.pdfbase import pdfmetrics

from marksearch.cli import cli
from marksearch.web.exports import CJK_FONTS, SIGNALS, Fonts, font_runs, fonts, grouped_pdf, to_pdf
from tests.test_exports import _joined, pdf_text

OWNERS = [f"Owner Number {n} Holdings GmbH & Co. KG" for n in range(120)]


def _hit(**fields: Any) -> dict[str, Any]:
    return {"rank": 1, "score": 0.9, "office": "EM", "application_number": "000000051", "mark_text": "KOKA",
            "status": "registered", "nice_classes": [32], "owners": ["Koka Ltd"],
            "signals": dict.fromkeys(SIGNALS, 0.5), "reasons": ["spelling: identical"], **fields}


def _search_pdf(hit: Mapping[str, Any]) -> bytes:
    return to_pdf({"query": {"q": "KOKA"}, "total": 1, "hits": [hit], "generated_at": "2025-01-02T03:04:05+00:00"})


def _watch_pdf(hit: Mapping[str, Any]) -> bytes:
    return grouped_pdf("marksearch watch report", [("Register", "r.sqlite")],
                       [("KOKA (watch 1)", [("Classes", "32")], [hit])], subject="Trademark watch report")


BOTH = pytest.mark.parametrize("write", [_search_pdf, _watch_pdf], ids=["search", "watch"])


def _text(pdf: bytes) -> str:
    return " ".join(_joined(page) for page in pdf_text(pdf))


def _squashed(pdf: bytes) -> str:
    """The text without spaces: a line wrap puts one where the text has none."""
    return _text(pdf).replace(" ", "")


def _widest() -> str:
    """The widest glyph of the embedded TrueType font (‱ in DejaVu Sans, 1.7 em)."""
    widths = pdfmetrics.getFont(fonts().regular).face.charWidths
    return chr(max(widths, key=lambda cp: (widths[cp], -cp)))


# -- cells that would outgrow a page -----------------------------------------------------------------


@BOTH
def test_a_filing_with_120_owners_lists_the_first_and_counts_the_rest(write: Callable[..., bytes]) -> None:
    text = _squashed(write(_hit(owners=OWNERS)))
    assert "OwnerNumber0HoldingsGmbH&Co.KG;OwnerNumber1Holdings" in text
    shown = sum(f"OwnerNumber{n}Holdings" in text for n in range(120))
    assert 5 <= shown < 120
    assert f"(and{120 - shown}more)" in text
    assert "Page1of1" in text  # the hit still reads as one block on one page


@BOTH
def test_an_owner_name_of_3000_letters_is_cut_with_an_ellipsis(write: Callable[..., bytes]) -> None:
    text = _squashed(write(_hit(owners=["O" * 3000, "Koka Ltd"])))
    assert "O" * 300 in text and "O" * 500 not in text
    assert "O…(and1more)" in text


@BOTH
@pytest.mark.parametrize("fields", [
    {"mark_text": "M" * 3000},
    {"mark_text": "國" * 3000},
    {"application_number": "1" * 3000, "registration_number": "2" * 3000},
    {"status_text": "W" * 3000, "office_name": "W" * 3000},
    {"nice_classes": list(range(1, 46)) * 40},
    {"reasons": ["sound: " + "KOKA " * 600] * 50},
    {"reasons": [f"reason {n}" for n in range(500)]},
    {"goods_overlap": {"pairs": [{"reason": f"{n}: " + "goods " * 200} for n in range(60)]}},
    {"signals": {f"signal_{n}": 0.5 for n in range(400)}},
], ids=["mark", "cjk-mark", "numbers", "status", "classes", "long-reasons", "many-reasons", "goods", "signals"])
def test_no_hit_field_can_outgrow_a_page(write: Callable[..., bytes], fields: dict[str, Any]) -> None:
    pages = pdf_text(write(_hit(**fields)))
    assert len(pages) <= 2  # cut to fit: the hit is still about a page
    text = " ".join(_joined(page) for page in pages)
    assert "…" in text or "more" in text


@BOTH
def test_a_text_of_the_widest_glyphs_in_every_field_still_makes_a_pdf(write: Callable[..., bytes]) -> None:
    wide = _widest() * 3000
    hit = _hit(mark_text=wide, owners=[wide] * 3, status_text=wide, office_name=wide, application_number=wide,
               reasons=[wide] * 3, goods_overlap={"pairs": [{"reason": wide}]})
    assert _widest() * 100 in _squashed(write(hit))


def test_the_summary_rows_cannot_outgrow_a_page() -> None:
    wide = _widest() * 3000
    pdf = grouped_pdf("marksearch watch report", [("Register", wide), (wide, "x")],
                      [(wide, [("Goods", "clothing; " * 800)], [_hit()])], subject="s")
    assert "Page 1 of" in _text(pdf)
    result = {"query": {"q": wide, "goods": "clothing; " * 800, "offices": ["EM"] * 900}, "hits": [_hit()],
              "currency": [{"office": wide, "office_name": wide, "records": 10 ** 200, "latest_date": wide}]}
    assert "000000051" in _text(to_pdf(result))


def test_a_cell_taller_than_a_page_is_carried_over_to_the_next() -> None:
    """The office column is 16 mm wide: two of the widest glyphs a line, so even the cut text is
    taller than a page; the row goes on on the next page instead of stopping the report."""
    wide = _widest() * 3000
    pages = pdf_text(to_pdf({"query": {"q": "KOKA"}, "hits": [_hit()],
                             "currency": [{"office": wide, "office_name": "EUIPO", "records": 1}]}))
    assert len(pages) >= 2
    drawn = "".join(t for page in pages for _, t in page)
    assert drawn.count(_widest()) >= 390  # the text is cut, not lost


def test_the_watch_report_command_writes_the_pdf_of_a_filing_with_many_owners(tmp_path: Path) -> None:
    records = tmp_path / "owners.jsonl"
    with records.open("w") as out:
        for number, owners in (("000000051", OWNERS), ("000000052", ["O" * 3000])):
            out.write(json.dumps({"office": "EM", "application_number": number, "nice_classes": [32],
                                  "verbal_elements": [{"text": "KOKA"}],
                                  "parties": [{"role": "owner", "name": n} for n in owners]}) + "\n")
    db, target = str(tmp_path / "reg.sqlite"), tmp_path / "watch.pdf"
    for args in (["ingest", str(records), "--workers", "1", "--quiet"], ["watch", "add", "KOKA", "--backfill"],
                 ["watch", "report", "--format", "pdf", "--output", str(target)]):
        result = CliRunner().invoke(cli, [*args, "--db", db], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
    text = _squashed(target.read_bytes())
    assert "OwnerNumber0Holdings" in text and re.search(r"\(and1\d\dmore\)", text) and "O…" in text


# -- a font for every character ------------------------------------------------------------------------


def test_the_japanese_middle_dot_is_set_in_the_japanese_font() -> None:
    assert font_runs("コカ・コーラ", fonts()) == [(CJK_FONTS["ja"], "コカ・コーラ")]
    drawn = [d for page in pdf_text(_search_pdf(_hit(mark_text="コカ・コーラ"))) for d in page]
    assert {font for font, text in drawn if "・" in text} == {CJK_FONTS["ja"]}


@pytest.mark.parametrize(("text", "lang"), [
    ("「コカ」。", "ja"), ("ＡＢＣ１２３", "zh"), ("ｺｶｺｰﾗ", "ja"), ("〒１００", "zh"), ("한글、", "ko"),
])
def test_cjk_punctuation_and_width_forms_take_a_cjk_font(text: str, lang: str) -> None:
    assert font_runs(text, fonts()) == [(CJK_FONTS[lang], text)]


def test_each_character_takes_the_first_font_that_has_its_glyph() -> None:
    latin = Fonts("Sans", "Sans-Bold", frozenset(map(ord, "KOA ")))
    assert font_runs("KOKA Кока", latin) == [("Sans", "KOKA "), (CJK_FONTS["zh"], "Кока")]  # GBK has Cyrillic
    with_cyrillic = Fonts("Sans", "Sans-Bold", frozenset(map(ord, "KOA Кока")))
    assert font_runs("KOKA Кока", with_cyrillic) == [("Sans", "KOKA Кока")]
    # 们 is simplified Chinese: not in the Korean font's KS X 1001, so the Chinese font draws it
    assert font_runs("삼성们", latin) == [(CJK_FONTS["ko"], "삼성"), (CJK_FONTS["zh"], "们")]
    assert font_runs("KOKA\u200d\u0301", latin) == [("Sans", "KOKA\u200d\u0301")]  # they follow their letter


# -- scripts no font here sets right ----------------------------------------------------------------------


@pytest.mark.parametrize(("mark", "reading"), [
    ("कोका कोला", "koka kola"),  # Devanagari: no font here has it
    ("كوكا كولا", "kwk kwl"),  # Arabic: DejaVu has the letters, but reportlab neither joins nor reverses them
])
def test_a_mark_the_pdf_cannot_show_as_written_carries_its_romanised_reading(mark: str, reading: str) -> None:
    text = _text(_search_pdf(_hit(mark_text=mark, owners=[mark + " Ltd"])))
    assert f"(romanised: {reading})" in text and "romanised: 1." not in text  # the heading, its rank apart
    assert f"(romanised: {reading} Ltd)" in text  # the owner
    assert "romanised" not in _text(_search_pdf(_hit(mark_text="コカ・コーラ KOKA Кока")))
