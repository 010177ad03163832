"""``marksearch watch ...``: every command, --db and MARKSEARCH_DB, --json, mistakes without tracebacks."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from marksearch.cli import cli
from marksearch.goods.bases import base_for_store
from marksearch.store import open_store
from tests.test_watch_helpers import batches


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> Any:
    code, out, err = run(*args)
    assert code == 0, err
    return json.loads(out) if "--json" in args else out


def empty_register(path: Path) -> str:
    """A register with no records (``marksearch ingest`` of nothing would make one too)."""
    with open_store(str(path)):
        pass
    return str(path)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register, then batch 2, ingested by the command line (once; each test changes a copy)."""
    folder = tmp_path_factory.mktemp("watch-cli")
    register, batch2, _ = batches(folder)
    path = str(folder / "reg.sqlite")
    ok("ingest", str(register), "--workers", "1", "--quiet", "--db", path)
    ok("ingest", str(batch2), "--workers", "1", "--quiet", "--db", path)
    with open_store(path) as store:  # the goods term base a `watch add --goods` grows (35 s), grown once
        base_for_store(store)
    assert sorted(p.name for p in folder.glob("reg.sqlite*")) == ["reg.sqlite", "reg.sqlite.goods.npz"]
    return Path(path)


@pytest.fixture
def db(ingested: Path, tmp_path: Path) -> str:
    """A copy of the register, with the goods term base kept beside it."""
    for part in ingested.parent.glob("reg.sqlite*"):
        shutil.copy(part, tmp_path / part.name)
    return str(tmp_path / "reg.sqlite")


def test_watch_lists_from_the_command_line(db: str) -> None:
    added = ok("watch", "add", "OLYMEL", "--class", "29", "--portfolio", "acme", "--threshold", "0.8",
               "--json", "--db", db)["watch"]
    assert (added["text"], added["classes"], added["threshold"]) == ("OLYMEL", [29], 0.8)
    goods = ok("watch", "add", "PYTON", "--goods", "phone cases", "--office", "us", "--json", "--db", db)
    assert goods["watch"]["classes"] == [9] and goods["watch"]["offices"] == ["US"]
    assert "watching #" in ok("watch", "add", "HANTTRE", "--db", db)

    listed = ok("watch", "list", "--json", "--db", db)
    assert [w["text"] for w in listed] == ["OLYMEL", "PYTON", "HANTTRE"]
    assert "OLYMEL" in ok("watch", "list", "--db", db)
    assert [w["text"] for w in ok("watch", "list", "--portfolio", "acme", "--json", "--db", db)] == ["OLYMEL"]

    changed = ok("watch", "change", str(added["id"]), "--threshold", "0.75", "--all-classes", "--json", "--db", db)
    assert changed["threshold"] == 0.75 and changed["classes"] == []
    assert ok("watch", "delete", str(goods["watch"]["id"]), "--json", "--db", db)["deleted"]["text"] == "PYTON"

    portfolios = ok("watch", "portfolio", "list", "--json", "--db", db)
    assert {p["name"]: p["watches"] for p in portfolios} == {"acme": 1, "default": 1}
    ok("watch", "portfolio", "add", "empty", "--db", db)
    assert ok("watch", "portfolio", "rename", "empty", "spare", "--json", "--db", db)["name"] == "spare"
    hooked = ok("watch", "portfolio", "webhook", "acme", "http://127.0.0.1:9/in", "--json", "--db", db)
    assert len(hooked["webhook_secret"]) >= 32  # made, and shown this once
    again = ok("watch", "portfolio", "webhook", "acme", "http://127.0.0.1:9/other", "--json", "--db", db)
    assert "webhook_secret" not in again and again["webhook_url"].endswith("/other")  # the secret is kept
    assert ok("watch", "portfolio", "webhook", "acme", "--unset", "--json", "--db", db)["webhook_url"] is None
    assert ok("watch", "portfolio", "delete", "spare", "--json", "--db", db)["deleted"]["name"] == "spare"


def test_run_alerts_seen_and_backfill(db: str, tmp_path: Path) -> None:
    ok("watch", "add", "OLYMEL", "--class", "29", "--db", db)
    assert ok("watch", "run", "--json", "--db", db)["run"]["created"] == 0  # OLIMEL was there before
    assert "no alerts" in ok("watch", "alerts", "--db", db)
    result = ok("watch", "run", "--all", "--json", "--db", db)
    assert result["backfill"]["created"] == 1
    alerts = ok("watch", "alerts", "--new", "--json", "--db", db)
    assert [(a["mark_text"], a["new"]) for a in alerts] == [("OLIMEL", True)]
    assert "OLIMEL" in ok("watch", "alerts", "--db", db)
    assert ok("watch", "seen", str(alerts[0]["id"]), "--json", "--db", db) == {"marked_seen": 1}
    assert ok("watch", "alerts", "--new", "--json", "--db", db) == []
    assert ok("watch", "seen", "--all", "--json", "--db", db) == {"marked_seen": 0}

    added = ok("watch", "add", "PYTON", "--backfill", "--json", "--db", db)
    assert added["backfill"]["created"] == 1
    assert "2 new alerts" in ok("watch", "add", "HANTTRE", "--backfill", "--db", db)  # 한뜨레 and Hanttre


def test_the_register_comes_from_the_environment(db: str) -> None:
    code, out, _ = run("watch", "add", "KOKA", "--json", env={"MARKSEARCH_DB": db})
    assert code == 0
    code, out, _ = run("watch", "list", "--json", env={"MARKSEARCH_DB": db})
    assert [w["text"] for w in json.loads(out)] == ["KOKA"]


def test_report_formats_are_written(db: str, tmp_path: Path) -> None:
    ok("watch", "add", "OLYMEL", "--class", "29", "--backfill", "--db", db)
    for fmt, magic in (("csv", b"\xef\xbb\xbfPortfolio,"), ("json", b"{"), ("html", b"<!doctype html>"),
                       ("pdf", b"%PDF-")):
        target = tmp_path / f"watch.{fmt}"
        code, _, err = run("watch", "report", "--format", fmt, "--output", str(target), "--db", db)
        assert code == 0 and "1 alerts" in err
        assert target.read_bytes().startswith(magic), fmt
    code, out, _ = run("watch", "report", "--format", "json", "--output", "-", "--new", "--db", db)
    assert json.loads(out)["new_only"] is True


def test_a_report_is_never_written_over_the_register(db: str) -> None:
    ok("watch", "add", "OLYMEL", "--class", "29", "--backfill", "--db", db)
    before = Path(db).read_bytes()
    code, _, err = run("watch", "report", "--format", "csv", "--output", db, "--db", db)
    assert code == 2 and "one of the register's own files" in err
    assert Path(db).read_bytes() == before
    code, _, _ = run("watch", "report", "--format", "csv", "--output", db + "-wal", "--db", db)
    assert code == 2


@pytest.mark.parametrize(("args", "message"), [
    (["watch", "add", "KOKA", "--threshold", "2"], "threshold"),
    (["watch", "add", "KOKA", "--office", "EUR"], "two-letter"),
    (["watch", "add", "KOKA", "--office", "eu"], "the EUIPO's is EM"),
    (["watch", "add", " "], "text is empty"),
    (["watch", "add", "®"], "no letters or digits"),
    (["watch", "add", "KOKA", "--goods", "zzqx"], "no Nice class"),
    (["watch", "add", "KOKA", "--goods", "coffee " * 300], "longer than 2000"),  # as the API refuses
    (["watch", "add", "KOKA", "--goods", "; ".join(["tea"] * 51)], "at most 50 goods"),
    (["watch", "change", "1", "--goods", "coffee " * 300], "longer than 2000"),
    (["watch", "list", "--portfolio", "nope"], "no portfolio 'nope'"),
    (["watch", "change", "99", "--text", "X"], "no watched mark 99"),
    (["watch", "change", "1", "--class", "3", "--all-classes"], "either --class or --all-classes"),
    (["watch", "delete", "99"], "no watched mark 99"),
    (["watch", "alerts", "--limit", "99999999999999999999"], "--limit is at most"),  # was an OverflowError
    (["watch", "seen"], "give alert ids, or --all"),
    (["watch", "seen", "12345"], "no alert 12345"),
    (["watch", "portfolio", "delete", "nope"], "no portfolio"),
    (["watch", "portfolio", "webhook", "default"], "give the webhook URL, or --unset"),
    (["watch", "portfolio", "webhook", "default", "ftp://x"], "http:// or https://"),
    (["watch", "portfolio", "webhook", "default", "https://x.example", "--secret", "short"], "16 characters"),
    (["watch", "report", "--format", "pdf", "--output", "{tmp}/no/such/dir/r.pdf"], "does not exist"),
    (["watch", "alerts", "--db", "{tmp}/missing/dir/x.sqlite"], "no register at"),
    (["watch", "list", "--db", "{notdb}"], "cannot open the register"),
])
def test_user_mistakes_get_a_message_not_a_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    notdb = tmp_path / "notes.sqlite"
    notdb.write_text("plain text " * 500)
    db = empty_register(tmp_path / "r.sqlite")
    ok("watch", "add", "KOKA", "--db", db)
    filled = [a.format(tmp=tmp_path, notdb=notdb) for a in args]
    code, _, err = run(*filled, *([] if "--db" in filled else ["--db", db]))
    assert code == 2, err
    assert message in err and "Traceback" not in err


def test_an_ingest_without_watch_tables_makes_none(tmp_path: Path) -> None:
    register, _, _ = batches(tmp_path)
    db = str(tmp_path / "plain.sqlite")
    summary = ok("ingest", str(register), "--workers", "1", "--json", "--db", db)
    assert "watch" not in summary
    import sqlite3

    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not any(t.startswith("watch_") for t in tables)


def test_every_watch_command_is_documented() -> None:
    from marksearch.watch.cli import portfolio_command, watch_command

    docs = (Path(__file__).resolve().parents[1] / "docs" / "watch.md").read_text()
    for name in watch_command.commands:
        assert f"marksearch watch {name}" in docs, name
    for name in portfolio_command.commands:
        assert f"marksearch watch portfolio {name}" in docs, name


def test_goods_are_read_in_the_registers_languages_and_unknown_items_give_no_class(db: str) -> None:
    # The register's EUIPO records give its goods in French too; the shipped base has none.
    made = ok("watch", "add", "ACHICARE", "--goods", "vêtements; chaussures", "--json", "--db", db)
    assert made["watch"]["classes"] == [25]
    coffee = ok("watch", "add", "ACHICARE", "--goods", "coffee; xyzzy", "--json", "--db", db)
    assert coffee["watch"]["classes"] == [30]
    code, _, err = run("watch", "add", "FOOBARX", "--goods", "xyzzy", "--db", db)
    assert code == 2 and "no Nice class" in err


@pytest.mark.parametrize("args", [
    ["watch", "alerts"], ["watch", "add", "KOKA"], ["watch", "list"], ["watch", "run"],
    ["watch", "report", "--format", "json", "--output", "-"], ["watch", "portfolio", "list"],
    ["watch", "deliver"], ["watch", "seen", "--all"],
])
def test_a_mistyped_register_is_refused_never_made(tmp_path: Path, args: list[str]) -> None:
    """As search and show: a --db (or MARKSEARCH_DB) naming no register is refused, so a typo never
    reads as an empty watch list, nor leaves a new empty register behind."""
    typo = tmp_path / "typo.sqlite"
    code, _, err = run(*args, "--db", str(typo))
    assert code == 2 and f"no register at {typo}" in err and "Traceback" not in err
    code, _, err = run(*args, env={"MARKSEARCH_DB": str(typo)})
    assert code == 2 and "no register at" in err
    assert list(tmp_path.iterdir()) == []


def test_an_ingest_can_leave_the_webhooks_to_watch_deliver(db: str, tmp_path: Path) -> None:
    """``ingest --no-deliver`` runs the watches and sends nothing (a receiver that never answers
    would hold every ingest up): the deliveries wait, untried, for ``watch deliver``."""
    from marksearch.watch import WatchStore

    _, _, batch3 = batches(tmp_path)
    ok("watch", "add", "SHOEPLACE", "--class", "25", "--portfolio", "shoes", "--db", db)
    ok("watch", "portfolio", "webhook", "shoes", "http://127.0.0.1:9/in", "--db", db)
    summary = ok("ingest", str(batch3), "--workers", "1", "--quiet", "--no-deliver", "--json", "--db", db)
    assert summary["watch"]["run"]["created"] >= 1 and "delivery" not in summary["watch"]
    with open_store(db) as store:
        waiting = WatchStore(store).deliveries()
    assert len(waiting) == summary["watch"]["run"]["created"] and all(d.attempts == 0 for d in waiting)


def test_a_threshold_is_listed_as_given(db: str) -> None:
    """Rounded to 2 places, a threshold of 0.794 (typed from a score shown 0.794) was listed as 0.79."""
    ok("watch", "add", "KOKA", "--threshold", "0.794", "--db", db)
    ok("watch", "add", "OLYMEL", "--threshold", "0.7937", "--db", db)
    listed = ok("watch", "list", "--db", db)
    assert "threshold 0.794\n" in listed and "threshold 0.7937\n" in listed


def test_a_pair_shows_one_score_everywhere_and_a_threshold_typed_from_it_catches_it(tmp_path: Path) -> None:
    """KOKA ~ KOKO scores 0.69048: a search showed 0.690, the watch alert (stored to 4 places, 0.6905)
    0.691, and a threshold typed from the alert, 0.691, missed the filing.  Three places are now the
    4 places rounded half up wherever the score is shown."""
    marks = tmp_path / "marks.jsonl"
    marks.write_text("".join(json.dumps({"office": "EM", "application_number": str(n), "nice_classes": [32],
                                         "verbal_elements": [{"text": text}]}) + "\n"
                             for n, text in enumerate(("KOKO", "ROKA", "PEPSI"), 1)))
    db = str(tmp_path / "reg.sqlite")
    ok("ingest", str(marks), "--quiet", "--db", db)
    listed = ok("search", "KOKA", "--db", db)
    searched = {number: score for score, number in re.findall(r"\d+\. +(\S+) +EM (\d+)", listed)}
    assert searched["1"] == "0.691"  # EM 1 KOKO
    ok("watch", "add", "KOKA", "--threshold", "0.6", "--backfill", "--db", db)
    alerts = ok("watch", "alerts", "--json", "--db", db)
    assert {a["mark_text"]: a["score"] for a in alerts}["KOKO"] == 0.6905
    alerted = ok("watch", "alerts", "--db", db)
    shown = {number: score for score, number in re.findall(r"#\d+ +(\S+) +EM (\d+)", alerted)}
    assert shown["1"] == searched["1"] and shown["2"] == searched["2"]  # ROKA too
    html = ok("watch", "report", "--format", "html", "--output", "-", "--db", db)
    assert f'<td class="score">{searched["1"]}</td>' in html
    for number, score in (("1", searched["1"]), ("2", searched["2"])):  # a threshold typed from a shown score
        added = ok("watch", "add", "KOKA", "--portfolio", f"p{number}", "--threshold", score, "--backfill",
                   "--json", "--db", db)
        assert added["backfill"]["created"] >= 1
        caught = ok("watch", "alerts", "--portfolio", f"p{number}", "--json", "--db", db)
        assert number in {a["application_number"] for a in caught}
