"""KIPRIS Plus reader: real samples against golden files, titles, goods, error answers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from marksearch.errors import InputError, UsageError
from marksearch.formats import kipris
from marksearch.formats.kipris import READER, STATUSES, verbal_elements, with_goods
from marksearch.records import Entry, Feature, GoodsAddition, Record, Rejection, Status
from tests.conftest import FORMATS, assert_golden

SAMPLES = FORMATS / "kipris"
FIXTURES = Path(__file__).parent / "fixtures" / "kipris"
ERROR_FILE = "kipris_plus_error_invalid_key.xml"
SAMPLE_FILES = sorted(p.name for p in SAMPLES.glob("*.xml") if p.name != ERROR_FILE)


def read(path: Path, reader: kipris.KiprisReader = READER) -> list[Entry]:
    with path.open("rb") as stream:
        return list(reader.read(stream, path.name))


def records(entries: list[Entry]) -> list[Record]:
    assert all(isinstance(e, Record) for e in entries)
    return [e for e in entries if isinstance(e, Record)]


def additions(entries: list[Entry]) -> list[Record]:
    """The goods of designated-goods responses (each a GoodsAddition, never a record)."""
    assert all(isinstance(e, GoodsAddition) for e in entries)
    return [e.goods for e in entries if isinstance(e, GoodsAddition)]


def test_the_samples_are_there() -> None:
    assert len(SAMPLE_FILES) == 6


@pytest.mark.parametrize("name", SAMPLE_FILES)
def test_sample_matches_golden(name: str) -> None:
    assert_golden(read(SAMPLES / name), f"kipris_{Path(name).stem}")


@pytest.mark.parametrize("name", ["synthetic_mixed.xml", "synthetic_goods_two_classes.xml"])
def test_fixture_matches_golden(name: str) -> None:
    reader = READER.for_application("4020230000001")
    assert_golden(read(FIXTURES / name, reader), f"kipris_{Path(name).stem}")


def test_designated_goods_for_a_given_application_match_golden() -> None:
    reader = READER.for_application("4020190000011")
    entries = read(SAMPLES / "kipris_plus_trademarkDesignationGoodstInfo.xml", reader)
    assert_golden(entries, "kipris_designated_goods_for_4020190000011")


@pytest.mark.parametrize("name", [*SAMPLE_FILES, ERROR_FILE])
def test_sniffs_every_sample(name: str) -> None:
    assert READER.sniff((SAMPLES / name).read_bytes()[: 64 * 1024])


@pytest.mark.parametrize(
    "head",
    [b"<trademark-applications-daily/>", b'{"office": "KR"}', b"<response><other/></response>"],
)
def test_does_not_sniff_other_formats(head: bytes) -> None:
    assert not READER.sniff(head)


def test_sample_counts_match_the_office_totals() -> None:
    # TotalSearchCount in each applicant-search file: 15 and 78.
    assert len(records(read(SAMPLES / "kipris_plus_applicantNameSearch_120070120001.xml"))) == 15
    assert len(records(read(SAMPLES / "kipris_plus_applicantNameSearch_120080091393.xml"))) == 78


def test_error_answer_raises_with_code_and_file() -> None:
    with pytest.raises(InputError) as caught:
        read(SAMPLES / ERROR_FILE)
    error = caught.value
    assert error.source == ERROR_FILE and error.line == 3
    assert "30" in error.reason and "service key is not registered" in error.reason
    assert str(error).startswith(ERROR_FILE + ":3:")


def test_error_answer_keeps_the_office_message() -> None:
    xml = (
        "<response><header><resultCode>22</resultCode>"
        "<resultMsg>LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS ERROR.</resultMsg>"
        "</header></response>"
    )
    with pytest.raises(InputError, match="error 22 .*LIMITED NUMBER"):
        list(READER.read(io.BytesIO(xml.encode()), "limit.xml"))


def test_designated_goods_without_application_number_are_rejected() -> None:
    [entry] = read(SAMPLES / "kipris_plus_trademarkDesignationGoodstInfo_golf.xml")
    assert isinstance(entry, Rejection)
    assert "no application number" in entry.reason and "name the file after the application" in entry.reason
    assert "13 goods" in entry.reason


@pytest.mark.parametrize("name", ["4020190000011.xml", "goods_4020190000011.xml", "KR-4020190000011-goods.xml"])
def test_designated_goods_take_the_number_their_file_is_named_after(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes((SAMPLES / "kipris_plus_trademarkDesignationGoodstInfo.xml").read_bytes())
    [goods] = additions(read(path))
    assert goods.key == ("KR", "4020190000011") and goods.nice_classes == (43,)
    assert goods.goods[0].similar_groups == ("G0301", "G0502", "S120602")
    assert goods.provenance is not None and goods.provenance.source == name


@pytest.mark.parametrize("name", ["goods.xml", "4020190000011-4020190000012.xml", "40201900000111.xml",
                                  "goods_1733500000000.xml"])
def test_a_file_name_without_one_application_number_names_none(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes((SAMPLES / "kipris_plus_trademarkDesignationGoodstInfo.xml").read_bytes())
    [entry] = read(path)
    assert isinstance(entry, Rejection) and "no application number" in entry.reason


def test_designated_goods_become_one_entry_per_class_and_language() -> None:
    reader = READER.for_application("4020230000001")
    [record] = additions(read(FIXTURES / "synthetic_goods_two_classes.xml", reader))
    assert record.key == ("KR", "4020230000001")
    assert record.nice_classes == (9, 42)
    assert [(g.nice_class, g.language, g.similar_groups) for g in record.goods] == [
        (9, "ko", ("G390802", "G390803")), (9, "en", ("G390802", "G390803")), (42, "ko", ("S1213",))]
    assert record.goods[0].text == "컴퓨터 소프트웨어"  # the same term twice is kept once


def test_for_application_checks_the_number() -> None:
    with pytest.raises(UsageError):
        READER.for_application("40201900")
    assert READER.for_application(" 4020190000011 ").application_number == "4020190000011"
    assert READER.application_number is None  # the shared reader is unchanged


def test_with_goods_joins_goods_to_the_full_record() -> None:
    [full] = records(read(SAMPLES / "kipris_plus_tradeMarkInfo_4020190000011.xml"))
    reader = READER.for_application("4020190000011")
    [goods] = additions(read(SAMPLES / "kipris_plus_trademarkDesignationGoodstInfo.xml", reader))
    joined = with_goods(full, goods)
    assert joined.mark_text == "돈퍼" and joined.status is Status.REGISTERED
    assert joined.nice_classes == (43,)
    assert joined.goods == goods.goods
    assert joined.goods[0].similar_groups == ("G0301", "G0502", "S120602")
    with pytest.raises(UsageError):
        with_goods(full, Record(office="KR", application_number="4020200023099"))


@pytest.mark.parametrize(("word", "status"), list(STATUSES.items()))
def test_status_words(word: str, status: Status) -> None:
    xml = (f"<response><body><items><TradeMarkInfo><ApplicationNumber>4020230000001</ApplicationNumber>"
           f"<ApplicationStatus>{word}</ApplicationStatus></TradeMarkInfo></items></body></response>")
    [record] = records(list(READER.read(io.BytesIO(xml.encode()), "s.xml")))
    assert (record.status, record.status_text, record.status_code) == (status, word, None)


def test_status_vocabulary_is_complete() -> None:
    assert set(STATUSES) == {"출원", "공고", "등록", "거절", "소멸", "포기", "무효", "취하"}
    ended = {w for w, s in STATUSES.items() if s is Status.ENDED}
    assert ended == {"거절", "소멸", "포기", "무효", "취하"}


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("아치케어", [("아치케어", "Hang")]),
        ("HBT Human Bio Technology", [("HBT Human Bio Technology", "Latn")]),
        ("라잇템 Right tem", [("라잇템", "Hang"), ("Right tem", "Latn")]),
        ("치주보감 덴탈매니저 치주보감 Dental Manager",
         [("치주보감 덴탈매니저 치주보감", "Hang"), ("Dental Manager", "Latn")]),
        ("|주|에이치비티 Human Best Technology",
         [("주 에이치비티", "Hang"), ("Human Best Technology", "Latn")]),
        ("홍쓴TV", [("홍쓴TV", None)]),
        ("S라인밸런스", [("S라인밸런스", None)]),
        ("Humanity 5.0", [("Humanity 5.0", "Latn")]),
        ("2024 Best 한우", [("2024 Best", "Latn"), ("한우", "Hang")]),
        ("ㅅㅌ", [("ㅅㅌ", "Hang")]),
        ("東方 동방", [("東方", "Hani"), ("동방", "Hang")]),
        ("東方동방", [("東方동방", "Kore")]),
        ("2019", [("2019", None)]),
        ("", []),
        (None, []),
    ],
)
def test_title_splits_by_script(title: str | None, expected: list[tuple[str, str | None]]) -> None:
    assert [(v.text, v.script) for v in verbal_elements(title)] == expected


def test_split_title_reads_as_the_title() -> None:
    title = "치주보감 덴탈매니저 치주보감 Dental Manager"
    assert " ".join(v.text for v in verbal_elements(title)) == title


def test_figurative_only_without_title_and_with_vienna_codes() -> None:
    entries = records(read(SAMPLES / "kipris_plus_applicantNameSearch_120080091393.xml"))
    figurative = [r for r in entries if r.feature is Feature.FIGURATIVE]
    assert figurative and all(not r.verbal_elements and r.vienna_codes for r in figurative)
    assert all(r.feature is Feature.UNKNOWN for r in entries if r.verbal_elements)


def test_pipes_give_several_parties_and_classes() -> None:
    entries = records(read(SAMPLES / "kipris_plus_applicantNameSearch_120080091393.xml"))
    by_number = {r.application_number: r for r in entries}
    record = by_number["4020090059590"]
    assert record.nice_classes == (10, 30)
    assert [p.name for p in record.parties_in("owner")] == [
        "동의대학교 산학협력단 Dongeui University IndustryAcademic Cooperation Foundation",
        "주식회사 메가딜 MEGA DEAL CO, LTD",
        "주식회사 엔케이 NK CO,LTD",
    ]
    assert record.vienna_codes == ("03.13.01", "26.11.12", "27.05.08")


def test_missing_application_number_is_rejected_and_reading_goes_on() -> None:
    entries = read(FIXTURES / "synthetic_mixed.xml")
    assert [type(e).__name__ for e in entries] == ["Record", "Rejection", "Record", "Record", "Record"]
    rejection = entries[1]
    assert isinstance(rejection, Rejection) and rejection.position == "line 30"

