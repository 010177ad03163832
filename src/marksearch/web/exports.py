"""Search results as files an attorney keeps: CSV, XLSX and a PDF report.

Pure functions over the search result dict that
:func:`marksearch.web.service.search` returns (``query``, ``total``, ``hits``,
``currency``, ``generated_at``); nothing here knows about HTTP, so a script can
write the same files.  Missing optional fields print as blanks.

- CSV: one row per hit, a header row and nothing else (the search itself is in
  the XLSX "Search" sheet and the PDF), UTF-8 with a byte-order mark so that
  Excel opens Chinese, Korean and Japanese marks right.
- XLSX: sheet "Results" (header row frozen, autofilter, real numbers and
  dates) and sheet "Search" (query, filters, generation time, data currency).
- PDF: the search report: query, filters, how current each office's data is,
  then every hit with its fields, signal scores and reasons.  Chinese, Korean
  and Japanese text (and full-width forms and CJK punctuation) is set in
  reportlab's built-in CID fonts (not embedded: a reader supplies them, as
  Acrobat and poppler do); everything else in an embedded TrueType font
  (DejaVu Sans where the system has it, else the Vera font shipped with
  reportlab).  Each character goes to the first of these fonts that has its
  glyph.  Text that no font here draws, or that needs shaping or right-to-left
  order (Arabic, Hebrew, Devanagari, Thai, ...), is followed by its romanised
  reading.  A long list (owners, reasons) shows its first entries and how many
  more there are, and a text over a few hundred characters is cut with an
  ellipsis; the CSV and XLSX keep everything.

>>> hit = {"rank": 1, "score": 0.79, "office": "KR", "application_number": "4020110062801",
...        "mark_text": "한뜨레", "signals": {"cross_script": 1.0}, "reasons": ["transliteration"]}
>>> result = {"query": {"q": "Hanttre"}, "total": 1, "hits": [hit]}
>>> to_csv(result).decode("utf-8-sig").splitlines()[1].split(",")[:6]
['1', '0.79', 'KR', '4020110062801', '', '한뜨레']
>>> to_pdf(result)[:5], to_xlsx(result)[:2]
(b'%PDF-', b'PK')
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from marksearch.scoring.shown import shown_score
from marksearch.text.scripts import INHERITED, char_script

__all__ = ["CJK_FONTS", "EXPORTS", "SIGNALS", "Extra", "Fonts", "filename", "font_runs", "fonts",
           "grouped_pdf", "markup", "to_csv", "to_pdf", "to_xlsx"]

SIGNALS = ("spelling", "sound", "cross_script", "containment", "goods")

Cell = str | int | float | dt.date | None


# -- the table every format shares ---------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    header: str
    value: Callable[[Mapping[str, Any]], Cell]
    width: int = 12  # XLSX width in characters, before fitting to the content


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _joined(key: str, sep: str = "; ") -> Callable[[Mapping[str, Any]], Cell]:
    return lambda hit: sep.join(str(v) for v in hit.get(key) or ())


def _field(key: str) -> Callable[[Mapping[str, Any]], Cell]:
    def value(hit: Mapping[str, Any]) -> Cell:
        v = hit.get(key)
        return v if v is None or isinstance(v, int | float) else str(v)

    return value


def _dated(key: str) -> Callable[[Mapping[str, Any]], Cell]:
    return lambda hit: _date(hit.get(key))


def _signal(name: str) -> Callable[[Mapping[str, Any]], Cell]:
    def value(hit: Mapping[str, Any]) -> Cell:
        v = (hit.get("signals") or {}).get(name)
        return None if v is None else float(v)

    return value


def _signal_names(hits: Sequence[Mapping[str, Any]]) -> list[str]:
    """The five signals in their usual order, then any other a model adds."""
    names = list(SIGNALS)
    for hit in hits:
        names.extend(k for k in hit.get("signals") or {} if k not in names)
    return names


def _label(signal: str) -> str:
    return signal.replace("_", "-").capitalize()


def _columns(hits: Sequence[Mapping[str, Any]]) -> list[_Column]:
    return [
        _Column("Rank", _field("rank"), 6),
        _Column("Score", _field("score"), 7),
        _Column("Office", _field("office"), 7),
        _Column("Application number", _field("application_number"), 16),
        _Column("Registration number", _field("registration_number"), 16),
        _Column("Mark", _field("mark_text"), 30),
        _Column("Status", _field("status"), 11),
        _Column("Office status", _field("status_text"), 20),
        _Column("Nice classes", _joined("nice_classes", ", "), 12),
        _Column("Owners", _joined("owners"), 30),
        _Column("Filed", _dated("filing_date"), 11),
        _Column("Registered", _dated("registration_date"), 11),
        _Column("Expires", _dated("expiry_date"), 11),
        *(_Column(_label(s), _signal(s), 12) for s in _signal_names(hits)),
        _Column("Reasons", _joined("reasons"), 60),
        _Column("Goods overlap", _overlap, 60),
    ]


def _overlap_reasons(hit: Mapping[str, Any]) -> list[str]:
    """The reasons of the pairs of goods that meet the goods searched with (none without them)."""
    overlap = hit.get("goods_overlap") or {}
    return list(dict.fromkeys(str(p.get("reason") or "") for p in overlap.get("pairs") or () if p.get("reason")))


def _overlap(hit: Mapping[str, Any]) -> Cell:
    return "; ".join(_overlap_reasons(hit))


def _hits(result: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list(result.get("hits") or ())


Extra = Sequence[tuple[str, Callable[[Mapping[str, Any]], Cell]]]
"""Columns put before a hit's own: (header, the cell of a hit)."""


def _table(result: Mapping[str, Any], extra: Extra = ()) -> tuple[list[_Column], list[list[Cell]]]:
    hits = _hits(result)
    columns = [*(_Column(header, value) for header, value in extra), *_columns(hits)]
    return columns, [[c.value(hit) for c in columns] for hit in hits]


# -- CSV ---------------------------------------------------------------------------------------

# A cell that starts with one of these is a formula to Excel and LibreOffice
# (OWASP "CSV injection"); a leading apostrophe keeps it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def to_csv(result: Mapping[str, Any], *, extra: Extra = ()) -> bytes:
    """One row per hit under one header row; UTF-8 with BOM, CRLF line ends (RFC 4180).

    ``extra`` columns come first (a watch report puts the portfolio and the watched mark there)."""
    columns, rows = _table(result, extra)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(c.header for c in columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


# -- what the search was -------------------------------------------------------------------------


def _listed(values: object, default: str) -> str:
    items = [str(v) for v in values] if isinstance(values, list | tuple) else []
    return ", ".join(items) if items else default


def _search_rows(result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The query and its filters as label/value pairs, in the order a reader checks them."""
    q: Mapping[str, Any] = result.get("query") or {}
    hits = _hits(result)
    shown = f"{hits[0].get('rank', 1)}-{hits[-1].get('rank', len(hits))}" if hits else "none"
    return [
        ("Query", str(q.get("q") or "")),
        ("Offices", _listed(q.get("offices"), "all")),
        ("Nice classes", _listed(q.get("classes"), "all")),
        ("Statuses", _listed(q.get("statuses"), "live (pending, registered, unknown)")),
        ("Mark features", _listed(q.get("features"), "all")),
        ("Filed from", str(q.get("filed_from") or "-")),
        ("Filed to", str(q.get("filed_to") or "-")),
        ("Owner", str(q.get("owner") or "-")),
        ("Goods and services", str(q.get("goods") or "-")),
        ("Marks matching the filters", str(result.get("total", len(hits)))),
        ("Hits in this file (by rank)", shown),
        ("Generated", _when(result.get("generated_at"))),
    ]


def _when(value: object) -> str:
    """An ISO timestamp to the minute, keeping its zone; blank when absent."""
    if not value:
        return "-"
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    zone = " UTC" if moment.utcoffset() == dt.timedelta(0) else moment.strftime(" %z")
    return moment.strftime("%Y-%m-%d %H:%M") + (zone if moment.tzinfo else "")


_CURRENCY_HEADERS = ("Office", "Office name", "Records", "Latest ingest", "Latest office date")


def _currency_rows(result: Mapping[str, Any]) -> list[list[str]]:
    return [
        [str(c.get("office") or ""), str(c.get("office_name") or ""), f"{int(c.get('records') or 0):,}",
         _when(c.get("latest_ingest")), str(c.get("latest_date") or "-")]
        for c in result.get("currency") or ()
    ]


# -- XLSX ---------------------------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _put(ws: Any, row: int, col: int, value: Cell) -> Any:
    """Write one cell; text stays text even when it starts with ``=`` (openpyxl would make it a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _fit(ws: Any, widths: Sequence[int], rows: Sequence[Sequence[Cell]]) -> None:
    from openpyxl.utils import get_column_letter

    for i, base in enumerate(widths):
        longest = max((_display_width(_csv_cell(r[i])) for r in rows if i < len(r)), default=0)
        ws.column_dimensions[get_column_letter(i + 1)].width = min(max(base, longest + 2), 80)


def _results_sheet(ws: Any, result: Mapping[str, Any]) -> None:
    from openpyxl.styles import Font

    columns, rows = _table(result)
    bold = Font(bold=True)
    for j, column in enumerate(columns, 1):
        _put(ws, 1, j, column.header).font = bold
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            _put(ws, i, j, value)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    _fit(ws, [max(c.width, len(c.header) + 2) for c in columns], rows)


def _search_sheet(ws: Any, result: Mapping[str, Any]) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    row = 1
    for label, value in _search_rows(result):
        _put(ws, row, 1, label).font = bold
        _put(ws, row, 2, value)
        row += 1
    row += 1
    _put(ws, row, 1, "How current each office's data is").font = bold
    row += 1
    for j, header in enumerate(_CURRENCY_HEADERS, 1):
        _put(ws, row, j, header).font = bold
    currency = _currency_rows(result)
    for values in currency:
        row += 1
        for j, value in enumerate(values, 1):
            _put(ws, row, j, value)
    labels = [[label, value] for label, value in _search_rows(result)]
    _fit(ws, [28, 30, 10, 18, 18], [*labels, *currency])


def to_xlsx(result: Mapping[str, Any]) -> bytes:
    """A workbook with the sheets "Results" and "Search"."""
    from openpyxl import Workbook

    book = Workbook()
    results = book.active
    results.title = "Results"
    _results_sheet(results, result)
    _search_sheet(book.create_sheet("Search"), result)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- PDF: fonts by script --------------------------------------------------------------------------

# reportlab's built-in CID fonts (Adobe's Asian font packs): Simplified Chinese
# (GB 2312 / GBK), Korean (KS X 1001) and Japanese (JIS X 0208).
CJK_FONTS = {"zh": "STSong-Light", "ko": "HYSMyeongJo-Medium", "ja": "HeiseiMin-W3"}
_CJK_SCRIPTS = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})
# Which characters each CID font has.  The fonts are not embedded and reportlab
# has no glyph table for them, so a character counts as there when the national
# character set of the font's Adobe character collection encodes it: Adobe-GB1
# holds GBK (Adobe Technical Note #5079), Adobe-Korea1 KS X 1001 and all 11,172
# Hangul syllables, as cp949 does (#5093), Adobe-Japan1 JIS X 0208 with the
# Microsoft cp932 additions (#5078).  Python's codecs carry those tables.
_CID_CHARSETS = {"zh": "gbk", "ko": "cp949", "ja": "cp932"}
_TRUETYPE = (  # (regular, bold) candidates, most complete first
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/Library/Fonts/DejaVuSans.ttf", "/Library/Fonts/DejaVuSans-Bold.ttf"),
)


@dataclass(frozen=True)
class Fonts:
    """The fonts of the PDF report: an embedded TrueType pair and the CJK CID fonts."""

    regular: str
    bold: str
    covered: frozenset[int]  # code points the TrueType font has glyphs for

    def for_char(self, c: str, cjk: str) -> str | None:
        """The font for one character; ``None`` for a combining mark or a control or format
        character (it follows its neighbour).

        The first font that has the glyph: for CJK scripts and East Asian wide,
        full-width and half-width forms (UAX #11) the CID fonts first, the text's
        own language (``cjk``) leading, since only they draw them at the width
        CJK text is set in; for the rest the TrueType font first.  When no font
        has it, the one it would have gone to (the reader shows a missing-glyph box).
        """
        if char_script(c) == INHERITED or unicodedata.category(c) in ("Cc", "Cf"):
            return None
        cids = [CJK_FONTS[lang] for lang in _cid_languages(c, first=cjk)]
        truetype = [self.regular] if ord(c) in self.covered else []
        if _east_asian(c):
            return (cids + truetype or [CJK_FONTS[cjk]])[0]
        return (truetype + cids or [self.regular])[0]

    def draws(self, c: str) -> bool:
        """Whether some font here has a glyph for ``c``."""
        return ord(c) in self.covered or bool(_cid_languages(c, first="zh"))


def _east_asian(c: str) -> bool:
    return char_script(c) in _CJK_SCRIPTS or unicodedata.east_asian_width(c) in ("W", "F", "H")


@lru_cache(maxsize=8192)
def _cid_languages(c: str, *, first: str) -> tuple[str, ...]:
    """The CID fonts (by language, ``first`` leading) whose character set has ``c``."""
    order = dict.fromkeys([first, *CJK_FONTS])
    return tuple(lang for lang in order if _encodes(c, _CID_CHARSETS[lang]))


def _encodes(c: str, codec: str) -> bool:
    try:
        c.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


@lru_cache(maxsize=1)
def fonts() -> Fonts:
    """Register the report's fonts with reportlab once per process."""
    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    shipped = Path(reportlab.__file__).parent / "fonts"
    paths = next(((Path(r), Path(b)) for r, b in _TRUETYPE if Path(r).is_file() and Path(b).is_file()),
                 (shipped / "Vera.ttf", shipped / "VeraBd.ttf"))
    regular = TTFont("MarksearchSans", str(paths[0]))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont("MarksearchSans-Bold", str(paths[1])))
    pdfmetrics.registerFontFamily("MarksearchSans", normal="MarksearchSans", bold="MarksearchSans-Bold",
                                  italic="MarksearchSans", boldItalic="MarksearchSans-Bold")
    for name in CJK_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        for bold in (0, 1):  # no bold CID face: <b> keeps the regular one
            for italic in (0, 1):
                addMapping(name, bold, italic, name)
    return Fonts("MarksearchSans", "MarksearchSans-Bold", frozenset(regular.face.charToGlyph))


def _cjk_language(text: str) -> str:
    """Which CJK font Han characters take: Japanese beside kana, Korean beside Hangul, else Chinese."""
    scripts = {char_script(c) for c in text if ord(c) >= 0x1100}
    if scripts & {"Hira", "Kana"}:
        return "ja"
    return "ko" if "Hang" in scripts else "zh"


def font_runs(text: str, fonts: Fonts) -> list[tuple[str, str]]:
    """Cut ``text`` into (font, run) pieces so that each script gets a font that draws it.

    >>> f = Fonts("Sans", "Sans-Bold", frozenset(map(ord, "SHOE PLACE ")))
    >>> font_runs("SHOE PLACE 슈플레이스", f)
    [('Sans', 'SHOE PLACE '), ('HYSMyeongJo-Medium', '슈플레이스')]
    """
    cjk = _cjk_language(text)
    runs: list[tuple[str, str]] = []
    for c in text:
        font = fonts.for_char(c, cjk)
        if runs and (font is None or font == runs[-1][0]):
            runs[-1] = (runs[-1][0], runs[-1][1] + c)
        else:
            runs.append((font or fonts.regular, c))
    return runs


def markup(text: str, fonts: Fonts) -> str:
    """Paragraph markup for any text: XML-escaped, one ``<font>`` per script run."""
    return "".join(
        escape(run) if font == fonts.regular else f'<font name="{font}">{escape(run)}</font>'
        for font, run in font_runs(text, fonts)
    )


# -- PDF: the report -------------------------------------------------------------------------------

# Scripts reportlab sets letter by letter, left to right: without a shaping
# engine (uharfbuzz) and a bidi pass, not installed here, these come out
# unjoined or reversed (OpenType script development specifications; UAX #9).
_UNSHAPED_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Deva", "Beng", "Guru", "Gujr", "Orya", "Taml",
                               "Telu", "Knda", "Mlym", "Sinh", "Thai", "Laoo", "Tibt", "Mymr", "Khmr", "Mong"})


def _reading(text: str, f: Fonts) -> str:
    """The romanised reading of a text the PDF cannot show as written; blank for any other."""
    from anyascii import anyascii

    if any(not f.draws(c) or char_script(c) in _UNSHAPED_SCRIPTS
           for c in text if unicodedata.category(c)[0] in "LMNS"):
        return anyascii(text)
    return ""


# An attorney reads a hit as one block, at most about a page, and reportlab
# cannot draw a table row taller than a page at all (LayoutError).  So a long
# list shows its first entries and how many more there are (120 owners: the
# first ten or so), and one text is cut with an ellipsis at 400 characters,
# some 15 lines of Latin in a half-width column; a longer text in a register is
# nearly always a data error (an owner named 'OOOO...').  Letting the table run
# on over pages instead would bury the next hits under it.  The CSV and XLSX
# keep every entry and every character; _table_class covers what still outgrows a page.
_TEXT_CHARS = 400
_MAX_LINES = 12  # of a bulleted list (reasons)


def _clip(text: str, limit: int = _TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, an ellipsis marking the cut.

    >>> _clip("KOKA" * 3, 6)
    'KOKAK…'
    """
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _first(texts: Sequence[str], limit: int, most: int | None = None) -> tuple[list[str], int]:
    """The first ``texts`` (at most ``most``) that fit ``limit`` characters together, each with a
    two-character separator, and how many are left out; a first text longer than ``limit`` alone, cut."""
    shown: list[str] = []
    used = 0
    for text in texts[:most]:
        used += len(text) + 2
        if shown and used > limit:
            break
        shown.append(_clip(text, limit))
    return shown, len(texts) - len(shown)


def _some(items: Iterable[object], sep: str = "; ") -> str:
    """Items joined, as many as fit one cell, then how many more there are.

    >>> _some([f"Owner {n}" for n in range(120)])[-32:]
    'Owner 37; Owner 38 (and 81 more)'
    """
    shown, left = _first([str(i) for i in items], _TEXT_CHARS - 20)
    return sep.join(shown) + (f" (and {left} more)" if left else "")


def _shown(text: str, f: Fonts) -> str:
    """Markup for one text: cut to fit a cell, then its romanised reading where the PDF cannot
    show it as written (the reader still copies the real text out of the PDF)."""
    text = _clip(text)
    reading = _reading(text, f)
    return markup(text, f) + (f" ({escape(_clip('romanised: ' + reading))})" if reading else "")


def _styles(f: Fonts) -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=f.regular, fontSize=9, leading=12)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=f.bold, fontSize=16, leading=20, spaceAfter=8),
        "h2": ParagraphStyle("h2", parent=base, fontName=f.bold, fontSize=12, leading=16, spaceBefore=10,
                             spaceAfter=4),
        "hit": ParagraphStyle("hit", parent=base, fontName=f.bold, fontSize=11, leading=15, spaceBefore=8),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")),
    }


def _para(text: object, style: Any, f: Fonts, *, bold: bool = False, prefix: str = "") -> Any:
    """A paragraph of ``text`` (a value from the register: romanised where the PDF cannot show
    it), after ``prefix`` (the report's own words, such as a rank)."""
    from reportlab.platypus import Paragraph

    value = str(text) if text not in (None, "") else "-"
    body = markup(prefix, f) + _shown(value, f)
    if any(ord(c) >= 0x2E80 for c in value):
        style = _cjk_wrap(style)
    return Paragraph(f"<b>{body}</b>" if bold else body, style)


def _cjk_wrap(style: Any) -> Any:
    """The same style, breaking lines between any two characters (CJK text has no spaces)."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(style.name + "-cjk", parent=style, wordWrap="CJK")


def _grid(rows: list[list[Any]], widths: Sequence[float], *, header: bool) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import TableStyle

    table = _table_class()(rows, colWidths=list(widths), repeatRows=1 if header else 0, hAlign="LEFT")
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
             ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(style))
    return table


@lru_cache(maxsize=1)
def _table_class() -> type:
    """reportlab's table, cutting a row across pages where the row alone is taller than a page.

    Rows are kept whole where they can be (a table breaks between rows, and a row
    that does not fit what is left of a page goes to the next); the cells are cut
    to fit a page (:func:`_clip`, :func:`_some`), but a text of very wide glyphs or
    a long bulleted list can still outgrow one, and reportlab would then stop
    with LayoutError instead of writing the report."""
    from reportlab.platypus import Table

    class PageTable(Table):  # type: ignore[misc]
        def split(self, availWidth: float, availHeight: float) -> list[Any]:
            parts: list[Any] = super().split(availWidth, availHeight)
            if parts or availHeight < _FRAME_HEIGHT - 1:  # on the next page it may fit
                return parts
            self.splitInRow = 1
            try:
                parts = super().split(availWidth, availHeight)
            finally:
                self.splitInRow = 0
            return parts

    return PageTable


def _hit_block(hit: Mapping[str, Any], signals: Sequence[str], st: Mapping[str, Any], f: Fonts) -> Any:
    """One hit: its mark as a heading, then its fields two by two, its signal scores and reasons."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether

    mark = hit.get("mark_text") or "(no verbal element)"
    heading = _para(mark, st["hit"], f, prefix=f"{hit.get('rank', '')}. ")
    status = str(hit.get("status") or "")
    if hit.get("status_text") or hit.get("status_code"):
        status += " (" + " ".join(str(x) for x in (hit.get("status_code"), hit.get("status_text")) if x) + ")"
    office, name = str(hit.get("office") or ""), str(hit.get("office_name") or "")
    office += f" ({name})" if name and name != office else ""
    scores = hit.get("signals") or {}
    pairs = [
        ("Office", office), ("Score", f"{shown_score(float(hit.get('score') or 0)):.3f}"),
        ("Application no.", hit.get("application_number")), ("Registration no.", hit.get("registration_number")),
        ("Status", status), ("Nice classes", _some(hit.get("nice_classes") or (), ", ")),
        ("Filed", hit.get("filing_date")), ("Registered", hit.get("registration_date")),
        ("Expires", hit.get("expiry_date")), ("Owner", _some(hit.get("owners") or ())),
    ]
    cells = [[_para(label, st["small"], f), _para(value, st["body"], f)] for label, value in pairs]
    rows = [cells[i] + cells[i + 1] for i in range(0, len(cells), 2)]
    signal_text = "   ".join(f"{_label(s).lower()} {float(scores.get(s) or 0):.2f}" for s in signals)
    rows.append([_para("Signal scores", st["small"], f), _para(signal_text, st["body"], f), "", ""])
    rows.append([_para("Reasons", st["small"], f), _reasons(hit.get("reasons") or (), st["body"], f), "", ""])
    overlap = _overlap_reasons(hit)
    if overlap:
        rows.append([_para("Goods overlap", st["small"], f), _reasons(overlap, st["body"], f), "", ""])
    wide = len(rows) - (3 if overlap else 2)  # the rows whose value spans the table
    table = _grid(rows, (30 * mm, 57 * mm, 30 * mm, 57 * mm), header=False)
    table.setStyle([("SPAN", (1, r), (3, r)) for r in range(wide, len(rows))])
    return KeepTogether([heading, table])


def _reasons(reasons: Sequence[str], style: Any, f: Fonts) -> Any:
    from reportlab.platypus import Paragraph

    if not reasons:
        return _para("-", style, f)
    shown, left = _first([str(line) for line in reasons], 2 * _TEXT_CHARS, _MAX_LINES)
    body = "<br/>".join("• " + _shown(line, f) for line in shown) + (f"<br/>• and {left} more" if left else "")
    return Paragraph(body, _cjk_wrap(style) if any(ord(c) >= 0x2E80 for c in "".join(shown)) else style)


def _story(result: Mapping[str, Any], title: str, f: Fonts) -> Iterator[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    st = _styles(f)
    yield Paragraph(markup(title, f), st["title"])
    yield _grid([[_para(label, st["small"], f), _para(value, st["body"], f, bold=label == "Query")]
                 for label, value in _search_rows(result)], (50 * mm, 120 * mm), header=False)
    yield Paragraph("How current each office's data is", st["h2"])
    currency = _currency_rows(result)
    if currency:
        rows = [[_para(h, st["small"], f) for h in _CURRENCY_HEADERS]]
        rows += [[_para(v, st["body"], f) for v in values] for values in currency]
        yield _grid(rows, (16 * mm, 64 * mm, 22 * mm, 36 * mm, 32 * mm), header=True)
    else:
        yield Paragraph("Not given with this result.", st["body"])
    hits = _hits(result)
    yield Paragraph(f"Hits ({len(hits)} of {result.get('total', len(hits))} marks matching the filters)", st["h2"])
    signals = _signal_names(hits)
    for hit in hits:
        yield _hit_block(hit, signals, st, f)


def _numbered_canvas(f: Fonts, footer: str) -> type:
    """A canvas that writes "page N of M" once the page count is known (two-pass save)."""
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    class NumberedCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(f.regular, 8)
                width = self._pagesize[0]
                self.drawString(18 * mm, 10 * mm, footer)
                self.drawRightString(width - 18 * mm, 10 * mm, f"Page {self._pageNumber} of {len(self._pages)}")
                super().showPage()
            super().save()

    return NumberedCanvas


def to_pdf(result: Mapping[str, Any], *, title: str = "marksearch search report") -> bytes:
    """The search report as an A4 PDF, with page numbers in the footer."""
    f = fonts()
    query = str((result.get("query") or {}).get("q") or "")
    return _build_pdf(list(_story(result, title, f)), f, title=f"{title}: {query}",
                      subject="Trademark search report",
                      footer=f"{title} · generated {_when(result.get('generated_at'))}")


_MM = 72 / 25.4  # points per millimetre
_TOP_MARGIN, _BOTTOM_MARGIN = 16 * _MM, 18 * _MM
# The height a flowable gets at the top of an A4 page: the page less its
# margins and the frame's padding (reportlab's default 6 points top and bottom).
_FRAME_HEIGHT = 297 * _MM - _TOP_MARGIN - _BOTTOM_MARGIN - 12


def _build_pdf(story: list[Any], f: Fonts, *, title: str, subject: str, footer: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=_TOP_MARGIN,
                            bottomMargin=_BOTTOM_MARGIN, title=title, author="marksearch", subject=subject,
                            creator="marksearch")
    doc.build(story, canvasmaker=_numbered_canvas(f, footer))
    return out.getvalue()


def grouped_pdf(title: str, summary: Sequence[tuple[str, str]],
                groups: Sequence[tuple[str, Sequence[tuple[str, str]], Sequence[Mapping[str, Any]]]], *,
                subject: str, generated_at: object = None) -> bytes:
    """A PDF of hits in groups, each under a heading with its own label/value rows, after a summary
    table: the search report's hit blocks, fonts and footer (a watch report: one group per watched mark)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph

    f = fonts()
    st = _styles(f)
    story: list[Any] = [Paragraph(markup(title, f), st["title"]),
                        _grid([[_para(k, st["small"], f), _para(v, st["body"], f)] for k, v in summary],
                              (50 * mm, 120 * mm), header=False)]
    for heading, rows, hits in groups:
        story.append(_para(heading, st["h2"], f))
        if rows:
            story.append(_grid([[_para(k, st["small"], f), _para(v, st["body"], f)] for k, v in rows],
                               (50 * mm, 120 * mm), header=False))
        signals = _signal_names(hits)
        story.extend(_hit_block(hit, signals, st, f) for hit in hits)
    return _build_pdf(story, f, title=title, subject=subject,
                      footer=f"{title} · generated {_when(generated_at)}")


# -- for the routes ---------------------------------------------------------------------------------

EXPORTS: dict[str, tuple[str, Callable[[Mapping[str, Any]], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
    "pdf": ("application/pdf", to_pdf),
}


def filename(result: Mapping[str, Any], fmt: str) -> str:
    """An ASCII file name for a download: ``marksearch-<query>-<date>.<fmt>``.

    >>> filename({"query": {"q": "Coca Cola!"}, "generated_at": "2025-03-01T10:00:00+00:00"}, "pdf")
    'marksearch-coca-cola-2025-03-01.pdf'
    """
    import anyascii

    query = str((result.get("query") or {}).get("q") or "")
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii.anyascii(query).lower()).strip("-")[:40] or "search"
    day = str(result.get("generated_at") or dt.date.today().isoformat())[:10]
    return f"marksearch-{slug}-{day}.{fmt}"
