"""The watch API (``/api/v1/watch/...``) and the alerts page (``/watch/alerts``), behind the token.

Portfolios and watched marks can be listed, made, changed and deleted;
alerts listed and marked seen.  Everything here asks for the server's token
(``marksearch serve --token``), given as ``Authorization: Bearer <token>`` or
the ``token`` cookie: without one the server answers 401, and a server
started without a token answers 403, since anyone could otherwise change its
watch lists and point their webhooks anywhere.  The alerts page has its JSON
twin (``?format=json``) like every page.  The library side is
:mod:`marksearch.watch`.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from marksearch.errors import UsageError
from marksearch.search import MAX_GOODS, MAX_QUERY
from marksearch.watch.checks import check_name, check_offices, check_text, check_webhook_url, clean, goods_classes
from marksearch.watch.storage import Portfolio, WatchStore
from marksearch.web.api import _problems
from marksearch.web.pages import render, wants_json
from marksearch.web.service import MAX_PER_PAGE, BadParameter, NotFound, Service, check_goods

__all__ = ["NO_TOKEN", "api_router", "page_router"]

NO_TOKEN = "watch lists need a token: start the server with marksearch serve --token"
MAX_ID = 2**53  # row ids; larger ones cannot be stored and are refused before the database sees them
MAX_IDS = 1000  # alert ids marked seen by one request

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Office = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
# Strict: pydantic's lax mode reads JSON true as 1 (class 1, threshold 1.0, alert 1) and 1 as true.
NiceClass = Annotated[int, Field(ge=1, le=45, strict=True)]
Threshold = Annotated[float, Field(gt=0, le=1, allow_inf_nan=False, strict=True)]
AlertId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
Flag = Annotated[bool, Field(strict=True)]
Url = Annotated[str, Field(min_length=1, max_length=2000, description="http:// or https://")]
Secret = Annotated[str, Field(min_length=16, max_length=200, description="The HMAC-SHA256 signing key")]


# -- the token ------------------------------------------------------------------------------------------


def require_token(request: Request) -> None:
    """The server's token, or 401; no token configured: 403 (the app's middleware checks it first)."""
    expected: str | None = getattr(request.app.state, "token", None)
    if not expected:
        raise HTTPException(403, NO_TOKEN)
    auth = request.headers.get("authorization", "")
    given = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get("token", "")
    from_query = request.query_params.get("token", "")  # a first visit: the middleware sets the cookie
    if not any(hmac.compare_digest(g.encode(), expected.encode()) for g in (given, from_query) if g):
        raise HTTPException(401, "this server asks for a token", headers={"WWW-Authenticate": "Bearer"})


def _service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


@contextmanager
def _watch_store(request: Request) -> Iterator[WatchStore]:
    """The register's watch tables, the service's connection held for this request alone."""
    with _service(request).locked_store() as store:
        yield WatchStore(store)


Token = Depends(require_token)


# -- bodies and answers -----------------------------------------------------------------------------------


class Body(BaseModel):
    """A watch body: a field it does not know is refused (422 naming it), never dropped, so that
    a typo (``"treshold"``) is not a request that silently keeps the default."""

    model_config = ConfigDict(extra="forbid")


class PortfolioIn(Body):
    name: Name
    webhook_url: Url | None = None
    webhook_secret: Secret | None = None


class PortfolioChange(Body):
    name: Name | None = None
    webhook_url: Url | None = None
    webhook_secret: Secret | None = None
    unset_webhook: Flag = Field(default=False, description="Remove the webhook; deliveries not made are dropped")


class PortfolioOut(BaseModel):
    id: int
    name: str
    webhook_url: str | None
    webhook_secret_set: bool = Field(description="The secret itself is never shown")
    created_at: str
    watches: int
    new_alerts: int


class WatchIn(Body):
    portfolio: Name = "default"
    text: Annotated[str, Field(min_length=1, max_length=MAX_QUERY, description="The watched mark, any script")]
    classes: Annotated[list[NiceClass], Field(max_length=45)] = []
    goods: Annotated[str | None, Field(max_length=MAX_GOODS, description=(
        "Goods and services in words; without classes, the classes are read from them"))] = None
    offices: Annotated[list[Office], Field(max_length=100, description="Empty: every office")] = []
    threshold: Threshold = 0.7
    backfill: Flag = Field(default=False, description="Also match it against the whole register now")


class WatchChange(Body):
    portfolio: Name | None = None
    text: Annotated[str | None, Field(min_length=1, max_length=MAX_QUERY)] = None
    classes: Annotated[list[NiceClass] | None, Field(max_length=45)] = None
    goods: Annotated[str | None, Field(max_length=MAX_GOODS)] = None
    offices: Annotated[list[Office] | None, Field(max_length=100)] = None
    threshold: Threshold | None = None


class WatchOut(BaseModel):
    id: int
    portfolio: str
    text: str
    classes: list[int]
    goods: str | None
    offices: list[str]
    threshold: float
    created_at: str
    updated_at: str


class WatchAdded(WatchOut):
    backfill_alerts: int | None = Field(description="Alerts the backfill made (none asked: null)")


class AlertOut(BaseModel):
    id: int
    watch_id: int
    portfolio: str
    watch_text: str = Field(description="The watched mark's text the alert was scored against")
    watch_classes: list[int] = Field(description="The watched mark's classes the alert was scored against")
    record_id: int
    office: str
    application_number: str
    mark_text: str
    score: float = Field(ge=0, le=1)
    signals: dict[str, float]
    reasons: list[str]
    filing: dict[str, Any] = Field(description="The filing's fields, as a search hit shows them")
    version: int = Field(description="1, then one more each time the filing's mark text or the watched mark's "
                                     "text or classes changed and the filing was alerted again")
    new: bool
    created_at: str
    updated_at: str
    seen_at: str | None


class AlertsOut(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    alerts: list[AlertOut]


class SeenIn(Body):
    ids: Annotated[list[AlertId] | None, Field(max_length=MAX_IDS)] = None
    all: Flag = Field(default=False, description="Every new alert (of portfolio, when given)")
    portfolio: Name | None = None


class SeenOut(BaseModel):
    marked_seen: int


# -- the API ------------------------------------------------------------------------------------------------

api_router = APIRouter(prefix="/api/v1/watch", tags=["watch"], dependencies=[Token])
_ANSWERS = _problems(400, 401, 422) | {403: {"description": "The server has no token: watch lists are off",
                                             "content": {"application/problem+json": {
                                                 "schema": {"$ref": "#/components/schemas/Problem"}}}}}
_WITH_404 = _ANSWERS | _problems(404)


def _portfolio_name(ws: WatchStore, portfolio_id: int) -> str:
    found = ws.portfolio_by_id(portfolio_id)
    if found is None:
        raise NotFound(f"no portfolio {portfolio_id}")
    return found.name


def _existing_watch(ws: WatchStore, watch_id: int) -> None:
    if not ws.execute("SELECT 1 FROM watch_marks WHERE id = ?", (watch_id,)):
        raise NotFound(f"no watched mark {watch_id}")


@contextmanager
def _field(name: str) -> Iterator[None]:
    """A library mistake (:class:`UsageError`) within, as a 400 naming the field ``name``."""
    try:
        yield
    except BadParameter:
        raise
    except UsageError as exc:
        raise BadParameter(name, str(exc)) from None


def _check(name: str, check: Callable[[Any], object], value: Any) -> None:
    """``check(value)`` (when ``value`` is given), its mistake named as the field ``name``."""
    if value is not None:
        with _field(name):
            check(value)


def _check_webhook(url: str | None, secret: str | None, current: Portfolio | None = None) -> None:
    """The webhook fields of a body, each mistake naming its field; ``current``: the portfolio
    changed, whose URL or secret a change may keep."""
    _check("webhook_url", check_webhook_url, url)
    _check("webhook_secret", lambda text: clean(text, "the webhook secret"), secret)
    if secret is not None and url is None and (current is None or not current.webhook_url):
        raise BadParameter("webhook_url", "a webhook secret needs a webhook URL")
    if url is not None and secret is None and (current is None or not current.webhook_secret):
        raise BadParameter("webhook_secret", "a webhook needs a secret of at least 16 characters to sign "
                                             "its deliveries with")


def _goods_classes(request: Request, goods: str | None) -> tuple[int, ...] | None:
    """The classes read from a watch's goods, as the library reads them when no classes are given
    (here, so that a description no class can be read from is named ``goods``); no goods: ``None``."""
    if goods is None or not goods.strip():
        return None
    with _field("goods"):
        return goods_classes(clean(goods, "the goods"), _service(request).goods_base())


def _check_watch(body: WatchIn | WatchChange) -> None:
    _check("portfolio", check_name, body.portfolio)
    _check("text", check_text, body.text)
    _check("offices", check_offices, body.offices)
    _check("goods", lambda text: clean(text, "the goods"), body.goods)
    _check_goods(body.goods)


def _check_goods(goods: str | None) -> None:
    """A watch's goods, as a search's are checked: at most ``MAX_GOODS_ITEMS`` items (else 400);
    blank is none (``add``) or unset (``change``)."""
    if goods is not None and goods.strip():
        check_goods("goods", goods)


@api_router.get("/portfolios", response_model=list[PortfolioOut], responses=_ANSWERS, summary="The portfolios")
def list_portfolios(request: Request) -> list[dict[str, Any]]:
    with _watch_store(request) as ws:
        return [p.to_dict() for p in ws.portfolios()]


@api_router.post("/portfolios", response_model=PortfolioOut, status_code=201, responses=_ANSWERS,
                 summary="Make a portfolio, with or without a webhook")
def add_portfolio(request: Request, body: PortfolioIn) -> dict[str, Any]:
    _check("name", check_name, body.name)
    _check_webhook(body.webhook_url, body.webhook_secret)
    with _watch_store(request) as ws, _field("name"):  # what is left: a portfolio of that name already
        return ws.add_portfolio(body.name, webhook_url=body.webhook_url, webhook_secret=body.webhook_secret).to_dict()


@api_router.get("/portfolios/{portfolio_id}", response_model=PortfolioOut, responses=_WITH_404,
                summary="One portfolio")
def get_portfolio(request: Request, portfolio_id: RowId) -> dict[str, Any]:
    with _watch_store(request) as ws:
        return ws.portfolio(_portfolio_name(ws, portfolio_id)).to_dict()


@api_router.patch("/portfolios/{portfolio_id}", response_model=PortfolioOut, responses=_WITH_404,
                  summary="Rename a portfolio, set or unset its webhook")
def change_portfolio(request: Request, portfolio_id: RowId, body: PortfolioChange) -> dict[str, Any]:
    given = [name for name in ("webhook_url", "webhook_secret") if getattr(body, name) is not None]
    if body.unset_webhook and given:
        raise BadParameter("unset_webhook", f"removes the webhook: it cannot go with {' or '.join(given)}",
                           also=given)
    _check("name", check_name, body.name)
    with _watch_store(request) as ws:
        name = _portfolio_name(ws, portfolio_id)
        _check_webhook(body.webhook_url, body.webhook_secret, ws.portfolio(name))
        with _field("name"):  # what is left: a portfolio of the new name already
            return ws.change_portfolio(name, new_name=body.name, webhook_url=body.webhook_url,
                                   webhook_secret=body.webhook_secret, unset_webhook=body.unset_webhook).to_dict()


@api_router.delete("/portfolios/{portfolio_id}", status_code=204, response_class=Response, responses=_WITH_404,
                   summary="Delete a portfolio with its watched marks and alerts")
def delete_portfolio(request: Request, portfolio_id: RowId) -> Response:
    with _watch_store(request) as ws:
        ws.delete_portfolio(_portfolio_name(ws, portfolio_id))
    return Response(status_code=204)


@api_router.get("/marks", response_model=list[WatchOut], responses=_ANSWERS, summary="The watched marks")
def list_watches(request: Request, portfolio: Annotated[str | None, Query(max_length=100)] = None
                 ) -> list[dict[str, Any]]:
    with _watch_store(request) as ws, _field("portfolio"):
        return [w.to_dict() for w in ws.watches(portfolio=portfolio)]


@api_router.post("/marks", response_model=WatchAdded, status_code=201, responses=_ANSWERS,
                 summary="Watch a mark (its portfolio is made when new)")
def add_watch(request: Request, body: WatchIn) -> dict[str, Any]:
    _check_watch(body)
    classes = body.classes or _goods_classes(request, body.goods) or ()
    with _watch_store(request) as ws:
        with _field("text"):  # what is left: the same mark watched already
            watch = ws.add_watch(body.portfolio, body.text, classes=classes, goods=body.goods,
                                 offices=body.offices, threshold=body.threshold)
        made = None
        if body.backfill:
            from marksearch.watch.alerts import backfill

            made = backfill(ws.store, [watch.id], searcher=_service(request).searcher).created
    return {**watch.to_dict(), "backfill_alerts": made}


@api_router.get("/marks/{watch_id}", response_model=WatchOut, responses=_WITH_404, summary="One watched mark")
def get_watch(request: Request, watch_id: RowId) -> dict[str, Any]:
    with _watch_store(request) as ws:
        _existing_watch(ws, watch_id)
        return ws.watch(watch_id).to_dict()


@api_router.patch("/marks/{watch_id}", response_model=WatchOut, responses=_WITH_404,
                  summary="Change a watched mark (alerts already raised stay)")
def change_watch(request: Request, watch_id: RowId, body: WatchChange) -> dict[str, Any]:
    _check_watch(body)
    classes = body.classes if body.classes is not None else _goods_classes(request, body.goods)
    with _watch_store(request) as ws:
        _existing_watch(ws, watch_id)
        with _field("text"):  # what is left: the same mark watched already
            return ws.change_watch(watch_id, text=body.text, classes=classes, goods=body.goods, offices=body.offices,
                                   threshold=body.threshold, portfolio=body.portfolio).to_dict()


@api_router.delete("/marks/{watch_id}", status_code=204, response_class=Response, responses=_WITH_404,
                   summary="Stop watching a mark; its alerts go too")
def delete_watch(request: Request, watch_id: RowId) -> Response:
    with _watch_store(request) as ws:
        _existing_watch(ws, watch_id)
        ws.delete_watch(watch_id)
    return Response(status_code=204)


def alerts_data(ws: WatchStore, *, portfolio: str | None, watch: int | None, new: bool, page: int,
                per_page: int) -> dict[str, Any]:
    """One page of alerts, newest first (the API's answer and the alerts page's data)."""
    total = ws.count_alerts(portfolio=portfolio, watch_id=watch, new=new)
    found = ws.alerts(portfolio=portfolio, watch_id=watch, new=new, limit=per_page, offset=(page - 1) * per_page)
    return {"total": total, "page": page, "per_page": per_page, "pages": max(1, math.ceil(total / per_page)),
            "alerts": [a.to_dict() for a in found]}


@api_router.get("/alerts", response_model=AlertsOut, responses=_WITH_404, summary="Alerts, newest first")
def list_alerts(request: Request, portfolio: Annotated[str | None, Query(max_length=100)] = None,
                watch: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
                new: Annotated[bool, Query(description="Only alerts not yet marked seen")] = False,
                page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
                per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20) -> dict[str, Any]:
    """A ``watch`` that names no watched mark is 404, as ``marksearch watch alerts --watch`` refuses it
    (an empty list would read as a watched mark without alerts)."""
    with _watch_store(request) as ws:
        if watch is not None:
            _existing_watch(ws, watch)
        with _field("portfolio"):  # a blank name is none (all portfolios), as on the page
            return alerts_data(ws, portfolio=(portfolio or "").strip() or None, watch=watch, new=new, page=page,
                               per_page=per_page)


@api_router.post("/alerts/seen", response_model=SeenOut, responses=_WITH_404,
                 summary="Mark alerts seen: these ids, or all new ones (of a portfolio)")
def mark_seen(request: Request, body: SeenIn) -> dict[str, int]:
    """An id that names no alert is 404, naming it, and none is marked, as ``marksearch watch seen``
    refuses it (``marked_seen: 0`` would read as alerts seen already)."""
    if body.all == bool(body.ids):
        raise BadParameter("ids", "give alert ids, or all: true")
    with _watch_store(request) as ws:
        if body.ids:
            known = {a.id for a in ws.alerts(ids=body.ids)}
            if missing := sorted(set(body.ids) - known):
                raise NotFound(f"no alert {missing[0]}")
        with _field("portfolio"):
            return {"marked_seen": ws.mark_seen(ids=None if body.all else body.ids, portfolio=body.portfolio)}


# -- the alerts page ------------------------------------------------------------------------------------------

page_router = APIRouter(include_in_schema=False, dependencies=[Token])


def _as_hit(alert: dict[str, Any], rank: int) -> dict[str, Any]:
    """An alert as the search page's hit template shows one."""
    return {**alert["filing"], "rank": rank, "score": alert["score"], "signals": alert["signals"],
            "reasons": alert["reasons"], "mark_text": alert["mark_text"], "goods_overlap": None}


PAGE_SIZE = 50  # alerts on a page


@page_router.get("/watch/alerts")
def alerts_page(request: Request, portfolio: Annotated[str | None, Query(max_length=100)] = None,
                new: bool = False, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1) -> Response:
    """The alerts, newest first, each with its watched mark, the filing and why it resembles it.

    A page past the last (a stale link, or the last alerts of "new only" marked seen) shows the
    last page, rather than an empty list under a count of alerts."""
    portfolio = (portfolio or "").strip() or None  # a blank field is absent: all portfolios
    with _watch_store(request) as ws, _field("portfolio"):
        data = alerts_data(ws, portfolio=portfolio, watch=None, new=new, page=page, per_page=PAGE_SIZE)
        if page > data["pages"]:
            page = data["pages"]
            data = alerts_data(ws, portfolio=portfolio, watch=None, new=new, page=page, per_page=PAGE_SIZE)
        data["portfolios"] = [p.to_dict() for p in ws.portfolios()]
    data["query"] = {"portfolio": portfolio, "new": new}
    if wants_json(request):
        return render(request, "watch_alerts.html", data)
    view = {"hits": [_as_hit(a, (page - 1) * PAGE_SIZE + i) for i, a in enumerate(data["alerts"], 1)],
            "page_url": lambda p: _page_url(portfolio, new, p)}
    return render(request, "watch_alerts.html", data, view=view)


def _page_url(portfolio: str | None, new: bool, page: int) -> str:
    pairs = [(k, v) for k, v in (("portfolio", portfolio or ""), ("new", "true" if new else ""),
                                 ("page", str(page) if page > 1 else "")) if v]
    return "/watch/alerts" + ("?" + urlencode(pairs) if pairs else "")


def _back_to(ws: WatchStore, back: str) -> str:
    """The alerts page the seen form came from (its ``back``), its page now at most the last:
    marking the alerts of the last page of "new only" seen leaves fewer pages.  Anything but the
    alerts page (another site, another path) is the alerts page.

    The page is rebuilt from its filter (``portfolio``, ``new``, ``page``) rather than repeated.
    """
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or parts.path != "/watch/alerts":
        return "/watch/alerts"
    query = dict(parse_qsl(parts.query))
    portfolio = query.get("portfolio", "").strip() or None
    new = query.get("new", "").lower() in ("1", "true", "yes", "on")  # as FastAPI reads the page's bool
    given = query.get("page", "1")
    page = int(given) if given.isascii() and given.isdigit() and len(given) <= 7 else 1
    try:
        total = ws.count_alerts(portfolio=portfolio, new=new)
    except UsageError:  # its portfolio is gone
        return "/watch/alerts"
    return _page_url(portfolio, new, max(1, min(page, math.ceil(total / PAGE_SIZE))))


MAX_FORM = 100_000  # bytes of the seen form: MAX_IDS ids of 16 digits and the rest fit well within it
_ID_DIGITS = len(str(MAX_ID))


def form_ids(given: list[str]) -> list[int]:
    """The alert ids of the seen form: each 1 to ``MAX_ID`` in ASCII digits, at most ``MAX_IDS``;
    anything else is the client's mistake (:class:`BadParameter` naming ``ids``), never dropped,
    since a list left empty would mean every new alert.

    >>> form_ids(["7", "12"])
    [7, 12]
    """
    if len(given) > MAX_IDS:
        raise BadParameter("ids", f"at most {MAX_IDS} alert ids, not {len(given)}")
    ids = []
    for text in given:
        # isdigit() alone lets in '²' and other digits int() refuses; the bound keeps int() cheap
        if not (text.isascii() and text.isdigit() and len(text) <= _ID_DIGITS and 1 <= int(text) <= MAX_ID):
            raise BadParameter("ids", f"{text[:20]!r} is not an alert id (a whole number from 1 to {MAX_ID})")
        ids.append(int(text))
    return ids


FORM_TYPE = "application/x-www-form-urlencoded"


@page_router.post("/watch/alerts/seen")
async def seen_form(request: Request) -> Response:
    """The page's form (urlencoded): the ticked alerts ``ids`` marked seen, or, when the form has
    no ``ids`` field at all (nothing ticked), every new alert of ``portfolio``; then back to the
    page (``back``).  An ``ids`` field that is not an alert id is refused (400), never read as
    "nothing ticked"; so is a body of another type (415: a JSON or multipart body has no ``ids``
    field either) and ``ids`` or ``portfolio`` in the query string (400), where the form never
    puts them.  An id that names no alert is 404, naming it, and none is marked, as the API
    answers it (a redirect would read as alerts marked)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM_TYPE:
        raise HTTPException(415, f"the seen form is sent as {FORM_TYPE}, not {media[:80]}" if media
                            else f"the seen form is sent as {FORM_TYPE}, with no Content-Type")
    for name in ("ids", "portfolio"):
        if name in request.query_params:
            raise BadParameter(name, "belongs in the form's body, not in the query string")
    body = b""
    async for chunk in request.stream():  # read no further than the bound, however much is sent
        body += chunk
        if len(body) > MAX_FORM:  # cut short, the last id could be read as another one
            raise HTTPException(413, f"the form is longer than {MAX_FORM} bytes")
    form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    ids = form_ids(form["ids"]) if "ids" in form else None
    portfolio = _form_portfolio(form.get("portfolio", []))
    back = (form.get("back") or ["/watch/alerts"])[0]

    def mark() -> str:
        with _watch_store(request) as ws:
            if ids:  # an id that names no alert is 404 and none is marked, as the API answers it
                known = {a.id for a in ws.alerts(ids=ids)}
                if missing := sorted(set(ids) - known):
                    raise NotFound(f"no alert {missing[0]}")
            with _field("portfolio"):
                ws.mark_seen(ids=ids, portfolio=None if ids is not None else portfolio)
            return _back_to(ws, back)

    return RedirectResponse(await run_in_threadpool(mark), status_code=303)


def _form_portfolio(given: list[str]) -> str | None:
    """The seen form's ``portfolio`` (none or empty: every portfolio); a name that is no portfolio's
    is refused, never cut to one that is."""
    if len(given) > 1:
        raise BadParameter("portfolio", "give one portfolio")
    name = given[0].strip() if given else ""
    if len(name) > 100:
        raise BadParameter("portfolio", "a portfolio name has 1 to 100 characters")
    return name or None
