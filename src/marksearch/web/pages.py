"""The pages: server-rendered HTML, each with its JSON twin from the same handler.

A handler gathers the page's data from the service as one dict; ``render``
returns that dict as JSON when the request asks for it (``?format=json`` or
``Accept: application/json``), else the template shows it, with view helpers
(URLs, labels) that are not part of the data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import quote, unquote_to_bytes, urlencode

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from marksearch.web.api import export_response, unknown_format
from marksearch.web.exports import EXPORTS
from marksearch.web.i18n import LANGUAGES, N_, SIGNAL_LABELS, STATUS_LABELS, Catalogs, Translator, negotiate
from marksearch.web.service import FEATURES, BadParameter, SearchParams, Service, mark_url, path_segment

__all__ = ["error_page", "render", "router", "translator", "wants_json"]

VARY = {"Vary": "Accept, Accept-Language, Cookie"}
LANG_COOKIE_AGE = 365 * 24 * 3600
SEARCH_FIELDS = ("q", "goods", "office", "cls", "status", "feature", "filed_from", "filed_to", "owner", "per_page")
# Query parameters the page's own links leave out: the switcher and JSON link set their own lang and
# format, and the token, once its cookie is set, must not spread into history, logs and Referer.
NOT_CARRIED = ("lang", "format", "token")
# A longer path is no page of this app (a record's number has at most 100 characters): its error
# page links to the home page, rather than repeating a client's 20,000 characters in every link.
MAX_LINK_PATH = 2000
SEGMENT_SAFE = ":@!$&'()*+,;=~"  # what a link's path may hold unencoded, but for "/" (RFC 3986 pchar)
PER_PAGE_CHOICES = (10, 20, 50, 100)

router = APIRouter(include_in_schema=False)


# -- answering -----------------------------------------------------------------------------------------


def wants_json(request: Request) -> bool:
    """``?format=json``, or an Accept header that puts JSON before HTML."""
    fmt = request.query_params.get("format")
    if fmt in ("json", "html"):
        return fmt == "json"
    for part in request.headers.get("accept", "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in ("text/html", "application/xhtml+xml", "*/*"):
            return False
        if media == "application/json" or media.endswith("+json"):
            return True
    return False


def translator(request: Request) -> Translator:
    catalogs: Catalogs = request.app.state.catalogs
    return catalogs.get(_language(request))


def _language(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.cookies.get("lang"),
                     request.headers.get("accept-language"))


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def render(request: Request, template: str, data: Mapping[str, Any], *, view: Mapping[str, Any] | None = None,
           status: int = 200) -> Response:
    """``data`` as JSON, or the template showing it (with ``view`` helpers) in the reader's language."""
    if wants_json(request):
        return JSONResponse(dict(data), status_code=status, headers=VARY)
    t = translator(request)
    context = {**data, **_chrome(request, t), **(view or {})}
    response = HTMLResponse(t.env.get_template(template).render(context), status_code=status, headers=VARY)
    asked = request.query_params.get("lang")
    if asked in LANGUAGES and asked != request.cookies.get("lang"):
        response.set_cookie("lang", asked, max_age=LANG_COOKIE_AGE, samesite="lax")
    return response


def error_page(request: Request, status: int, title: str, detail: str, *,
               headers: Mapping[str, str] | None = None, links: Sequence[tuple[str, str]] = ()) -> Response:
    """An HTML error page in the reader's language (the JSON side answers problem+json), with
    ``links`` (``(label, path)``) to pages the reader may have meant."""
    t = translator(request)
    context = {"status": status, "title": title, "detail": detail, "links": links, **_chrome(request, t)}
    html = t.env.get_template("error.html").render(context)
    return HTMLResponse(html, status_code=status, headers={**VARY, **(headers or {})})


def _url(path: str, pairs: Sequence[tuple[str, str]]) -> str:
    return path + ("?" + urlencode(pairs) if pairs else "")


def same_site_path(path: str) -> str:
    """The request's path as a link that stays on this site: every character a browser could read
    otherwise escaped (``?``, ``#``, ``\\``, tabs), and one leading slash (``//host/x`` is another site).

    >>> same_site_path("//evil.example/x"), same_site_path("/marks/EM/a?b")
    ('/evil.example/x', '/marks/EM/a%3Fb')
    """
    return "/" + quote(path, safe="/" + SEGMENT_SAFE, errors="replace").lstrip("/")


def same_site_raw_path(raw_path: bytes) -> str:
    """A path as the client sent it (percent-encoded, ``scope["raw_path"]``) as a link to the same
    page: each segment decoded and encoded again, so that an encoded ``/`` stays one and a dot
    segment stays encoded (the decoded path would lead elsewhere), and one leading slash.

    >>> same_site_raw_path(b"/marks/US/..%2F..%2Fetc"), same_site_raw_path(b"//evil.example/%2e%2E")
    ('/marks/US/..%2F..%2Fetc', '/evil.example/%2E%2E')
    """
    segments = [path_segment(unquote_to_bytes(s), safe=SEGMENT_SAFE) for s in raw_path.split(b"/")]
    return "/" + "/".join(segments).lstrip("/")


def _chrome(request: Request, t: Translator) -> dict[str, Any]:
    """What every page shows around its data: languages, the JSON link, the register's offices.

    The links repeat the request, which a link can only do for a GET: the page of another method
    (the error page of the alerts' seen form, a POST) links to the page it came from instead."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in NOT_CARRIED]
    path = same_site_path(request.scope["path"])
    found = request.scope.get("path_params") or {}
    if path.startswith("/marks/") and {"office", "application_number"} <= found.keys():
        # a record's path as its links write it: a number's "/" and dot segments ("../x") encoded,
        # which the decoded path would give back to the browser to resolve elsewhere
        path = mark_url(str(found["office"]), str(found["application_number"]))
    if request.method not in ("GET", "HEAD"):
        path, pairs = (("/watch/alerts" if path.startswith("/watch/") else "/"), [])
    if len(path) > MAX_LINK_PATH:
        path, pairs = "/", []
    languages = [{"code": lang.code, "tag": lang.tag, "name": lang.name, "current": lang.code == t.language.code,
                  "url": _url(path, [*pairs, ("lang", lang.code)])} for lang in LANGUAGES.values()]
    return {"ui_language": t.language, "ui_languages": languages,
            "json_url": _url(path, [*pairs, ("format", "json")]), "t": t}


# -- the search page -----------------------------------------------------------------------------------


def per_page_choices(given: str) -> list[str]:
    """The form's choices of hits per page, with the one asked for (``per_page=5`` from a link or
    the API), so that searching again keeps it rather than falling back to the first choice.

    >>> per_page_choices("5"), per_page_choices(""), per_page_choices("abc")
    (['5', '10', '20', '50', '100'], ['10', '20', '50', '100'], ['abc', '10', '20', '50', '100'])
    """
    choices = [str(n) for n in PER_PAGE_CHOICES]
    if not given or given in choices:
        return choices
    if given.isascii() and given.isdigit() and len(given) <= 9:
        return sorted([*choices, given], key=int)
    return [given, *choices]  # shown as typed, with the form's error


def _form(request: Request, params: SearchParams | None) -> dict[str, Any]:
    """The form's fields as the reader typed them (to show them again, even when they are wrong);
    its choices (offices, classes, statuses, types) as the search read them, when it could
    (``params``), since the options are chosen by their exact values (``cls=09`` is class 9,
    ``office=em`` EM, ``status=%20ended`` ended), and a choice left out would widen the next search."""
    q = request.query_params
    form = {name: (q.getlist(name) if name in ("office", "cls", "feature", "status") else q.get(name, ""))
            for name in SEARCH_FIELDS}
    if params is not None:
        form.update(office=list(params.offices), cls=[str(c) for c in params.classes],
                    status=list(params.statuses), feature=list(params.features))
    return form


def _vocab(svc: Service) -> dict[str, Any]:
    return {"offices": [c["office"] for c in svc.currency()], "classes": list(range(1, 46)),
            "statuses": list(STATUS_LABELS), "features": list(FEATURES), "signals": list(SIGNAL_LABELS)}


def _facet_links(params: SearchParams, facets: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """For each facet value: its count and the search narrowed to it (or widened, when it is chosen)."""

    def link(**changes: Any) -> str:
        return _url("/search" if params.q else "/", params.to_pairs(page=1, **changes))

    out: dict[str, list[dict[str, Any]]] = {"office": [], "nice_class": [], "status": [], "filing_year": []}
    for code, n in facets["office"].items():
        on = code in params.offices
        offices = [o for o in params.offices if o != code] if on else [*params.offices, code]
        out["office"].append({"value": code, "count": n, "active": on, "url": link(offices=offices)})
    for number, n in facets["nice_class"].items():
        c = int(number)
        on = c in params.classes
        classes = [x for x in params.classes if x != c] if on else [*params.classes, c]
        out["nice_class"].append({"value": number, "count": n, "active": on, "url": link(classes=classes)})
    for status, n in facets["status"].items():
        on = list(params.statuses) == [status]
        out["status"].append({"value": status, "count": n, "active": on,
                              "url": link(statuses=["live"] if on else [status])})
    for year, n in facets["filing_year"].items():
        if not year.isdigit():
            out["filing_year"].append({"value": year, "count": n, "active": False, "url": None})
            continue
        on = params.filed_from is not None and params.filed_from.isoformat() == f"{year}-01-01" and \
            params.filed_to is not None and params.filed_to.isoformat() == f"{year}-12-31"
        span = {"filed_from": None, "filed_to": None} if on else \
            {"filed_from": f"{year}-01-01", "filed_to": f"{year}-12-31"}
        out["filing_year"].append({"value": year, "count": n, "active": on, "url": link(**span)})
    return out


def _search_view(request: Request, svc: Service, params: SearchParams, facets: Mapping[str, Any],
                 result: Mapping[str, Any] | None, *, typed: bool = False) -> dict[str, Any]:
    """The page's helpers; ``typed``: the form shows its fields as typed (``params`` could not be read)."""
    form = _form(request, None if typed else params)
    view: dict[str, Any] = {"form": form, "vocab": _vocab(svc), "facet_links": _facet_links(params, facets),
                            "error": None, "goods_url": _url("/goods", [("q", form["goods"])] if form["goods"] else []),
                            "per_page_choices": per_page_choices(form["per_page"])}
    if result is not None:
        pages = int(result["pages"])
        past_end = 0 < pages < params.page  # no hits: the links lead back to the last pages
        near = pages if past_end else params.page
        window = range(max(1, near - 3), min(pages, near + 3) + 1)
        view["page_links"] = [{"page": p, "url": _url("/search", params.to_pairs(page=p)),
                               "current": p == params.page} for p in window]
        view["last_url"] = _url("/search", params.to_pairs(page=pages)) if past_end else None
        view["prev_url"] = view["last_url"] or (
            _url("/search", params.to_pairs(page=params.page - 1)) if params.page > 1 else None)
        view["next_url"] = _url("/search", params.to_pairs(page=params.page + 1)) if params.page < pages else None
        view["exports"] = [{"format": fmt, "url": _url(f"/search/export.{fmt}", params.to_pairs())}
                           for fmt in EXPORTS]
    return view


@router.get("/")
def home(request: Request) -> Response:
    """The search form, with the counts of the marks that pass its filters (the whole register at first)."""
    svc = _service(request)
    try:
        params = SearchParams.parse(request.query_params.multi_items())
    except BadParameter as exc:
        if wants_json(request):
            raise
        return _form_error(request, svc, exc)
    facets = svc.facets(params)
    data = {"query": params.to_dict(), "facets": facets, "currency": svc.currency()}
    return render(request, "search.html", data, view=_search_view(request, svc, params, facets, None))


@router.get("/search")
def search_page(request: Request) -> Response:
    """Ranked hits with their signals and reasons, facet counts and the data's currency."""
    svc = _service(request)
    try:
        params = SearchParams.parse(request.query_params.multi_items())
        params.validate()
    except BadParameter as exc:
        if wants_json(request):
            raise
        return _form_error(request, svc, exc)
    result = svc.search(params)
    facets = svc.facets(params)
    data = {**result, "facets": facets}
    return render(request, "search.html", data, view=_search_view(request, svc, params, facets, result))


def _form_error(request: Request, svc: Service, exc: BadParameter) -> Response:
    """The form again, its fields as typed, with what is wrong (400)."""
    params = SearchParams()
    facets = svc.facets(params)
    view = {**_search_view(request, svc, params, facets, None, typed=True), "error": exc}
    data = {"query": params.to_dict(), "facets": facets, "currency": svc.currency()}
    return render(request, "search.html", data, view=view, status=400)


@router.get("/search/export.{fmt}")
def export_page(request: Request, fmt: str) -> Response:
    """The search page's hits as a CSV, XLSX or PDF download."""
    if fmt not in EXPORTS:
        raise HTTPException(404, unknown_format(fmt))
    params = SearchParams.parse(request.query_params.multi_items())
    params.validate()
    return export_response(_service(request).search(params), fmt)


# -- the goods page ------------------------------------------------------------------------------------


@router.get("/goods")
def goods_page(request: Request) -> Response:
    """Nice classes for a goods description and each item's nearest terms (the JSON is
    ``/api/v1/goods``'s); a form to search marks with these goods."""
    text = request.query_params.get("q", "").replace("\r\n", "\n")
    data: dict[str, Any] = {"query": {"q": text}, "classes": [], "groups": [], "items": []}
    error: BadParameter | None = None
    if text.strip():
        try:
            data = _service(request).goods(text)
        except BadParameter as exc:
            if wants_json(request):
                raise
            error = exc
    return render(request, "goods.html", data, view={"error": error}, status=400 if error else 200)


# -- the record page -----------------------------------------------------------------------------------


def _goods_by_class(goods: Sequence[Mapping[str, Any]], ui: str) -> list[dict[str, Any]]:
    """Goods grouped by class; in each, the reader's language first, then English, then the rest."""
    order = {ui: 0, "en": 1}
    classes: dict[Any, list[Mapping[str, Any]]] = {}
    for g in goods:
        classes.setdefault(g.get("nice_class"), []).append(g)
    grouped = []
    for nice_class, texts in classes.items():
        ranked = sorted(texts, key=lambda g: order.get(str(g.get("language") or ""), 2))
        grouped.append({"nice_class": nice_class, "first": ranked[0], "others": ranked[1:]})
    return grouped


@router.get("/marks/{office}/{application_number:path}")
def record_page(request: Request, office: Annotated[str, Path(max_length=20)],
                application_number: Annotated[str, Path(max_length=100)]) -> Response:
    """Every field of one mark, its codes named, and where it came from."""
    data = _service(request).record(office, application_number)
    t = translator(request)
    view = {"goods_by_class": _goods_by_class(data.get("goods") or (), t.language.code)}
    return render(request, "record.html", data, view=view)


# What each problem ``type`` means: its title and explanation (English in the JSON, the reader's
# language on the page).
PROBLEMS = {
    "bad-parameter": (N_("Bad parameter"), N_("A parameter is not acceptable: the problem's param names it.")),
    "not-found": (N_("Not found"),
                  N_("There is no record with this office code and application number in the register.")),
    "unauthorized": (N_("Token required"), N_("This server asks for a token: send Authorization: Bearer <token>.")),
    "store-unavailable": (N_("Register unavailable"), N_("The register could not be read; try again later.")),
}


@router.get("/problems/{kind}")
def problem_page(request: Request, kind: str) -> Response:
    """What a problem ``type`` means (the URIs in problem+json bodies point here)."""
    if kind not in PROBLEMS:
        raise HTTPException(404, N_("There is no such problem type."))
    title, detail = PROBLEMS[kind]
    t = translator(request)
    return render(request, "error.html", {"status": 200, "kind": kind, "title": title, "detail": detail},
                  view={"title": t.gettext(title), "detail": t.gettext(detail)})
