"""The command line: every command, --db and MARKSEARCH_DB, --json, errors without tracebacks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from marksearch.cli import cli
from marksearch.store import open_store
from tests.conftest import FORMATS

EUIPO = FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_ingest_show_stats_quarantine(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.sqlite")
    code, out, _ = run("ingest", str(EUIPO), "--db", db, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["inserted"] == 17 and summary["read"] == 17

    code, out, _ = run("show", "EM", "018222197", "--db", db, "--json")
    record = json.loads(out)
    assert record["office"] == "EM" and record["application_number"] == "018222197"
    assert record["keys"]

    code, out, _ = run("show", "em", "018222197", "--db", db)
    assert code == 0 and "TERRA S NOVA" in out

    code, out, _ = run("stats", "--db", db, "--json")
    stats = json.loads(out)
    assert stats["total"] == 17 and stats["by_office"] == {"EM": 17}
    assert stats["register"] == db  # as the text form prints it
    assert sum(stats["by_status"].values()) == 17

    code, out, _ = run("stats", "--db", db)
    assert "by Nice class" in out and "EM" in out

    code, out, _ = run("quarantine", "--db", db, "--json")
    assert json.loads(out) == []


def test_show_prints_priorities_seniorities_languages_and_each_owner_apart(tmp_path: Path) -> None:
    db = str(tmp_path / "reg.sqlite")
    files = [EUIPO / "018229318.xml", FORMATS / "st66" / "euipo_bulk_sample" / "018226259.xml",
             FORMATS / "st66" / "uspto_tsdr_sn76044902_ST66.xml"]
    code, _, _ = run("ingest", *map(str, files), "--db", db, "--quiet")
    assert code == 0
    _, out, _ = run("show", "EM", "018229318", "--db", db)
    assert "priority       GB UK00003480419 2020-04-09" in out
    assert "languages      en, fr" in out
    _, out, _ = run("show", "EM", "018226259", "--db", db)
    assert "seniority      FR 3917727 / 3917727 2012-05-03" in out
    _, out, _ = run("show", "US", "76044902", "--db", db)
    owners = [line for line in out.splitlines() if line.startswith("  owner")]
    # the registrant and the owner at publication, at two addresses: no longer two equal lines
    assert len(owners) == 2 and len(set(owners)) == 2
    assert any("ORIGINAL REGISTRANT" in line and "Wolfeboro Falls" in line for line in owners)


def test_kipris_designated_goods_saved_under_their_number_are_shown_with_their_record(tmp_path: Path) -> None:
    kipris = FORMATS / "kipris"
    info = tmp_path / "info.xml"
    info.write_bytes((kipris / "kipris_plus_tradeMarkInfo_4020190000011.xml").read_bytes())
    goods = tmp_path / "4020190000011.xml"
    goods.write_bytes((kipris / "kipris_plus_trademarkDesignationGoodstInfo.xml").read_bytes())
    db = str(tmp_path / "reg.sqlite")
    code, out, _ = run("ingest", str(goods), str(info), "--db", db, "--json")
    summary = json.loads(out)
    assert code == 0 and (summary["read"], summary["inserted"], summary["updated"]) == (2, 1, 1)
    code, out, _ = run("show", "KR", "4020190000011", "--db", db)
    assert code == 0 and "돈퍼" in out
    assert "class 43 ko" in out and "[similar groups G0301, G0502, S120602]" in out


def test_db_from_environment(tmp_path: Path) -> None:
    db = str(tmp_path / "env.sqlite")
    code, _, _ = run("ingest", str(EUIPO / "018222197.xml"), env={"MARKSEARCH_DB": db})
    assert code == 0 and Path(db).exists()
    code, out, _ = run("stats", "--json", env={"MARKSEARCH_DB": db})
    assert json.loads(out)["total"] == 1


def test_ingesting_the_folder_that_holds_the_register_leaves_its_files_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The default register is marksearch.sqlite in the current folder, and a search
    # keeps its index beside it (marksearch.sqlite.index/meta.json): `ingest .` must
    # read the office files there, not the register's own.
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MARKSEARCH_DB", raising=False)
    shutil.copy(EUIPO / "018222197.xml", tmp_path)
    assert run("ingest", ".", "--json")[0] == 0
    code, out, _ = run("search", "TERRA", "--json")
    assert code == 0 and json.loads(out)["total"] >= 1
    assert (tmp_path / "marksearch.sqlite.index" / "meta.json").exists()
    shutil.copy(EUIPO / "018222200.xml", tmp_path)

    code, out, _ = run("ingest", ".", "--json")
    summary = json.loads(out)
    assert code == 0, out
    assert [Path(f["source"]).name for f in summary["by_file"]] == ["018222197.xml", "018222200.xml"]
    assert (summary["read"], summary["inserted"], summary["quarantined"]) == (2, 1, 0)


def test_quarantine_lists_where_and_why(tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"office": "EM", "application_number": "1"}\n{"office": "EM"}\nnot json\n')
    db = str(tmp_path / "q.sqlite")
    code, out, _ = run("ingest", str(feed), "--db", db, "--json")
    assert json.loads(out)["quarantined"] == 2
    code, out, _ = run("quarantine", "--db", db, "--json")
    rows = json.loads(out)
    assert [r["position"] for r in rows] == ["line 2", "line 3"]
    code, out, _ = run("quarantine", "--db", db)
    assert "line 3" in out
    code, _, err = run("show", "EM", "0001", "--db", db)  # stored as "1": the zeros are forgiven in a hint
    assert code == 2 and err.strip().endswith("no record EM 0001 in " + db + "; did you mean EM 1?")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "EM", "999", "--db", "{db}"], "no record EM 999"),
        (["show", "EU", "999", "--db", "{db}"], "'EU' is not a WIPO ST.3 office code (the EUIPO's is EM)"),
        (["search", "★ !!!", "--db", "{db}"], "has no letters or digits to compare"),
        (["ingest", "{tmp}/absent.xml", "--db", "{db}"], "no such file"),
        (["ingest", "{tmp}", "--format", "st99", "--db", "{db}"], "unknown format"),
        (["stats", "--db", "{tmp}/missing/dir/x.sqlite"], "no register at"),
        (["ingest", "{tmp}", "--db", "{tmp}/missing/dir/x.sqlite"], "does not exist"),
        (["stats", "--db", "{notdb}"], "cannot open the register"),
        # a command that only reads does not make a register of a mistyped path: a clearance
        # search of a new empty register would report no conflicting marks
        (["search", "COCA", "--db", "{tmp}/typo.sqlite"], "no register at"),
        (["show", "EM", "1", "--db", "{tmp}/typo.sqlite"], "no register at"),
        (["quarantine", "--db", "{tmp}/typo.sqlite"], "no register at"),
        (["index", "--db", "{tmp}/typo.sqlite"], "no register at"),
        (["rekey", "--db", "{tmp}/typo.sqlite"], "no register at"),
    ],
)
def test_user_mistakes_get_a_message_not_a_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    notdb = tmp_path / "notes.sqlite"
    notdb.write_text("plain text " * 500)
    open_store(str(tmp_path / "r.sqlite")).close()
    filled = [a.format(db=tmp_path / "r.sqlite", tmp=tmp_path, notdb=notdb) for a in args]
    code, _, err = run(*filled)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "typo.sqlite").exists()


def test_bad_file_exits_1_and_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<Transaction><TradeMark>")
    code, _, err = run("ingest", str(bad), "--format", "st66", "--db", str(tmp_path / "r.sqlite"))
    assert code == 1 and str(bad) in err and "Traceback" not in err


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point, as a user starts it."""
    env = {**os.environ, "MARKSEARCH_DB": str(tmp_path / "c.sqlite")}
    open_store(str(tmp_path / "c.sqlite")).close()
    proc = subprocess.run(
        [sys.executable, "-c", "from marksearch.cli import main; main()", "stats", "--json"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 0


def test_every_command_is_documented_in_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"marksearch {name}" in readme, f"README does not document `marksearch {name}`"


def test_demo_loads_real_offices_once(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.sqlite")
    code, out, _ = run("demo", "--db", db, "--json")
    first = json.loads(out)
    assert code == 0 and first["ingest"]["quarantined"] == 0
    assert first["stats"]["total"] > 20_000
    assert {"EM", "US", "KR"} <= set(first["stats"]["by_office"])
    code, out, _ = run("demo", "--db", db, "--json")
    again = json.loads(out)
    assert again["ingest"]["inserted"] == 0 and again["ingest"]["unchanged"] == first["ingest"]["read"]
    code, out, _ = run("show", "KR", "4020200023099", "--db", db)
    assert code == 0 and "KR 4020200023099" in out
    code, out, _ = run("show", "KR", "4020190000011", "--db", db)  # with its KIPRIS designated goods
    assert code == 0 and "돈퍼" in out and "[similar groups G0301, G0502, S120602]" in out


def test_rekey_brings_an_old_register_to_this_versions_keys(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from marksearch.ingest import record_keys
    from marksearch.records import Provenance, Record, VerbalElement
    from marksearch.store import open_store
    from marksearch.text import keys as text_keys
    from marksearch.text import romanise

    def without_names() -> None:  # the keys as marksearch computed them before the CC-CEDICT names
        romanise.romanise_word.cache_clear()
        text_keys._word_keys.cache_clear()

    db = str(tmp_path / "old.sqlite")
    marks = [Record(office="CN", application_number=str(n), verbal_elements=(VerbalElement(text),),
                    nice_classes=(12,), provenance=Provenance("t.jsonl", f"line {n}"))
             for n, text in ((1, "宝马"), (2, "BAOMA"), (3, "KOMA"))]
    with monkeypatch.context() as m:
        m.setattr(romanise, "western_names", lambda word: ())
        m.setattr(text_keys, "western_names", lambda word: ())
        without_names()
        old_keys = [text_keys.mark_keys(r.mark_text).to_dict() for r in marks]
    without_names()
    assert "bmw" not in old_keys[0]["latin"] and old_keys[1:] == [record_keys(r) for r in marks[1:]]
    with open_store(db) as store:
        store.write(marks, old_keys)
        store.set_keys_version(1)  # as a register keyed before key versions were kept says

    def reading(query: str) -> tuple[float, list[str], str]:
        """The cross-script signal and the reasons of the hit 宝马 for ``query``, and what was said."""
        code, out, err = run("search", query, "--status", "all", "--db", db, "--json")
        assert code == 0
        hit = next(h for h in json.loads(out)["hits"] if h["application_number"] == "1")
        return hit["signals"]["cross_script"], hit["reasons"], err

    score, _, said = reading("BMW")
    assert score < 0.6 and "`marksearch rekey` recomputes them" in said
    assert "`marksearch rekey` recomputes them" in run("stats", "--db", db)[2]
    code, out, _ = run("rekey", "--db", db, "--json")
    assert code == 0 and json.loads(out) == {"records": 3, "rekeyed": 1}
    score, reasons, said = reading("BMW")  # the index followed the new keys
    assert score == 1.0 and "transliteration: BMW reads bmw ~ 宝马 reads bmw" in reasons
    assert "rekey" not in said and "rekey" not in run("stats", "--db", db)[2]
    code, out, _ = run("rekey", "--db", db)
    assert code == 0 and out.strip() == "3 records read, 0 given new keys"


def test_control_characters_in_a_mark_do_not_reach_the_terminal(tmp_path: Path) -> None:
    db = str(tmp_path / "r.sqlite")
    line = {"office": "EM", "application_number": "E1", "status": "registered",
            "verbal_elements": [{"text": "EVIL\u001b[2J\u001b[31mMARK\nFAKE LINE\u202e"}]}
    source = tmp_path / "e.jsonl"
    source.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert run("ingest", str(source), "--db", db, "--quiet")[0] == 0
    for args in (["search", "EVIL MARK"], ["show", "EM", "E1"]):
        code, out, _ = run(*args, "--db", db)
        assert code == 0
        assert not any(c in out for c in "\u001b\u202e\r"), out
        assert not any(row.startswith("FAKE LINE") for row in out.splitlines()), out
        assert "\\u001b[2J" in out


def test_an_interrupted_ingest_says_what_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from marksearch import ingest as ingest_mod

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ingest_mod, "ingest", interrupted)
    result = CliRunner().invoke(cli, ["ingest", str(EUIPO), "--db", str(tmp_path / "r.sqlite"), "--quiet"])
    assert result.exit_code == 130
    assert "interrupted; the batches written so far are kept" in result.stderr


def _two_marks(tmp_path: Path) -> str:
    marks = tmp_path / "marks.jsonl"
    marks.write_text("".join(json.dumps({"office": office, "application_number": "009635525", "nice_classes": [32],
                                         "verbal_elements": [{"text": "KOKO"}]}) + "\n" for office in ("EM", "US")))
    db = str(tmp_path / "reg.sqlite")
    assert run("ingest", str(marks), "--quiet", "--db", db)[0] == 0
    return db


@pytest.mark.parametrize("office", ["EM ", " em", "Em"])
def test_an_office_code_with_spaces_or_in_lower_case_filters_as_the_code(tmp_path: Path, office: str) -> None:
    """"EM " passed the office check and then filtered on itself: no record matched, and the search
    said nothing conflicts with KOKA."""
    db = _two_marks(tmp_path)
    code, out, _ = run("search", "KOKA", "--office", office, "--json", "--db", db)
    assert code == 0 and [h["office"] for h in json.loads(out)["hits"]] == ["EM"]
    code, out, err = run("show", office, " 009635525 ", "--db", db)
    assert code == 0 and out.startswith("EM 009635525"), err


def test_a_search_refuses_more_than_50_goods_before_building_the_goods_base(tmp_path: Path) -> None:
    """As the API and the watches do (at most 50 items); the command line ran the search, after
    building the register's goods term base first."""
    db = _two_marks(tmp_path)
    code, _, err = run("search", "KOKA", "--goods", "; ".join(["tea"] * 60), "--db", db)
    assert code == 2 and "at most 50 goods or services, not 60" in err and "building" not in err
    assert not Path(db + ".goods.npz").exists()
    assert run("search", "KOKA", "--goods", "; ".join(["tea"] * 50), "--db", db)[0] == 0


@pytest.mark.parametrize("command", [["ingest", "FILE"], ["demo"], ["stats"], ["search", "KOKA"]])
def test_a_folder_given_as_the_register_is_named_a_folder(tmp_path: Path, command: list[str]) -> None:
    """Commands that may make a register said "unable to open database file: check that the register
    and its folder can be written", sending the user after permissions."""
    folder = tmp_path / "registers"
    folder.mkdir()
    marks = tmp_path / "marks.jsonl"
    marks.write_text(json.dumps({"office": "EM", "application_number": "1", "verbal_elements": [{"text": "KOKO"}]}))
    code, _, err = run(*[str(marks) if part == "FILE" else part for part in command], "--db", str(folder))
    assert code == 2 and f"{folder} is a folder, not a marksearch register" in err and "Traceback" not in err
    assert list(folder.iterdir()) == []
