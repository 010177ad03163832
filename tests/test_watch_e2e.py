"""The issue's end-to-end test, through the command line, on SQLite and PostgreSQL.

Ingest a register, add watches, ingest a new batch: alerts appear once (re-ingesting adds none)
and a local receiver gets them with valid signatures; with the receiver down, then up again,
every alert still arrives exactly once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from marksearch.cli import cli
from tests.test_watch_helpers import (  # noqa: F401 - fixtures
    SECRET,
    WATCHED,
    Receiver,
    batches,
    expected_signature,
    receiver,
    shared_register,
)


def run(*args: str) -> tuple[int, Any, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    out = result.stdout
    try:
        data = json.loads(out) if out.strip().startswith(("{", "[")) else out
    except json.JSONDecodeError:
        data = out
    assert "Traceback" not in result.stderr
    return result.exit_code, data, result.stderr


def test_watch_end_to_end(shared_register: str, receiver: Receiver, tmp_path: Path) -> None:  # noqa: F811
    db = ("--db", shared_register)
    register_file, batch2, batch3 = batches(tmp_path)
    assert run("ingest", str(register_file), "--workers", "1", "--quiet", *db)[0] == 0

    for portfolio, text, classes in WATCHED:
        code, added, _ = run("watch", "add", text, "--portfolio", portfolio,
                             *(f"--class={c}" for c in classes), "--json", *db)
        assert code == 0 and added["watch"]["text"] == text
    for portfolio in ("acme", "shoes"):
        code, hooked, _ = run("watch", "portfolio", "webhook", portfolio, receiver.url, "--secret", SECRET,
                              "--json", *db)
        assert code == 0 and hooked["webhook_secret_set"] and "webhook_secret" not in hooked

    # a new batch: its filings are matched by the ingest itself, and the webhooks sent
    code, ingested, _ = run("ingest", str(batch2), "--workers", "1", "--json", *db)
    assert code == 0 and ingested["inserted"] == 50
    made = ingested["watch"]["run"]["created"]
    assert made >= 3 and ingested["watch"]["delivery"]["delivered"] == made
    code, alerts, _ = run("watch", "alerts", "--new", "--json", *db)
    assert len(alerts) == made
    assert {(a["watch_text"], a["mark_text"]) for a in alerts} >= {("OLYMEL", "OLIMEL"), ("PYTON", "PYTHON"),
                                                                  ("HANTTRE", "한뜨레")}
    assert len(receiver.delivery_ids()) == made

    # the same batch again: no alert, no delivery
    code, again, _ = run("ingest", str(batch2), "--workers", "1", "--json", *db)
    assert again["unchanged"] == 50 and again["watch"]["run"]["created"] == 0
    assert run("watch", "run", "--json", *db)[1]["run"]["created"] == 0
    assert len(run("watch", "alerts", "--json", *db)[1]) == made and len(receiver.posts) == made

    # the receiver goes down; the next batch's alerts wait in the outbox
    receiver.stop()
    code, third, _ = run("ingest", str(batch3), "--workers", "1", "--json", *db)
    more = third["watch"]["run"]["created"]
    assert code == 0 and more >= 1 and third["watch"]["delivery"]["delivered"] == 0
    assert third["watch"]["delivery"]["pending"] == more
    # one tried, refused; the host's others left due, untried, so a host that is down costs one try a run
    assert third["watch"]["delivery"]["attempted"] == 1 and third["watch"]["delivery"]["deferred"] == more - 1
    code, waiting, _ = run("watch", "deliver", "--json", *db)  # the first waits for its backoff
    assert waiting["attempted"] == min(1, more - 1) and waiting["delivered"] == 0
    assert len(waiting["waiting"]) == more

    # up again on the same port: everything arrives, once
    receiver.start()
    code, sent, _ = run("watch", "deliver", "--retry-now", "--json", *db)
    assert code == 0 and sent["delivered"] == more and sent["pending"] == 0
    assert run("watch", "deliver", "--retry-now", "--json", *db)[1]["attempted"] == 0

    everything = run("watch", "alerts", "--json", *db)[1]
    ids = receiver.delivery_ids()
    assert len(ids) == len(set(ids)) == len(everything) == made + more
    assert all(p["valid"] for p in receiver.posts)
    for post in receiver.delivered():
        headers = post["headers"]
        assert headers["X-Marksearch-Signature"] == expected_signature(SECRET, headers["X-Marksearch-Timestamp"],
                                                                       post["body"])
    assert {json.loads(p["body"])["alert"]["id"] for p in receiver.delivered()} == {a["id"] for a in everything}
    shoes = {a["mark_text"] for a in everything if a["watch_text"] == "SHOEPLACE"}
    assert {"SHOE PLACE", "슈플레이스"} <= shoes
