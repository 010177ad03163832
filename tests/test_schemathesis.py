"""Schemathesis over the REST API, in process: no 5xx, and every answer as the OpenAPI document says.

The app serves a register of the demo's real office samples (EUIPO, USPTO and
KIPRIS records); schemathesis generates requests from ``/openapi.json``, valid
and invalid, a bounded number per operation so that the run stays well under
a minute.  ``scripts/schemathesis.sh`` runs the same checks, longer, against a
live ``marksearch serve``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marksearch.web.app import create_app
from tests.conftest import SamplesRegister

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def register(samples_register: SamplesRegister) -> Path:
    """The samples ingested and the goods term base grown beside them, as `marksearch serve`
    builds it before serving (a minute; done once a session, this is a copy)."""
    return Path(samples_register.copy("schemathesis"))


@pytest.fixture
def api_schema(register: Path) -> Any:
    """A fresh app per test: the app's lifespan closes its register when a test's client shuts it down."""
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(str(register)))


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_documented(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


# Generated office codes and numbers almost never name a stored record, so the
# record's 200 answer is checked here on real ones: each has a different set of
# optional parts (goods, Vienna codes, priorities, seniorities, parties by name).
RECORDS = [("EM", "018224195"), ("EM", "018226259"), ("EM", "018222214"), ("US", "76044902"),
           ("KR", "4020160104262"), ("KR", "4020210221422")]


@pytest.mark.parametrize(("office", "number"), RECORDS)
def test_a_stored_record_answers_as_documented(api_schema: Any, office: str, number: str) -> None:
    operation = api_schema["/api/v1/marks/{office}/{application_number}"]["GET"]
    case = operation.Case(path_parameters={"office": office, "application_number": number})
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200
    assert (response.json()["office"], response.json()["application_number"]) == (office, number)
