"""Both stores against a tester's round on PostgreSQL: a rejection whose reason quotes a long value, a
record with a long application number, a NUL in a number, a password holding an ``@``, and command-line
arguments that are not UTF-8.  Each answered differently on PostgreSQL, or with a traceback on both."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marksearch.cli import cli
from marksearch.store import open_store
from marksearch.store.pgcluster import PgServer
from marksearch.store.postgres import redact
from tests.test_watch_helpers import shared_register  # noqa: F401 - fixture


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def db(shared_register: str) -> str:  # noqa: F811 - an SQLite file, then a PostgreSQL database
    return shared_register


def ingest(db: str, path: Path, *lines: dict[str, Any]) -> None:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    code, _, err = run("ingest", str(path), "--quiet", "--db", db)
    assert code == 0, err


def mark(number: str, text: str = "GOODMARK") -> dict[str, Any]:
    return {"office": "DE", "application_number": number, "verbal_elements": [{"text": text}]}


def stored(db: str) -> tuple[list[str], list[str]]:
    with open_store(db) as store:
        return sorted(r.record.application_number for r in store.iter_records()), \
            [q.rejection.reason for q in store.quarantined()]


def test_a_rejection_quoting_a_long_value_is_quarantined_and_the_rest_kept(db: str, tmp_path: Path) -> None:
    junk = "".join(random.Random(3).choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3000))
    ingest(db, tmp_path / "unk.jsonl", mark("G1"), {**mark("B1"), junk: 1}, mark("G2"))
    numbers, reasons = stored(db)
    assert numbers == ["G1", "G2"]
    assert len(reasons) == 1 and len(reasons[0]) == 500 and reasons[0].endswith("…")


def test_a_long_application_number_is_quarantined_and_the_rest_kept(db: str, tmp_path: Path) -> None:
    ingest(db, tmp_path / "long.jsonl", mark("OK1"), mark("X" * 6000), mark("OK2"),
           {"office": "DE", "application_number": "Y" * 6000, "delete": True, "as_of": "2024-01-01"})
    numbers, reasons = stored(db)
    assert numbers == ["OK1", "OK2"]
    assert reasons == ["ApplicationNumber is longer than 100 characters (6,000)"] * 2


def test_a_number_holding_a_nul_is_quarantined_and_meets_no_other_number(db: str, tmp_path: Path) -> None:
    ingest(db, tmp_path / "nul.jsonl", mark("N\u0000UL", "NULMARK"), mark("N\ufffdUL", "OTHER"))
    numbers, reasons = stored(db)
    assert numbers == ["N\ufffdUL"] and reasons == ["ApplicationNumber holds a control character"]


def test_a_password_holding_an_at_sign_is_never_shown(pg_server: PgServer) -> None:
    assert redact("postgresql://u:alpha@bravoSecret99@127.0.0.1:5/db") == "postgresql://u:***@127.0.0.1:5/db"
    url = f"postgresql://marksearch:alpha@bravoSecret99@127.0.0.1:{pg_server.port}/postgres"
    code, _, err = run("stats", "--db", url)
    assert code == 2 and "Traceback" not in err
    assert "bravoSecret99" not in err and "alpha" not in err


@pytest.mark.parametrize("args", [["show", "DE", "W\udcff"], ["search", "ZORB", "--owner", "\udcffx"],
                                  ["search", "ZORB\udcff", "--json"], ["search", "ZORB", "--goods", "tea\udcff"]])
def test_arguments_that_are_not_utf8_are_refused_in_one_line(tmp_path: Path, args: list[str]) -> None:
    """Bytes that are not UTF-8 reach Python as lone surrogates: SQLite and psycopg raised on them."""
    db = str(tmp_path / "reg.sqlite")
    ingest(db, tmp_path / "one.jsonl", mark("G1"))
    code, out, err = run(*args, "--db", db)
    assert code == 2 and "not valid Unicode" in err and "Traceback" not in err and out == ""
