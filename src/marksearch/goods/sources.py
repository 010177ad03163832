"""Where the terms of the term base come from, each read into :class:`SourceTerm`.

* WIPO's Nice classification NCL 12-2024 (English): 11,020 terms with their
  WIPO ids, the class headings and the explanatory notes (what a class
  includes, and what it excludes with the class it belongs to instead);
* CNIPA's Similar Goods and Services table NCL 12-2025 (Chinese): items with
  their similar group (类似群), joined to the WIPO English term and id, the
  groups' own names and the class headings;
* KIPO's designated-goods list (Korean, with similar-group codes such as
  G0301): the list sample and the KIPRIS designated-goods responses in the
  shared data;
* the goods of records (:func:`record_terms`): every office text split into
  terms; EUIPO gives one class's goods in up to 23 languages, translations
  of one list term by term, so the n-th term of each language is glossed
  with the n-th English term (and takes its WIPO id when the English term is
  an NCL term).

The readers of the shared files are used by ``tools/build_goods.py``, the
benchmark and the tests; only :func:`record_terms` runs in an installed
marksearch (to grow the term base with a register's goods).

>>> t = next(record_terms([ClassGoods(30, "Coffee; Tea", "en"), ClassGoods(30, "Kaffee; Tee", "de")]))
>>> t.text, t.nice_class, t.language
('Coffee', 30, 'en')
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from marksearch.formats import xmlsafe
from marksearch.goods.tokens import split_terms
from marksearch.records import ClassGoods, Record

__all__ = [
    "SourceTerm",
    "cnipa_terms",
    "kipo_terms",
    "kipris_goods_terms",
    "ncl_class_texts",
    "ncl_terms",
    "record_terms",
    "reference_terms",
    "shipped_record_terms",
    "st66_records",
    "wipo_groups",
]

_NCL = "{http://www.wipo.int/classifications/ncl}"
# What a note's text between two class links starts with: "), and ...".
_NOTE_JOINS = re.compile(r"^(?:and|or|as well as)\s+")


@dataclass(frozen=True, slots=True)
class SourceTerm:
    """One term as a source gives it.

    ``term_id``: the WIPO id (``U100040``) where known, else the CNIPA code
    of a Chinese-only item (``C010001``), else empty.  ``gloss``: the English
    term this one translates.  ``groups``: office similar-group codes (CNIPA
    ``3001``, KIPO ``G0301``).
    """

    text: str
    nice_class: int
    language: str
    source: str
    term_id: str = ""
    groups: tuple[str, ...] = ()
    gloss: str = ""


# -- WIPO Nice ---------------------------------------------------------------------


def ncl_terms(folder: Path, *, groups: dict[str, tuple[str, ...]] | None = None) -> list[SourceTerm]:
    """The NCL alphabetical list (``nice_ncl12-2024_goods_services_en.csv``), with
    the CNIPA similar group of each WIPO id where ``groups`` gives it."""
    groups = groups or {}
    with open(folder / "nice_ncl12-2024_goods_services_en.csv", encoding="utf-8", newline="") as f:
        return [
            SourceTerm(row["label_en"], int(row["class_number"]), "en",
                       "ncl-synonym" if row["is_synonym"] == "1" else "ncl",
                       row["wipo_term_id"], groups.get(row["wipo_term_id"], ()))
            for row in csv.DictReader(f)
        ]


def ncl_class_texts(folder: Path) -> list[SourceTerm]:
    """Class headings and explanatory notes: heading items and "includes" in
    their class, "excludes" in the class they point to."""
    top = etree.parse(str(folder / "ncl-20240101-classification_top_structure-20230606.xml"))
    number = {c.get("id"): int(c.get("classNumber", "0")) for c in top.iter(_NCL + "Class")}
    with gzip.open(folder / "ncl-20240101-en-classification_texts-20230606.xml.gz") as f:
        texts = etree.fromstring(f.read()).getroottree()
    out: list[SourceTerm] = []
    for class_texts in texts.iter(_NCL + "ClassTexts"):
        nice_class = number[class_texts.get("idRef")]
        for item in class_texts.iter(_NCL + "HeadingItem"):
            out.extend(SourceTerm(t, nice_class, "en", "ncl-heading") for t in _commas(item))
        for item in class_texts.iter(_NCL + "Include"):
            out.append(SourceTerm(_text(item), nice_class, "en", "ncl-note"))
        for item in class_texts.iter(_NCL + "Exclude"):
            out.extend(SourceTerm(t, number[target], "en", "ncl-note")
                       for t, target in _linked(item) if target in number)
    return [t for t in out if t.text]


def _text(elem: etree._Element) -> str:
    return " ".join("".join(str(t) for t in elem.itertext()).split())


def _commas(elem: etree._Element) -> list[str]:
    # A heading item lists goods with commas ("compost, manures, fertilizers"),
    # but also qualifies them ("chemicals for use in industry, science and
    # photography"): keep the whole item, and its parts when each is short.
    whole = _text(elem)
    parts = [p.strip() for p in whole.split(",") if p.strip()]
    if len(parts) > 1 and all(len(p.split()) <= 3 for p in parts):
        return [whole, *parts]
    return [whole]


def _linked(elem: etree._Element) -> Iterator[tuple[str, str]]:
    """``(text, class id)`` for each ``text (<ClassLink/>)`` of an Exclude."""
    pending = [elem.text or ""]
    for child in elem:
        if child.tag == _NCL + "ClassLink":
            text = _NOTE_JOINS.sub("", " ".join("".join(pending).split()).strip(" ,()"))
            yield text, child.get("idRef", "")
            pending = []
        else:
            pending.append("".join(str(t) for t in child.itertext()))
        pending.append(child.tail or "")


# -- CNIPA ---------------------------------------------------------------------------


def wipo_groups(folder: Path) -> dict[str, tuple[str, ...]]:
    """CNIPA similar group(s) of each WIPO term id, from ``items_zh_en.csv``."""
    out: dict[str, tuple[str, ...]] = {}
    for row in _cnipa_rows(folder):
        if row["wipo_term_id"]:
            out[row["wipo_term_id"]] = tuple(dict.fromkeys((*out.get(row["wipo_term_id"], ()), row["group"])))
    return out


def _cnipa_rows(folder: Path) -> list[dict[str, str]]:
    with open(folder / "items_zh_en.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def cnipa_terms(folder: Path) -> list[SourceTerm]:
    """CNIPA items (merged synonyms split), the groups' names and the class headings."""
    out: list[SourceTerm] = []
    for row in _cnipa_rows(folder):
        term_id = row["wipo_term_id"] or row["code"]
        for name in split_terms(row["name_zh"]):
            out.append(SourceTerm(name, int(row["class"]), "zh", "cnipa", term_id,
                                  (row["group"],), row["name_en"]))
    with open(folder / "ncl12-2025.jsonl", encoding="utf-8") as f:
        for line in f:
            entry = json.loads(line)
            if entry["type"] == "group":
                out.extend(SourceTerm(t, int(entry["parentCode"]), "zh", "cnipa-group", "",
                                      (entry["code"],)) for t in split_terms(entry["name"]))
            elif entry["type"] == "class":
                out.extend(SourceTerm(t, int(entry["code"]), "zh", "cnipa-heading")
                           for t in split_terms(entry["name"]))
    return out


# -- KIPO ----------------------------------------------------------------------------


def kipris_goods_terms(path: Path) -> list[SourceTerm]:
    """A KIPRIS Plus designated-goods response: each Korean term with its own
    class and similar-group code (a record keeps only the codes of a class)."""
    out: list[SourceTerm] = []
    with open(path, "rb") as f:
        for elem in xmlsafe.iter_records(f, str(path), {"trademarkDesignationGoodstInfo"}):
            fields = {xmlsafe.local(c.tag): (c.text or "").strip() for c in elem}
            raw_class = fields.get("DesignationGoodsClassificationInformationCode", "")
            korean = fields.get("DesignationGoodsHangeulName", "")
            group = fields.get("SimilargroupCode", "")
            if raw_class.isdigit() and korean:
                out.append(SourceTerm(korean, int(raw_class), "ko", "kipo", "", (group,) if group else (),
                                      fields.get("DesignationGoodsEnglishsentenceName", "")))
    return out


def kipo_terms(path: Path) -> list[SourceTerm]:
    """KIPO's designated-goods list: Korean term, class, similar-group code, English term."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    return [SourceTerm(ko, int(cls), "ko", "kipo", "", (group,), en)
            for ko, cls, group, en, *_ in rows[1:] if ko and cls.isdigit()]


# -- records -------------------------------------------------------------------------


def record_terms(goods: Sequence[ClassGoods], *, source: str = "record") -> Iterator[SourceTerm]:
    """The terms of one record's goods, glossed with the English term of the
    same class and position where the record gives the class in English too.

    A class's ``similar_groups`` go to its terms only when there is one group
    (KIPRIS gives the codes of a whole class, not of each term)."""
    english = {g.nice_class: split_terms(g.text) for g in goods
               if g.nice_class is not None and _language(g) == "en"}
    for g in goods:
        if g.nice_class is None:
            continue
        terms = split_terms(g.text)
        language = _language(g)
        glosses = english.get(g.nice_class, [])
        aligned = language != "en" and len(glosses) == len(terms)
        groups = g.similar_groups if len(g.similar_groups) == 1 else ()
        for i, text in enumerate(terms):
            yield SourceTerm(text, g.nice_class, language, source, "", groups,
                             glosses[i] if aligned else "")


def _language(goods: ClassGoods) -> str:
    if goods.language:
        return goods.language.lower()
    for c in goods.text:
        o = ord(c)
        if 0xAC00 <= o <= 0xD7AF:
            return "ko"
        if 0x3040 <= o <= 0x30FF:
            return "ja"
        if 0x4E00 <= o <= 0x9FFF:
            return "zh"
    return "en"  # USPTO gives no language; its goods are English


def reference_terms(classifications: Path, *, kipris: Path | None = None) -> list[SourceTerm]:
    """Every reference term: NCL list, headings and notes, CNIPA table, KIPO lists.

    ``classifications`` is the shared ``classifications/`` folder (with
    ``nice/`` and ``cnipa_similar_goods/``); ``kipris`` the shared KIPRIS
    folder, whose KIPO list sample and designated-goods responses are read.
    """
    groups = wipo_groups(classifications / "cnipa_similar_goods")
    terms = ncl_terms(classifications / "nice", groups=groups)
    terms += ncl_class_texts(classifications / "nice")
    terms += cnipa_terms(classifications / "cnipa_similar_goods")
    if kipris is not None:
        terms += kipo_terms(kipris / "kipo_designated_goods_similar_group_codes_sample.csv")
        for path in sorted(kipris.glob("*trademarkDesignationGoodstInfo*.xml")):
            terms += kipris_goods_terms(path)
    return terms


# -- shipped record terms --------------------------------------------------------------


def st66_records(folders: Iterable[Path]) -> list[Record]:
    """The records with goods of the ST.66 files in ``folders`` (the shared EUIPO
    samples), one per application number, sorted by it."""
    from marksearch.formats import get_reader  # the readers are needed only here

    reader = get_reader("st66")
    found: dict[str, Record] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.xml")):
            with open(path, "rb") as f:
                for entry in reader.read(f, str(path)):
                    if isinstance(entry, Record) and entry.goods:
                        found[entry.application_number] = entry
    return [found[k] for k in sorted(found)]


def shipped_record_terms(records: Iterable[Record]) -> list[SourceTerm]:
    """The English terms of real records' goods, as shipped with the reference terms.

    Real applicants word goods the NCL list does not ("sports goggles",
    "kirsch liqueur"): English terms of the EUIPO sample records lift class
    suggestion on words the NCL list has once or never (docs/goods.md).
    Only English is shipped: the other 22 languages would make the base
    twenty times larger, and a register brings its own.
    """
    return [t for r in records for t in record_terms(r.goods) if t.language == "en"]
