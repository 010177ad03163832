"""Plain-text renderings of records and statistics for the terminal."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from marksearch.records import MarkDate, Record
from marksearch.scoring.shown import shown_score
from marksearch.store import Stats

if TYPE_CHECKING:
    from marksearch.search import SearchResult

__all__ = ["record_text", "search_text", "shown", "stats_text"]

# Control characters other than line breaks and tabs (an escape sequence in a mark's text would
# clear or recolour the user's terminal), and the bidirectional overrides and isolates, which
# make a line read in another order than it is written.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def shown(value: object) -> str:
    r"""A value from a register or a file as one line that a terminal shows as it is: line
    breaks and tabs as a space, other control characters as visible ``\uXXXX`` escapes.

    >>> shown("EVIL\x1b[2JMARK\nFAKE LINE")
    'EVIL\\u001b[2JMARK FAKE LINE'
    """
    text = _BREAKS.sub(" ", str(value))
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def record_text(record: Record) -> str:
    """A record as an attorney reads it: the mark first, then every field that is set."""
    lines = [shown(f"{record.office} {record.application_number}  {record.mark_text or '(no verbal element)'}")]

    def add(label: str, value: object) -> None:
        if value not in (None, "", ()):
            lines.append(f"  {label:<14} {shown(value)}")

    for element in record.verbal_elements:
        said = [f"{label} {value}" for label, value in (("language", element.language),
                ("transliteration", element.transliteration), ("translation", element.translation)) if value]
        if element.text != record.mark_text or said:
            add("verbal", "; ".join([element.text, *said]))
    add("registration", record.registration_number)
    add("intl. reg.", record.international_registration_number)
    status = record.status.value
    if record.status_text or record.status_code:
        status += f" ({' '.join(x for x in (record.status_code, record.status_text) if x)})"
    add("status", status)
    add("feature", record.feature.value + (f" ({record.feature_raw})" if record.feature_raw else ""))
    add("kind", record.kind.value)
    for d in record.dates:
        add(f"{d.role} date", d.value.isoformat() if d.value else d.raw)
    add("nice classes", ", ".join(str(c) for c in record.nice_classes))
    add("national cl.", ", ".join(record.national_classes))
    for p in record.parties:
        who = p.name or f"id {p.identifier}"
        # the office's own role (ORIGINAL REGISTRANT, OWNER AT PUBLICATION) and the address tell
        # apart the owners of one name that some offices list
        add(p.role, ", ".join(x for x in (who, p.country, p.description, p.address) if x))
    for priority in record.priorities:
        add("priority", " ".join(x for x in (priority.country, priority.number, _date_text(priority.date)) if x))
    for seniority in record.seniorities:
        numbers = " / ".join(x for x in (seniority.application_number, seniority.registration_number) if x)
        add("seniority", " ".join(x for x in (seniority.country, numbers, _date_text(seniority.date)) if x))
    add("languages", ", ".join(record.languages))
    add("vienna", ", ".join(record.vienna_codes))
    for image in record.images:
        add("image", image)
    for goods in record.goods:
        if goods.language in (None, "en") or len(record.goods) <= 3:
            text = goods.text if len(goods.text) < 300 else goods.text[:297] + "..."
            groups = f" [similar groups {', '.join(goods.similar_groups)}]" if goods.similar_groups else ""
            add(f"class {goods.nice_class or '?'} {goods.language or ''}".strip(), text + groups)
    if record.provenance:
        add("source", f"{record.provenance.source} {record.provenance.position}")
    return "\n".join(lines)


def _date_text(date: MarkDate | None) -> str:
    if date is None:
        return ""
    return date.value.isoformat() if date.value else (date.raw or "")


def stats_text(stats: Stats, db: str) -> str:
    """Counts as aligned tables."""
    out = [f"register {db}: {stats.total} marks, {stats.quarantined} quarantined"]
    for title, counts in (
        ("office", stats.by_office),
        ("status", stats.by_status),
        ("feature", stats.by_feature),
    ):
        out.append(f"\nby {title}:")
        out.extend(f"  {k:<12} {v:>9}" for k, v in counts.items())
    if stats.by_class:
        out.append("\nby Nice class:")
        items = [f"{c:>3}: {n:<7}" for c, n in sorted(stats.by_class.items())]
        out.extend("  " + "".join(items[i : i + 6]) for i in range(0, len(items), 6))
    return "\n".join(out)


def search_text(result: SearchResult) -> str:
    """Hits as a ranked list, each with its signals and reasons."""
    q = result.query
    if result.hits:
        out = [f"{len(result.hits)} of {result.total} marks for {q.text!r} "
               f"(ranked {q.offset + 1}-{q.offset + len(result.hits)})"]
    else:  # nothing passes the filters, or the offset is past the last mark
        out = [f"no marks for {q.text!r} at offset {q.offset} ({result.total} pass the filters)"
               if q.offset else f"no marks for {q.text!r} pass the filters"]
    for rank, hit in enumerate(result.hits, start=q.offset + 1):
        r = hit.record
        classes = ",".join(str(c) for c in r.nice_classes) or "-"
        out.append(shown(f"{rank:>4}. {shown_score(hit.score):.3f}  {r.office} {r.application_number}  "
                         f"{r.mark_text or '(no verbal element)'}  [{r.status.value}; class {classes}]"))
        signals = "  ".join(f"{k} {v:.2f}" for k, v in hit.scored.signals.items() if v > 0)
        out.append(f"        {signals}")
        out.extend(f"        - {shown(reason)}" for reason in hit.scored.reasons)
        if hit.goods_overlap is not None:
            out.extend(f"        - goods overlap: {shown(reason)}" for reason in hit.goods_overlap.reasons[:3])
    if result.explain:
        import json

        out.append("explain: " + json.dumps(result.explain, ensure_ascii=False, indent=2))
    return "\n".join(out)
