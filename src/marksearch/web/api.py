"""The REST API, ``/api/v1``: search, facets, records, goods, vocabularies, exports; problem+json errors.

Parameters are declared with their bounds so that the OpenAPI document says
what is accepted (FastAPI answers a value outside them with 422); what the
declaration cannot say (an office code outside WIPO ST.3, ``filed_to`` before
``filed_from``) the service checks and answers with 400.  Every error is an
RFC 9457 problem: ``type``, ``title``, ``status``, ``detail`` and, for a bad
parameter, ``param`` and ``invalid-params``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from marksearch.records import Feature
from marksearch.search import MAX_GOODS, MAX_QUERY
from marksearch.web.exports import EXPORTS, filename
from marksearch.web.service import MAX_GOODS_ITEMS, MAX_PER_PAGE, MAX_VALUES, SearchParams, Service

__all__ = ["PROBLEM", "Problem", "problem", "router"]

PROBLEM = "application/problem+json"


# -- problems ---------------------------------------------------------------------------------------


class InvalidParam(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    """An RFC 9457 problem detail."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(description="A URI reference naming the kind of problem; about:blank for plain HTTP errors.")
    title: str
    status: int
    detail: str
    param: str | None = Field(default=None, description="The parameter at fault, when one is.")
    invalid_params: list[InvalidParam] | None = Field(default=None, alias="invalid-params")


def problem(status: int, title: str, detail: str, *, kind: str | None = None, param: str | None = None,
            reason: str | None = None, also: Sequence[str] = (),
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem+json response; ``kind`` names a ``/problems/<kind>`` page, else ``about:blank``;
    ``param`` (and ``also``, others at fault with it) in ``invalid-params``."""
    body: dict[str, Any] = {"type": f"/problems/{kind}" if kind else "about:blank", "title": title,
                            "status": status, "detail": detail}
    if param is not None:
        body["param"] = param
        body["invalid-params"] = [{"name": name, "reason": reason or detail} for name in (param, *also)]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {400: "A parameter is not acceptable.", 401: "A token is required.",
                 404: "No such record, or no such export format.", 422: "A parameter is outside its declared bounds."}
    return {code: {"description": described[code],
                   "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
            for code in codes}


# -- responses ---------------------------------------------------------------------------------------


class QueryEcho(BaseModel):
    q: str
    offices: list[str]
    classes: list[int]
    statuses: list[str]
    features: list[str]
    filed_from: dt.date | None
    filed_to: dt.date | None
    owner: str | None
    goods: str | None
    page: int
    per_page: int


class GoodsPairOut(BaseModel):
    a: str = Field(description="An item of the description searched with")
    b: str = Field(description="A term of the hit's goods")
    class_a: int | None
    class_b: int | None
    kind: str = Field(description="same-term, same-group, same-class, related-classes or similar-wording")
    score: float
    reason: str


class GoodsOverlapOut(BaseModel):
    score: float = Field(description="The closest pair's score, 0 to 1")
    pairs: list[GoodsPairOut] = Field(description="For each overlapping term of the hit, its closest item")


class HitOut(BaseModel):
    rank: int = Field(description="1-based, over the whole ranking")
    record_id: int
    office: str
    office_name: str
    application_number: str
    registration_number: str | None
    mark_text: str
    status: str
    status_code: str | None
    status_text: str | None = Field(description="The office's own status text")
    feature: str
    kind: str
    nice_classes: list[int]
    owners: list[str]
    filing_date: dt.date | None
    registration_date: dt.date | None
    expiry_date: dt.date | None
    image: str | None = Field(description="The image reference as the office gives it: a URL or a file name")
    score: float = Field(ge=0, le=1)
    signals: dict[str, float] = Field(description="spelling, sound, cross_script, containment, goods: 0 to 1")
    reasons: list[str]
    url: str = Field(description="The record page")
    goods_overlap: GoodsOverlapOut | None = Field(
        description="Which of the hit's goods meet the goods description searched with (none without one)")


class Currency(BaseModel):
    office: str
    office_name: str
    records: int
    latest_ingest: str | None
    latest_date: dt.date | None


class SearchOut(BaseModel):
    query: QueryEcho
    total: int = Field(description="Marks that pass the filters; every one of them is ranked")
    page: int
    per_page: int
    pages: int
    hits: list[HitOut]
    currency: list[Currency]
    generated_at: str


class FacetsOut(BaseModel):
    query: QueryEcho
    total: int
    office: dict[str, int]
    nice_class: dict[str, int]
    status: dict[str, int]
    feature: dict[str, int]
    filing_year: dict[str, int] = Field(description="By year of filing, newest first; 'unknown' for no date")


class RecordOut(BaseModel):
    """Every field of the normalised record (docs/record-format.md), and what the app adds."""

    model_config = ConfigDict(extra="allow")

    office: str
    application_number: str
    record_id: int
    url: str
    similar_url: str | None = Field(description="The search page for marks that resemble this one, in its "
                                                "Nice classes; null when its text cannot be searched")
    mark_text: str
    office_name: str
    nice: list[dict[str, Any]]
    vienna: list[dict[str, Any]]
    history: list[dict[str, Any]]


class GoodsQueryEcho(BaseModel):
    q: str


class ItemClassOut(BaseModel):
    nice_class: int
    weight: float = Field(description="Relative to the item's best class (1.0)")
    name: str = Field(description="A few words for the class")
    kind: str | None = Field(description="good or service")
    heading: str | None = Field(description="The Nice class heading (NCL, English)")


class TermOut(BaseModel):
    text: str
    language: str
    nice_class: int
    term_id: str | None = Field(description="The WIPO NCL basic number (or another office's id) of the term")
    groups: list[str] = Field(description="Similar groups: CNIPA (digits) and KIPO (G...)")
    gloss: str | None = Field(description="The term in English, where the source gives it")
    sources: list[str]
    count: int
    score: float = Field(description="Cosine similarity with the item, 0 to 1")


class CategoryOut(BaseModel):
    name: str = Field(description="The WordNet category of the item's head noun that voted (\"brandy\")")
    terms: int = Field(description="How many terms of the term base fall in that category")
    weight: float = Field(description="The weight its vote had: 1 when no term is near, 0 once one is")


class ReadAsOut(BaseModel):
    goods_class: int = Field(description="The goods class most of the item's other words' terms are in (10)")
    service_class: int = Field(description="The service class such goods are read as (44)")


class GenericHeadOut(BaseModel):
    word: str = Field(description="The item's head, which heads terms in many classes (\"services\")")
    terms: int = Field(description="How many terms of the term base it heads")
    classes: int = Field(description="In how many classes")
    words: list[str] = Field(description="The item's other words, which chose its classes (\"dental\")")
    read_as: ReadAsOut | None = Field(description="When those words' terms are mostly goods: their class and the "
                                                  "service class it is read as")


class GoodsItemOut(BaseModel):
    text: str
    confidence: float = Field(description="How far the item's classes can be trusted, 0 to 1")
    best_class: int | None
    classes: list[ItemClassOut]
    terms: list[TermOut] = Field(description="The nearest terms of the term base, best first")
    category: CategoryOut | None = Field(
        default=None, description="What kind of thing the item names, when that voted for its classes")
    head: GenericHeadOut | None = Field(
        default=None, description="A head that tells the kind and not the class (\"services\"): the item's other "
                                  "words chose its classes")


class ClassSuggestionOut(BaseModel):
    nice_class: int
    name: str
    score: float = Field(description="The class's mean weight over the items, times their confidence")
    items: list[str] = Field(description="The items for which this class is the best")
    kind: str | None
    heading: str | None


class TermBaseOut(BaseModel):
    terms: int
    languages: list[str]


class GoodsOut(BaseModel):
    query: GoodsQueryEcho
    classes: list[ClassSuggestionOut] = Field(description="Nice classes for the whole list, best first")
    groups: list[str]
    items: list[GoodsItemOut]
    term_base: TermBaseOut


class VocabulariesOut(BaseModel):
    offices: list[dict[str, Any]]
    statuses: list[dict[str, Any]]
    status_filters: list[str]
    features: list[str]
    kinds: list[str]
    nice_classes: list[dict[str, Any]]


# -- parameters --------------------------------------------------------------------------------------



class StatusWord(enum.StrEnum):
    """What ``status`` accepts: the live statuses (the default), all of them, or one status."""

    LIVE = "live"
    ALL = "all"
    PENDING = "pending"
    REGISTERED = "registered"
    ENDED = "ended"
    UNKNOWN = "unknown"


GOODS_DESCRIPTION = (f"Goods and services in words, any language ('coffee; tea', one per line or separated by ';', "
                     f"at most {MAX_GOODS_ITEMS}): feeds the goods signal, filters nothing")
OfficeCode = Annotated[str, Field(pattern=r"^[A-Za-z]{2}$")]
NiceClassNumber = Annotated[int, Field(ge=1, le=45)]


FILTERS = ("office", "cls", "status", "feature", "filed_from", "filed_to", "owner", "goods")


def _parsed(request: Request, names: tuple[str, ...]) -> SearchParams:
    """The query's parameters ``names``, read by :meth:`SearchParams.parse` as the pages read them.

    The parameters declared beside it state the bounds in the OpenAPI document, and FastAPI
    answers a value outside them with 422; but pydantic's lax reading also takes ``+5``, ``5.0``,
    ``1_0``, `` 5 `` and ``1609459200`` (a Unix time, as a date), which the pages refuse: what
    reaches the service is what ``parse`` reads, else 400 naming the parameter.
    """
    return SearchParams.parse((k, v) for k, v in request.query_params.multi_items() if k in names)


def filters(
    request: Request,
    office: Annotated[list[OfficeCode] | None, Query(max_length=MAX_VALUES,
                                                     description="WIPO ST.3 office code (repeatable)")] = None,
    cls: Annotated[list[NiceClassNumber] | None, Query(max_length=MAX_VALUES,
                                                       description="Nice class (repeatable)")] = None,
    status: Annotated[list[StatusWord] | None, Query(max_length=MAX_VALUES,
                                                     description="live (default), all, or statuses")] = None,
    feature: Annotated[list[Feature] | None, Query(max_length=MAX_VALUES, description="Mark feature")] = None,
    filed_from: Annotated[dt.date | None, Query(description="YYYY-MM-DD")] = None,
    filed_to: Annotated[dt.date | None, Query(description="YYYY-MM-DD")] = None,
    owner: Annotated[str | None, Query(max_length=MAX_QUERY, description="Applicant or owner name contains")] = None,
    goods: Annotated[str | None, Query(max_length=MAX_GOODS, description=GOODS_DESCRIPTION)] = None,
) -> SearchParams:
    return _parsed(request, FILTERS)  # the declared values are checked, the query's read (see _parsed)


def search_params(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY, description="The mark, in any script")],
    base: Annotated[SearchParams, Depends(filters)],
    page: Annotated[int, Query(ge=1, description="No upper bound: a page past the end is empty")] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> SearchParams:
    own = _parsed(request, ("q", "page", "per_page"))
    params = dataclasses.replace(base, q=own.q, page=own.page, per_page=own.per_page)
    params.validate()
    return params


def facet_params(
    request: Request,
    base: Annotated[SearchParams, Depends(filters)],
    q: Annotated[str | None, Query(max_length=MAX_QUERY, description="Echoed; facets count every mark "
                                   "that passes the filters, as the search ranks them all")] = None,
) -> SearchParams:
    return dataclasses.replace(base, q=_parsed(request, ("q",)).q)


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


Served = Annotated[Service, Depends(service)]

# -- routes ------------------------------------------------------------------------------------------

router = APIRouter(prefix="/api/v1", tags=["api"])


@router.get("/search", response_model=SearchOut, responses=_problems(400, 422),
            summary="Marks that resemble q, ranked and explained")
def search(params: Annotated[SearchParams, Depends(search_params)], svc: Served) -> dict[str, Any]:
    return svc.search(params)


@router.get("/facets", response_model=FacetsOut, responses=_problems(400, 422),
            summary="Counts of the marks that pass the filters")
def facets(params: Annotated[SearchParams, Depends(facet_params)], svc: Served) -> dict[str, Any]:
    return svc.facets(params)


@router.get("/marks/{office}/{application_number:path}", response_model=RecordOut, responses=_problems(404, 422),
            summary="One record, every field")
def mark(office: Annotated[str, Path(max_length=20)], application_number: Annotated[str, Path(max_length=100)],
         svc: Served) -> dict[str, Any]:
    """The application number may hold a ``/`` (``12/345,678``, sent as ``12%2F345%2C678``)."""
    return svc.record(office, application_number)


@router.get("/goods", response_model=GoodsOut, responses=_problems(400, 422),
            summary="Nice classes for a goods description, and each item's nearest terms")
def goods(q: Annotated[str, Query(min_length=1, max_length=MAX_GOODS, description=(
              f"Goods and services in any language, one per line or separated by ';' (at most {MAX_GOODS_ITEMS})"))],
          svc: Served) -> dict[str, Any]:
    return svc.goods(q)


@router.get("/vocabularies", response_model=VocabulariesOut, summary="Offices, statuses, features, Nice classes")
def vocabularies(svc: Served) -> dict[str, Any]:
    return svc.vocabularies()


_EXPORT_CONTENT = {media.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                   for media, _ in EXPORTS.values()}


def export_format(fmt: Annotated[str, Path(description="csv, xlsx or pdf",
                                            json_schema_extra={"enum": list(EXPORTS)})]) -> str:
    """The export's format, or 404 (as the page route answers), before the search's parameters are read."""
    if fmt not in EXPORTS:
        raise HTTPException(404, unknown_format(fmt))
    return fmt


def unknown_format(fmt: str) -> str:
    return f"no export format {fmt[:20]!r}; use {', '.join(EXPORTS)}"


@router.get("/search/export.{fmt}", response_class=Response, responses={
    200: {"description": "The file, as an attachment", "content": _EXPORT_CONTENT}, **_problems(400, 404, 422)},
    summary="The search page as CSV, XLSX or a PDF report")
def export(fmt: Annotated[str, Depends(export_format)], params: Annotated[SearchParams, Depends(search_params)],
           svc: Served) -> Response:
    return export_response(svc.search(params), fmt)


def export_response(result: dict[str, Any], fmt: str) -> Response:
    """A download of ``result`` in ``fmt`` (shared by the page route)."""
    media, write = EXPORTS[fmt]
    name = filename(result, fmt)
    return Response(write(result), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
