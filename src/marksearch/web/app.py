"""The FastAPI app: pages, REST API, static files, errors as problem+json (or an HTML page).

>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(":memory:"))
>>> client.get("/healthz").json()
{'status': 'ok', 'records': 0}
>>> r = client.get("/api/v1/search", params={"q": "KOKA", "per_page": 101})
>>> r.status_code, r.headers["content-type"], r.json()["param"]
(422, 'application/problem+json', 'per_page')
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import quote, unquote_to_bytes, urlsplit

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marksearch import __version__
from marksearch.errors import MarksearchError, StoreError
from marksearch.web import api, pages, watch
from marksearch.web.i18n import N_, Catalogs
from marksearch.web.service import BadParameter, NotFound, Service

__all__ = ["app_from_env", "create_app"]

log = logging.getLogger("marksearch.web")

TITLES = {  # problem titles, also the headings of the HTML error pages
    400: N_("Bad request"), 401: N_("Token required"), 403: N_("Forbidden"), 404: N_("Not found"),
    405: N_("Method not allowed"), 413: N_("Request too large"), 415: N_("Unsupported media type"),
    422: N_("Unprocessable parameter"), 500: N_("Internal error"), 503: N_("Register unavailable"),
}
# Starlette's own details (the bare status phrase), as an HTML page says them in the reader's language.
PLAIN_DETAILS = {
    (404, "Not Found"): N_("There is no page at this address."),
    (405, "Method Not Allowed"): N_("This address does not answer this method: the pages are read with GET."),
}
MAX_BODY = 1_000_000  # bytes of a request body: the largest watch body (1000 alert ids) is a few kB
WATCH_PATHS = ("/api/v1/watch/", "/watch/")  # behind the token, which a server without one cannot check
OPEN_PATHS = ("/healthz",)  # answered without the token
API_PATHS = ("/healthz", "/openapi.json")  # outside /api/, but the API's: errors as problem+json
# On every response.  No Content-Security-Policy beyond framing: the Swagger UI at /docs loads its
# scripts from a CDN and the record page has an inline onerror handler.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a ?token= or a search must not reach other sites in Referer
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def create_app(db: str | None = None, *, token: str | None = None, goods_in_background: bool = False,
               say: Callable[[str], None] | None = None) -> FastAPI:
    """The app over the register ``db`` (``--db``, ``$MARKSEARCH_DB`` or the default).

    With ``token``, every route but ``/healthz`` asks for it: ``Authorization:
    Bearer <token>``, or a ``token`` cookie (set by visiting any page with ``?token=``).
    ``goods_in_background`` and ``say``: see :class:`Service`.
    """
    service = Service.open(db, goods_in_background=goods_in_background, say=say)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        service.close()

    app = FastAPI(title="marksearch", version=__version__, lifespan=lifespan,
                  description="Trademark search across offices and scripts: ranked, explained hits; "
                              "facets; records; vocabularies. Errors are RFC 9457 problem details.")
    app.state.service = service
    app.state.catalogs = Catalogs()
    app.state.token = token  # the watch routes ask for it even where the middleware is off
    app.include_router(api.router)
    app.include_router(watch.api_router)
    app.include_router(pages.router)
    app.include_router(watch.page_router)
    app.mount("/static", StaticFiles(directory=str(resources.files("marksearch.web") / "static")), name="static")

    @app.get("/healthz", tags=["api"], summary="Liveness and the number of marks held")
    def healthz() -> dict[str, Any]:
        return service.health()

    _install_errors(app)
    app.add_middleware(SameOrigin)
    app.add_middleware(QueryStrings)
    app.add_middleware(BodyLimit, limit=MAX_BODY)
    if token:
        _install_token(app, token)  # outside the body limit: a client without the token learns nothing
    else:
        app.add_middleware(WatchOff)
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so the token's 401 has them too
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """The app factory uvicorn's workers call: the register from ``MARKSEARCH_DB``, token from ``MARKSEARCH_TOKEN``."""
    return create_app(os.environ.get("MARKSEARCH_DB"), token=os.environ.get("MARKSEARCH_TOKEN") or None)


# -- errors ----------------------------------------------------------------------------------------------


def _answer(request: Request, status: int, detail: str, *, kind: str | None = None, param: str | None = None,
            reason: str | None = None, also: Sequence[str] = (), headers: dict[str, str] | None = None,
            links: Sequence[tuple[str, str]] = ()) -> Response:
    """problem+json for the API and JSON twins, an HTML page for the pages (with ``links``, ``(label,
    path)`` of pages the reader may have meant); ``also``: other parameters at fault with ``param``."""
    title = TITLES.get(status, "Error")
    if request.url.path.startswith("/api/") or request.url.path in API_PATHS or pages.wants_json(request):
        return api.problem(status, title, detail, kind=kind, param=param, reason=reason, also=also,
                           headers=headers)
    t = pages.translator(request)
    # HTTP's own details, those marked N_ and the known shapes of the app's and library's (i18n.MESSAGES)
    plain = PLAIN_DETAILS.get((status, detail))
    shown = t.gettext(plain) if plain else t.message(detail)
    return pages.error_page(request, status, t.gettext(title), shown, headers=headers, links=links)


def _install_errors(app: FastAPI) -> None:
    async def bad_parameter(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, BadParameter)
        return _answer(request, 400, str(exc), kind="bad-parameter", param=exc.param, reason=exc.reason,
                       also=exc.also)

    async def not_found(request: Request, exc: Exception) -> Response:
        return _answer(request, 404, str(exc), kind="not-found", links=getattr(exc, "links", ()))

    async def store_error(request: Request, exc: Exception) -> Response:
        log.error("register unavailable: %s", exc)
        return _answer(request, 503, str(exc), kind="store-unavailable")

    async def usage_error(request: Request, exc: Exception) -> Response:
        # what is left: the routes name the field of a library mistake (BadParameter, web/watch.py's _field)
        return _answer(request, 400, str(exc), kind="bad-parameter")

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(part) for part in first.get("loc", ()) if not isinstance(part, int)]
        param = loc[1] if len(loc) > 1 else (loc[0] if loc else "request")
        reason = str(first.get("msg", "invalid"))
        return _answer(request, 422, f"{param}: {reason}", kind="bad-parameter", param=param, reason=reason)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405 and headers and "Allow" in headers:
            headers["Allow"] = allow_head(headers["Allow"])
        return _answer(request, exc.status_code, str(exc.detail), headers=headers)

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        # answered by Starlette's outermost middleware, outside SecurityHeaders
        return _answer(request, 500, "an unexpected error; it has been logged", headers=dict(SECURITY_HEADERS))

    app.add_exception_handler(BadParameter, bad_parameter)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(StoreError, store_error)
    app.add_exception_handler(MarksearchError, usage_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def allow_head(allow: str) -> str:
    """A 405's ``Allow`` with HEAD wherever it has GET: :class:`HeadAsGet` answers HEAD on every GET
    route, which FastAPI's routes do not name (RFC 9110 9.3.2, 15.5.6).

    >>> allow_head("GET"), allow_head("POST"), allow_head("GET, HEAD")
    ('GET, HEAD', 'POST', 'GET, HEAD')
    """
    methods = [m.strip() for m in allow.split(",") if m.strip()]
    return ", ".join([*methods, "HEAD"]) if "GET" in methods and "HEAD" not in methods else allow


# -- headers ---------------------------------------------------------------------------------------------


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every HTTP response (those a route set stay)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """ASGI middleware: a HEAD request is answered as its GET, without the body (RFC 9110 asks a
    general-purpose server for HEAD wherever it answers GET; uptime monitors and ``curl -I`` send
    it, and FastAPI's GET routes answered it 405)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, without_body)


# -- query strings -----------------------------------------------------------------------------------------

# The API's routes whose parameters are declared (FastAPI would refuse a blank one before the shared
# reading, which takes an empty or blank field for an absent one, as a form sends them).
BLANK_IS_ABSENT_PATHS = ("/api/v1/search", "/api/v1/facets")
BLANK_IS_ABSENT = frozenset({"office", "cls", "status", "feature", "filed_from", "filed_to", "owner", "goods",
                             "page", "per_page"})
LISTS = frozenset({"office", "cls", "status", "feature"})  # the others: the last value counts
STRIPPED = frozenset({"q", "office", "status", "feature", "owner", "goods"})  # numbers and dates: read as sent


def query_parts(raw: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """The query string's fields: ``(part as sent, name, value)``, the name and value percent-decoded
    (and ``+`` a space) but left as bytes; as Starlette splits them (on ``&``, empty parts skipped).

    >>> query_parts(b"q=K%C3%96&&owner=a+b")
    [(b'q=K%C3%96', b'q', b'K\\xc3\\x96'), (b'owner=a+b', b'owner', b'a b')]
    """
    out = []
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        out.append((part, unquote_to_bytes(name.replace(b"+", b" ")), unquote_to_bytes(value.replace(b"+", b" "))))
    return out


def not_utf8(raw: bytes) -> str | None:
    """The name of the first field whose name or value is not valid UTF-8 once decoded, else None
    (Starlette would replace those bytes by U+FFFD, and the search would run on the garbled text).

    >>> not_utf8(b"q=A&owner=%B5%BF"), not_utf8(b"q=%EC%BD%94"), not_utf8(b"%FF=1")
    ('owner', None, '\\ufffd')
    """
    for _, name, value in query_parts(raw):
        try:
            name.decode("utf-8")
            value.decode("utf-8")
        except UnicodeDecodeError:
            return name.decode("utf-8", errors="replace")
    return None


def without_blanks(raw: bytes) -> bytes:
    """The query string without the empty or blank fields of :data:`BLANK_IS_ABSENT`; of a
    one-value field whose last value is blank, every value (the last counts, and says none); and
    the texts of :data:`STRIPPED` without the spaces around them, as the pages read them (the API's
    declared checks, an office code's pattern or a length, ran on the value as sent).

    >>> without_blanks(b"q=KOKA&goods=&feature=&cls=9&cls=+&page=2&page=%20&owner=x")
    b'q=KOKA&cls=9&owner=x'
    >>> without_blanks(b"q=KOKA+&office=%20us%20&status=+all&owner=a%20b")
    b'q=KOKA&office=us&status=all&owner=a%20b'
    """
    parts = query_parts(raw)
    last = {name: value for _, name, value in parts}
    kept = []
    for part, name, value in parts:
        key = name.decode("utf-8", errors="replace")
        if key in BLANK_IS_ABSENT and (_blank(value) or (key not in LISTS and _blank(last[name]))):
            continue
        if key in STRIPPED:
            text = value.decode("utf-8", errors="replace")
            if text.strip() and text != text.strip():  # a blank q stays as sent: "the query text is empty"
                part = part.partition(b"=")[0] + b"=" + quote(text.strip(), safe="").encode()
        kept.append(part)
    return b"&".join(kept)


def _utf8_path(raw_path: bytes) -> bool:
    """Whether a request's path, percent-decoded, is valid UTF-8.

    >>> _utf8_path(b"/marks/EM/018222197"), _utf8_path(b"/marks/KR/%EC%BD%94"), _utf8_path(b"/marks/EM/%FF%FE")
    (True, True, False)
    """
    try:
        unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _blank(value: bytes) -> bool:
    return not value.decode("utf-8", errors="replace").strip()


class QueryStrings:
    """ASGI middleware: a query string with a field that is not valid UTF-8 is answered 400 naming
    the field (problem+json, or the error page); on the API's search routes, blank fields are
    dropped before FastAPI reads them (see :func:`without_blanks`)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not _utf8_path(bytes(scope.get("raw_path") or b"")):
            # A record's office and number are path segments: looked up as U+FFFD, they were "no mark".
            reason = "is not valid UTF-8"
            refused = _answer(Request(scope), 400, f"path: {reason}", kind="bad-parameter", param="path",
                              reason=reason)
            await refused(scope, receive, send)
            return
        if not scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        raw = bytes(scope["query_string"])
        bad = not_utf8(raw)
        if bad is not None:
            reason = "is not valid UTF-8"
            refused = _answer(Request(scope), 400, f"{bad}: {reason}", kind="bad-parameter", param=bad,
                              reason=reason)
            await refused(scope, receive, send)
            return
        path = str(scope["path"])
        if path in BLANK_IS_ABSENT_PATHS or path.startswith("/api/v1/search/export."):
            scope = {**scope, "query_string": without_blanks(raw)}
        await self.app(scope, receive, send)


# -- cross-site forms --------------------------------------------------------------------------------------

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def same_origin(request: Request) -> bool:
    """Whether a browser sent this request from one of this server's own pages: its ``Origin``, else
    ``Sec-Fetch-Site``, else the origin of its ``Referer`` is this server's (scheme, host and port).
    A request with none of them (not a browser's form, a script's) passes; ``Origin: null`` does not."""
    origin = request.headers.get("origin")
    if origin is None:
        site = request.headers.get("sec-fetch-site")
        if site is not None:
            return site.strip().lower() in ("same-origin", "none")
        referer = request.headers.get("referer")
        if not referer:
            return True
        origin = referer
    return _origin(origin) == _origin(f"{request.url.scheme}://{request.headers.get('host', '')}")


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url.strip())
        port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return parts.scheme.lower(), parts.hostname.lower(), port


class SameOrigin:
    """ASGI middleware: a request that changes state (a method other than GET, HEAD and OPTIONS) sent
    by a browser from another origin is refused with 403 before it is read, so that another site
    (another port of this host included, which SameSite cookies count as the same site) cannot have
    a reader's browser send the alerts page's seen form with the token cookie. A request with an
    ``Authorization`` header passes: a browser adds none to another site's request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            request = Request(scope)
            if "authorization" not in request.headers and not same_origin(request):
                await _answer(request, 403, CROSS_SITE)(scope, receive, send)
                return
        await self.app(scope, receive, send)


CROSS_SITE = N_("This form was sent from another site; send it from this server's own page.")


# -- request bodies ----------------------------------------------------------------------------------------


class BodyLimit:
    """ASGI middleware: a request body of more than ``limit`` bytes is refused with 413, before
    any of it is read when ``Content-Length`` says so, else as soon as the bytes streamed pass it
    (the route reading the body gets the 413 instead), so that no route reads or parses it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "0")
        refused = None
        if not (length.isascii() and length.isdigit()):
            refused = _answer(Request(scope), 400, "the Content-Length header is not a number")
        elif len(length) > 18 or int(length) > self.limit:  # the bound keeps int() cheap
            refused = _answer(Request(scope), 413, self._too_large())
        if refused is not None:
            await refused(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # raised inside the route: its error handlers answer
                    raise HTTPException(413, self._too_large())
            return message

        await self.app(scope, counted, send)

    def _too_large(self) -> str:
        return f"a request body has at most {self.limit} bytes"


class WatchOff:
    """ASGI middleware of a server without a token: the watch routes answer 403 before their
    body is read (FastAPI reads a route's body before its dependencies, which check the token)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(WATCH_PATHS):
            request = Request(scope)
            await _answer(request, 403, watch.NO_TOKEN)(scope, receive, send)
            return
        await self.app(scope, receive, send)


# -- a private deployment ----------------------------------------------------------------------------------


def _install_token(app: FastAPI, token: str) -> None:
    expected = token.encode()

    @app.middleware("http")
    async def check_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path in OPEN_PATHS:
            return await call_next(request)
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth.lower().startswith("bearer ") else request.cookies.get("token", "")
        from_query = request.query_params.get("token", "")
        if hmac.compare_digest(given.encode(), expected):
            return await call_next(request)
        if from_query and hmac.compare_digest(from_query.encode(), expected):
            if request.method in ("GET", "HEAD") and not request.url.path.startswith("/api/"):
                # a page: the same address without the token, out of the browser's history and the log
                # (an API client is answered as it asked: a script that does not follow redirects keeps working)
                response: Response = RedirectResponse(_without_token(request), status_code=303)
            else:
                response = await call_next(request)
            response.set_cookie("token", from_query, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
            return response
        return _answer(request, 401, "this server asks for a token", kind="unauthorized",
                       headers={"WWW-Authenticate": "Bearer"})


def _without_token(request: Request) -> str:
    """The request's path and query string without its ``token`` fields (the others as sent)."""
    raw = bytes(request.scope.get("query_string", b""))
    kept = [part for part, name, _ in query_parts(raw) if name != b"token"]
    query = b"&".join(kept).decode("latin-1")
    # the path as sent, not the decoded one: a number's "%2F" decoded would lead to another page
    raw_path = request.scope.get("raw_path")
    path = (pages.same_site_raw_path(bytes(raw_path).split(b"?", 1)[0]) if raw_path
            else pages.same_site_path(request.scope["path"]))
    return path + (f"?{query}" if query else "")


# -- the OpenAPI document --------------------------------------------------------------------------------


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document with the Problem schema that the error responses name."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = api.Problem.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs", {}))
    components["Problem"] = problem
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
