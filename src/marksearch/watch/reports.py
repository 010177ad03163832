"""Watch reports: the alerts of a register (or of one portfolio) as CSV, JSON, HTML or PDF.

:func:`report` gathers the data once, as a dict (``generated_at``,
``register``, ``portfolio``, ``new_only``, ``watches``, ``alerts``); each
writer turns it into a file.  CSV and PDF are the search exports'
(:mod:`marksearch.web.exports`): the same columns, UTF-8 with a byte-order
mark, the same hit blocks and CJK fonts, with the portfolio and the watched
mark added.  JSON is the dict; HTML is one self-contained page.  Each alert
names the watched text it was scored against (``watch_text``), which is not
the watched mark's text now when that changed since and the alert no longer
reached the threshold then: the CSV's "Watched mark" column, the HTML's, and in
the PDF a group of its own under the watched mark ("scored against ...").

>>> from marksearch.store import open_store
>>> data = report(open_store(":memory:"))
>>> sorted(data), to_csv(data)[:3] == b"\\xef\\xbb\\xbf"
(['alerts', 'generated_at', 'new_only', 'portfolio', 'register', 'watches'], True)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from jinja2 import Environment, select_autoescape

from marksearch.scoring.shown import shown_score
from marksearch.store import Store
from marksearch.watch.storage import WatchStore, iso, utcnow

__all__ = ["FORMATS", "report", "to_csv", "to_html", "to_json", "to_pdf"]


def report(store: Store, *, portfolio: str | None = None, new_only: bool = False) -> dict[str, Any]:
    """The watched marks and their alerts (newest first), as plain data."""
    ws = WatchStore(store)
    return {
        "generated_at": iso(utcnow()),
        "register": store.url,
        "portfolio": portfolio,
        "new_only": new_only,
        "watches": [w.to_dict() for w in ws.watches(portfolio=portfolio)],
        "alerts": [a.to_dict() for a in ws.alerts(portfolio=portfolio, new=new_only)],
    }


def _hit(alert: Mapping[str, Any], rank: int) -> dict[str, Any]:
    """An alert as the search exports show a hit: the filing's fields, the match's score and reasons."""
    return {**(alert.get("filing") or {}), "rank": rank, "score": alert["score"], "signals": alert["signals"],
            "reasons": alert["reasons"], "mark_text": alert["mark_text"], "office": alert["office"],
            "application_number": alert["application_number"], "alert": alert}


def _groups(data: Mapping[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each watched mark with its alerts as hits, best first; watched marks without alerts too."""
    by_watch: dict[int, list[Mapping[str, Any]]] = {}
    for alert in data["alerts"]:
        by_watch.setdefault(int(alert["watch_id"]), []).append(alert)
    groups = []
    for watch in data["watches"]:
        alerts = sorted(by_watch.get(int(watch["id"]), []), key=lambda a: (-float(a["score"]), int(a["id"])))
        groups.append((watch, [_hit(a, i) for i, a in enumerate(alerts, 1)]))
    return groups


def _watch_label(watch: Mapping[str, Any]) -> str:
    return f"{watch['text']} (#{watch['id']}, {watch['portfolio']})"


def _scored_against(watch: Mapping[str, Any], hits: Sequence[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """A watched mark's hits by the watched text they were scored against, its text now first
    (an alert scored against an earlier text, which no longer reached the threshold when the
    text changed, keeps that text: :meth:`~marksearch.watch.storage.WatchStore.change_watch`).

    >>> hit = lambda text: {"alert": {"watch_text": text}}
    >>> [(t, len(h)) for t, h in _scored_against({"text": "KOKAAS"}, [hit("KOKA"), hit("KOKAAS"), hit("KOKA")])]
    [('KOKAAS', 1), ('KOKA', 2)]
    """
    by_text: dict[str, list[dict[str, Any]]] = {str(watch["text"]): []}
    for hit in hits:
        by_text.setdefault(str(hit["alert"].get("watch_text") or watch["text"]), []).append(hit)
    return list(by_text.items())


def _watch_rows(watch: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [("Nice classes", ", ".join(str(c) for c in watch["classes"]) or "all"),
            ("Goods and services", str(watch.get("goods") or "-")),
            ("Offices", ", ".join(watch["offices"]) or "all"),
            ("Threshold", format(float(watch['threshold']), ".12g"))]


# -- the writers -----------------------------------------------------------------------------------


def to_json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def to_csv(data: Mapping[str, Any]) -> bytes:
    """One row per alert: the portfolio, the watched mark, the alert, then the search export's columns."""
    from marksearch.web.exports import to_csv as hits_csv

    hits = [hit for _, group in _groups(data) for hit in group]

    def of_alert(key: str) -> Callable[[Mapping[str, Any]], Any]:
        return lambda hit: hit["alert"][key]

    extra = [("Portfolio", of_alert("portfolio")), ("Watch id", of_alert("watch_id")),
             ("Watched mark", of_alert("watch_text")), ("Alert id", of_alert("id")),
             ("New", lambda hit: "yes" if hit["alert"]["new"] else "no"),
             ("Alerted at", of_alert("updated_at"))]
    return hits_csv({"hits": hits}, extra=extra)


def to_pdf(data: Mapping[str, Any]) -> bytes:
    """A watch report: what was watched, then for each watched mark its alerts with their signals and reasons."""
    from marksearch.web.exports import grouped_pdf

    groups = _groups(data)
    summary = [("Register", str(data["register"])), ("Portfolio", str(data["portfolio"] or "all")),
               ("Alerts", ("new ones only, " if data["new_only"] else "") + f"{len(data['alerts'])}"),
               ("Watched marks", str(len(data["watches"]))), ("Generated", str(data["generated_at"]))]
    sections: list[tuple[str, Sequence[tuple[str, str]], Sequence[Mapping[str, Any]]]] = []
    for watch, hits in groups:
        (_, now), *earlier = _scored_against(watch, hits)
        sections.append((_watch_label(watch), [*_watch_rows(watch), ("Alerts", str(len(hits)))], now))
        sections.extend((f"{_watch_label(watch)}: alerts scored against {text}",
                         [("Scored against", text), ("Alerts", str(len(older)))], older) for text, older in earlier)
    return grouped_pdf("marksearch watch report", summary, sections, subject="Trademark watch report",
                       generated_at=data["generated_at"])


_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>marksearch watch report</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC","Noto Sans",sans-serif;margin:2em;max-width:70em}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border-bottom:1px solid #ddd;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f3f3f3}.new{font-weight:bold}.score{text-align:right}
</style></head><body>
<h1>marksearch watch report</h1>
<p>Register {{ data.register }} · portfolio {{ data.portfolio or "all" }} ·
{% if data.new_only %}new alerts only · {% endif %}{{ data.alerts|length }} alerts ·
generated {{ data.generated_at }}</p>
{% for watch, hits in groups %}
<section class="watch" data-watch="{{ watch.id }}">
<h2>{{ watch.text }} <small>#{{ watch.id }} · {{ watch.portfolio }}</small></h2>
<p>{% for label, value in rows(watch) %}{{ label }}: {{ value }}{% if not loop.last %} · {% endif %}{% endfor %}</p>
{% if hits %}
<table><thead><tr><th>Alert</th><th>Score</th><th>Office</th><th>Application number</th><th>Mark</th>
<th>Watched mark</th>
<th>Status</th><th>Nice classes</th><th>Owners</th><th>Filed</th><th>Reasons</th><th>Alerted at</th></tr></thead>
<tbody>
{% for hit in hits %}
<tr class="alert{% if hit.alert.new %} new{% endif %}" data-alert="{{ hit.alert.id }}">
<td>{{ hit.alert.id }}{% if hit.alert.new %} (new){% endif %}</td><td class="score">{{ hit.score|score }}</td>
<td>{{ hit.office }}</td><td>{{ hit.application_number }}</td><td>{{ hit.mark_text }}</td>
<td class="watch-text">{{ hit.alert.watch_text or watch.text }}</td>
<td>{{ hit.status or "" }}</td><td>{{ (hit.nice_classes or [])|join(", ") }}</td>
<td>{{ (hit.owners or [])|join("; ") }}</td><td>{{ hit.filing_date or "" }}</td>
<td><ul>{% for r in hit.reasons %}<li>{{ r }}</li>{% endfor %}</ul></td><td>{{ hit.alert.updated_at }}</td>
</tr>
{% endfor %}
</tbody></table>
{% else %}<p>No alerts.</p>{% endif %}
</section>
{% endfor %}
</body></html>
"""


def to_html(data: Mapping[str, Any]) -> bytes:
    """One self-contained HTML page (styles inline, no script)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["score"] = lambda value: f"{shown_score(float(value)):.3f}"
    page = env.from_string(_HTML).render(data=data, groups=_groups(data), rows=_watch_rows)
    return page.encode()


FORMATS: dict[str, Callable[[Mapping[str, Any]], bytes]] = {
    "csv": to_csv, "json": to_json, "html": to_html, "pdf": to_pdf,
}
