"""``marksearch goods TEXT``: terms and classes for a goods description.

A thin shell over :func:`marksearch.goods.analyse`, added to the
``marksearch`` group by :mod:`marksearch.cli` (``cli.add_command(goods_command)``).
One item ("phone cases", "咖啡") prints its ranked classes and nearest
terms; a list ("coffee; tea; pastries", or one per line) prints the classes
for the whole list and each item's best class.  ``--db`` (or
``$MARKSEARCH_DB``, or ``marksearch.sqlite`` when it exists) adds the
register's goods texts to the term base.  A user's mistake gets a one-line
message and exit status 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from marksearch.errors import MarksearchError, UsageError
from marksearch.goods.analysis import GenericHead, GoodsAnalysis, ItemAnalysis, analyse
from marksearch.goods.base import TermBase
from marksearch.goods.bases import default_base
from marksearch.goods.classes import class_name

__all__ = ["goods_command"]


@click.command("goods")
@click.argument("text")
@click.option("--suggest", is_flag=True,
              help="Suggest classes for TEXT as a whole list (automatic when it has several items).")
@click.option("--language", "languages", multiple=True,
              help="Match terms in this language only, e.g. en, zh, ko, de (repeatable).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50), help="Terms shown per item.")
@click.option("--db", envvar="MARKSEARCH_DB", default=None,
              help="A register whose goods texts join the term base (env MARKSEARCH_DB; "
                   "default marksearch.sqlite when it exists).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def goods_command(text: str, suggest: bool, languages: tuple[str, ...], limit: int, db: str | None,
                  as_json: bool) -> None:
    """Nice classes and terms for a goods and services description, in any language of the term base."""
    try:
        base = _base(db)
        if not text.strip():
            raise UsageError("give a goods description, e.g. 'phone cases' or 'coffee; tea; pastries'")
        known = {str(name) for name in (base or default_base()).tables["languages"]}
        if unknown := [code for code in languages if code.lower() not in known]:
            # an unknown code matched no term, and answered "weak match" as if the goods were unknown
            grown = "" if base is not None else " (a register's goods add their languages: give --db)"
            raise UsageError(f"the term base has no terms in language {unknown[0]!r}; "
                             f"it has {', '.join(sorted(known))}{grown}")
        result = analyse(text, languages=languages or None, base=base)
        if not result.items:
            raise UsageError(f"no goods in {text!r}")
    except MarksearchError as exc:
        click.echo(f"marksearch: error: {exc}", err=True)
        sys.exit(2)
    as_list = suggest or len(result.items) > 1
    if as_json:
        click.echo(json.dumps({"mode": "list" if as_list else "item", **_limited(result, limit)},
                              ensure_ascii=False, indent=2))
    elif as_list:
        click.echo(list_text(result))
    else:
        click.echo(item_text(result.items[0], limit))


def _base(db: str | None) -> TermBase | None:
    """The term base grown with the register, or ``None`` (the shipped base)."""
    from marksearch.store import DEFAULT_DB, open_store

    if db is None:
        if not Path(DEFAULT_DB).exists():
            return None
        db = DEFAULT_DB
    if "://" not in db and db != ":memory:" and not Path(db).exists():
        raise UsageError(f"no register at {db}")
    from marksearch.goods.bases import base_for_store

    with open_store(db) as store:
        return base_for_store(store, on_build=lambda line: click.echo(line + " ...", err=True))


def _limited(result: GoodsAnalysis, limit: int) -> dict[str, Any]:
    data = result.to_dict()
    for item in data["items"]:
        item["terms"] = item["terms"][:limit]
    return data


def _term_line(item: ItemAnalysis, limit: int) -> list[str]:
    lines = []
    for m in item.matches[:limit]:
        t = m.term
        extra = ", ".join(x for x in (t.language, t.term_id, "/".join(t.groups)) if x)
        gloss = f" = {t.gloss}" if t.gloss and t.gloss != t.text else ""
        lines.append(f"    {m.score:.2f}  {t.text}{gloss}  (class {t.nice_class}; {extra})")
    return lines


def item_text(item: ItemAnalysis, limit: int = 5) -> str:
    """One item: its classes, then its nearest terms."""
    weak = "" if item.confidence >= 1 else f"  (weak match: confidence {item.confidence:.2f})"
    lines = [f"{item.text}{weak}", "  classes:"]
    lines += [f"    {c:>2}  {w:.2f}  {class_name(c)}" for c, w in item.classes]
    if item.category is not None:
        lines.append(f"  kind: {item.category.name} (WordNet; {item.category.terms} terms of the base are one, "
                     f"their classes voted with weight {item.category.weight:.2f})")
    if item.head is not None:
        lines.append(f"  head: {head_text(item.head)}")
    lines += ["  terms:", *_term_line(item, limit)] if item.matches else ["  no term found"]
    return "\n".join(lines)


def head_text(head: GenericHead) -> str:
    """Why a generic head's item has its classes: the head tells the kind, the other words the class.

    >>> head_text(GenericHead("services", 1288, 13, ("taxi",)))
    "'services' heads 1288 terms of the base in 13 classes: the class comes from 'taxi'"
    """
    read = ""
    if head.read_as is not None:
        goods, service = head.read_as
        read = (f" (mostly class {goods} goods, {class_name(goods)}; "
                f"their services: class {service}, {class_name(service)})")
    return (f"'{head.word}' heads {head.terms} terms of the base in {head.classes} classes: "
            f"the class comes from '{' '.join(head.words)}'{read}")


def list_text(result: GoodsAnalysis) -> str:
    """A list: the classes for the whole list, then each item's best class and term."""
    lines = [f"{len(result.items)} item(s); classes for the list:"]
    suggested = result.suggestion()
    for s in suggested:
        items = f"  ({', '.join(s.items)})" if s.items else ""
        lines.append(f"  {s.nice_class:>2}  {s.score:.2f}  {class_name(s.nice_class)}{items}")
    unsure = [item.text for item in result.items if item.confidence == 0 and item.best_class is not None]
    if unsure:
        # the list's classes weigh each item by its confidence, which only a near term gives (docs/goods.md):
        # say so, rather than leave the list without a class while the item lines name one
        lines.append(f"  (not counted, no term of the base is near: {', '.join(unsure)}; their classes below "
                     "are guesses from the words or their WordNet kind)")
    lines.append("items:")
    for item in result.items:
        best = item.matches[0].term.text if item.matches else "no term found"
        cls = f"class {item.best_class}" if item.best_class else "no class"
        weak = " (weak match)" if item.confidence < 1 else ""
        lines.append(f"  {item.text}: {cls}, nearest term {best!r}{weak}")
        if item.head is not None:
            lines.append(f"    head: {head_text(item.head)}")
    return "\n".join(lines)
