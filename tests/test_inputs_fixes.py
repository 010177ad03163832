"""Inputs: a zip's directory is read once however many members it holds; a folder or zip with no
data files, and a tar archive, are that input's error, named, instead of a run that read nothing or
a sniffed "not an XML document"; tab-separated files in a folder are read."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest

from marksearch.ingest import ingest
from marksearch.inputs import expand_paths, leaves
from marksearch.store import open_store
from tests.conftest import FORMATS

EUIPO = FORMATS / "st66" / "euipo_bulk_sample"
ONE = EUIPO / "018222202.xml"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "marksearch", *args], capture_output=True, text=True, timeout=120)


def test_a_zip_directory_is_read_once_for_all_its_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(300):
            z.writestr(f"EUTM/{i:05d}.xml", f"<x n='{i}'/>")
    opened: list[Any] = []
    real = zipfile.ZipFile.__init__

    def counting(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        opened.append(args[0])
        real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    sources = list(expand_paths([archive]))
    read = []
    for source in leaves(sources):
        with source.opener() as stream:
            read.append(stream.read())
    assert read == [f"<x n='{i}'/>".encode() for i in range(300)]
    assert len(opened) == 2  # listed once, then opened once for every member (it was once per member)
    # The last member opened closed the archive; a source read again opens it again.
    with sources[-1].opener() as stream, sources[0].opener() as first:
        assert stream.read() == b"<x n='299'/>" and first.read() == b"<x n='0'/>"


def test_a_zip_of_real_records_ingests_as_the_files_do(tmp_path: Path) -> None:
    files = sorted(EUIPO.glob("*.xml"))[:40]
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in files:
            z.write(path, f"EUTM/{path.name}")
    zipped, plain = open_store(":memory:"), open_store(":memory:")
    a, b = ingest(zipped, [archive]), ingest(plain, files)
    assert not a.errors and not b.errors
    assert a.counts.inserted == b.counts.inserted == sum(1 for _ in plain.iter_records())
    assert sorted(r.record.key for r in zipped.iter_records()) == sorted(r.record.key for r in plain.iter_records())


def test_an_empty_folder_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "README.txt").write_text("not data")
    result = cli("ingest", str(folder), "--db", str(tmp_path / "r.sqlite"))
    assert result.returncode != 0
    assert f"{folder}: the folder holds no data files" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_folder_error_leaves_the_other_inputs_read(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    summary = ingest(open_store(":memory:"), [empty, ONE])
    assert summary.counts.inserted == 1
    assert [str(e.error) for e in summary.errors] == [f"{empty}: the folder holds no data files (files named .xml, "
                                                ".jsonl, .ndjson, .json, .csv, .tsv, .gz, .zip)"]


def test_tab_separated_files_in_a_folder_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "marks.tsv").write_text("office\tapplication_number\tmark_text\nEM\t1\tKOKA\n", encoding="utf-8")
    store = open_store(":memory:")
    summary = ingest(store, [folder])
    assert not summary.errors and summary.counts.inserted == 1
    assert store.get("EM", "1") is not None


@pytest.mark.parametrize("name", ["feed.tar.gz", "feed.tgz", "feed.tar"])
def test_a_tar_archive_is_refused_with_what_to_do(tmp_path: Path, name: str) -> None:
    archive = tmp_path / name
    with tarfile.open(archive, "w:gz" if name.endswith(("gz", "tgz")) else "w") as tar:
        tar.add(ONE, arcname="018222202.xml")
    result = cli("ingest", str(archive), "--db", str(tmp_path / "r.sqlite"))
    assert result.returncode != 0
    assert f"{archive}: a tar archive is not read: unpack it first" in result.stderr
    assert "not an XML document" not in result.stderr and "Traceback" not in result.stderr


def test_a_zip_without_data_files_and_a_tar_inside_a_zip_are_named(tmp_path: Path) -> None:
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as z:
        z.writestr("README.txt", "no data")
    holder = tmp_path / "holder.zip"
    with zipfile.ZipFile(holder, "w") as z:
        z.writestr("inner.tar.gz", b"\x1f\x8b")
        z.write(ONE, "018222202.xml")
    summary = ingest(open_store(":memory:"), [bare, holder])
    assert summary.counts.inserted == 1
    errors = [str(e.error) for e in summary.errors]
    assert errors[0].startswith(f"{bare}: the zip archive holds no data files")
    assert errors[1].startswith(f"{holder}!inner.tar.gz: a tar archive is not read")
