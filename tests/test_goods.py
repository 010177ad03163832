"""The goods term base and class suggestion, on real terms in several languages.

Sources: the shipped base (WIPO NCL 12-2024 English, CNIPA NCL 12-2025
Chinese, KIPO Korean samples), the real EUIPO sample records
(``shared/data/formats/st66``, read with the ST.66 reader: goods in 23
languages) and the KIPRIS Plus designated-goods responses.
"""

from __future__ import annotations

import doctest
import importlib
import io
import json
import pkgutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import marksearch.goods
from marksearch.formats import get_reader, kipris
from marksearch.goods import TermBase, analyse, bases, default_base
from marksearch.goods.analysis import GoodsModel
from marksearch.goods.base import FORMAT
from marksearch.goods.bases import base_for_store, cache_path, shipped_path
from marksearch.goods.cli import goods_command
from marksearch.goods.index import TermIndex, feature_hash
from marksearch.goods.sources import SourceTerm, record_terms, reference_terms, shipped_record_terms
from marksearch.goods.tokens import features, split_terms, term_key
from marksearch.records import ClassGoods, GoodsAddition, Record
from marksearch.store import open_store

from .conftest import FORMATS, SHARED

EUIPO = [FORMATS / "st66" / "euipo_bulk_sample", FORMATS / "st66" / "euipo_open_data_EM-TM-V3-4"]
KIPRIS = FORMATS / "kipris"


def read_euipo() -> list[Record]:
    reader = get_reader("st66")
    found: dict[str, Record] = {}
    for folder in EUIPO:
        for path in sorted(folder.glob("*.xml")):
            with open(path, "rb") as f:
                for entry in reader.read(f, str(path)):
                    if isinstance(entry, Record) and entry.goods:
                        found[entry.application_number] = entry
    return [found[k] for k in sorted(found)]


@pytest.fixture(scope="module")
def euipo() -> list[Record]:
    return read_euipo()


@pytest.fixture(scope="module")
def grown(euipo: list[Record]) -> TermBase:
    """The shipped base grown with every sixth EUIPO record (the others stay unseen)."""
    shipped = default_base()
    extension = TermBase.build((t for r in euipo[::6] for t in record_terms(r.goods)), known=shipped)
    return shipped.merge(extension)


def unseen(euipo: list[Record]) -> list[Record]:
    return [r for i, r in enumerate(euipo) if i % 6 == 3][:30]


# -- terms and features ------------------------------------------------------------------


def test_split_terms_follows_each_office_separator() -> None:
    assert split_terms("Coffee; tea;\n pastries.") == ["Coffee", "tea", "pastries"]
    assert split_terms("Χαρτί· Χαρτί σχεδίου") == ["Χαρτί", "Χαρτί σχεδίου"]  # Greek ano teleia
    assert split_terms("咖啡，茶、糕点；巧克力") == ["咖啡", "茶", "糕点", "巧克力"]
    assert split_terms("coffee machines, electric") == ["coffee machines, electric"]  # a comma inside an English term


def test_term_key_folds_case_width_diacritics_and_the_ncl_asterisk() -> None:
    assert term_key("Café-Crème*") == term_key("CAFE CREME") == "cafe creme"
    assert term_key("ＣＯＦＦＥＥ") == "coffee"
    assert term_key("중국음식점업") == "중국음식점업"  # Hangul is not decomposed
    for text in ("Schuhwaren für Golfer", "chaussures de ski", "智能手机壳"):
        assert term_key(term_key(text)) == term_key(text)


def test_negation_makes_features_of_its_own() -> None:
    assert "w:metal" in features("padlocks of metal")
    assert "w:metal" not in features("padlocks, not of metal")
    assert "w:!metal" in features("padlocks, not of metal")
    assert "w:!metall" in features("Vorhängeschlösser, nicht aus Metall")


# -- the index: fast path against a plain reference ---------------------------------------


def reference_cosine(rows: list[list[str]], query: list[str]) -> list[float]:
    """Cosine of binary TF-IDF vectors (each IDF times its kind's weight), written out with dictionaries."""
    import math

    from marksearch.goods.index import KIND_WEIGHTS

    n = len(rows)
    df: dict[str, int] = {}
    for feats in rows:
        for f in set(feats):
            df[f] = df.get(f, 0) + 1

    def idf(f: str) -> float:
        return (math.log((n + 1) / (df.get(f, 0) + 1)) + 1) * KIND_WEIGHTS.get(f[0], 1.0)

    q = {f: idf(f) for f in set(query)}
    qn = math.sqrt(sum(w * w for w in q.values()))
    out = []
    for feats in rows:
        t = {f: idf(f) for f in set(feats)}
        tn = math.sqrt(sum(w * w for w in t.values()))
        out.append(sum(q[f] * t[f] for f in q if f in t) / (qn * tn) if qn and tn else 0.0)
    return out


def test_index_scores_equal_the_reference_cosine() -> None:
    texts = [t.text for t in reference_terms(SHARED / "classifications")[:400]]
    rows = [features(t) for t in texts]
    index = TermIndex.build(rows)
    for query in ("adhesives for industrial purposes", "salt", "茶", "chemicals, not for medical use"):
        got = index.scores(index.query(features(query)))
        want = reference_cosine(rows, features(query))
        assert np.allclose(got, want, atol=1e-5)


def test_merged_index_equals_one_built_at_once() -> None:
    rows = [features(t) for t in ("coffee", "tea", "coffee cups", "Kaffee", "咖啡", "tea pots")]
    merged = TermIndex.build(rows[:3]).merge(TermIndex.build(rows[3:]))
    whole = TermIndex.build(rows)
    for query in ("coffee", "Kaffee", "咖啡杯"):
        assert np.allclose(merged.scores(merged.query(features(query))), whole.scores(whole.query(features(query))))


# -- the term base -------------------------------------------------------------------------


def test_shipped_base_is_what_the_build_tool_makes(euipo: list[Record]) -> None:
    rebuilt = TermBase.build(reference_terms(SHARED / "classifications", kipris=KIPRIS) + shipped_record_terms(euipo))
    shipped = default_base()
    assert len(shipped) == len(rebuilt)
    assert np.array_equal(shipped.classes, rebuilt.classes)
    assert np.array_equal(shipped.index.hashes, rebuilt.index.hashes)
    assert shipped.blob == rebuilt.blob, "run tools/build_goods.py"


def test_shipped_base_holds_ncl_cnipa_and_kipo_with_ids_and_groups() -> None:
    base = default_base()
    smartphones = [base.term(r) for r in base.lookup("smartphones")]
    assert [(t.nice_class, t.term_id, t.language) for t in smartphones] == [(9, "U115902", "en")]
    coffee = [base.term(r) for r in base.lookup("咖啡")]
    assert [(t.nice_class, t.gloss, t.language) for t in coffee] == [(30, "coffee", "zh")]
    assert coffee[0].groups == ("3001",)  # CNIPA similar group 3001, coffee and coffee substitutes
    golf = [base.term(r) for r in base.lookup("골프화")]
    assert [(t.nice_class, t.groups) for t in golf] == [(25, ("G270101",))]
    assert set(base.languages()) == {"en", "zh", "ko"}


def test_save_and_load_round_trip() -> None:
    base = TermBase.build([SourceTerm("coffee", 30, "en", "ncl", "U300030", ("3001",)),
                           SourceTerm("Kaffee", 30, "de", "record", gloss="coffee")])
    buffer = io.BytesIO()
    base.save(buffer, meta={"seq": 7})
    loaded, meta = TermBase.load(buffer.getvalue())
    assert meta == {"seq": 7}
    assert [loaded.term(i) for i in range(2)] == [base.term(i) for i in range(2)]
    assert loaded.term(1).term_id == "U300030"  # the German term took the id of the NCL term it glosses


# -- class suggestion, language by language --------------------------------------------------


@pytest.mark.parametrize(("text", "nice_class"), [
    ("phone cases", 9), ("smartphones", 9), ("software as a service", 42), ("coffee", 30),
    ("beer", 32), ("legal services", 45), ("retail store services featuring clothing", 35),
    ("bicycles", 12), ("toothpaste", 3),
])
def test_english_terms_get_their_class_first(text: str, nice_class: int) -> None:
    assert analyse(text).best_class == nice_class


@pytest.mark.parametrize(("text", "nice_class", "gloss"), [
    ("咖啡", 30, "coffee"), ("智能手机", 9, "smartphones"), ("啤酒", 32, "beer"),
    ("糕点", 30, "pastries"), ("广告", 35, "advertising"), ("餐馆", 43, "restaurant services"),
])
def test_chinese_terms_get_their_class_and_english_term(text: str, nice_class: int, gloss: str) -> None:
    result = analyse(text)
    assert result.best_class == nice_class
    assert result.items[0].matches[0].term.gloss == gloss


def test_korean_terms_from_kipris_carry_kipo_similar_groups() -> None:
    restaurant = analyse("중국음식점업")
    assert restaurant.best_class == 43
    assert {"G0301", "G0502"} <= restaurant.groups
    assert analyse("골프화").groups == frozenset({"G270101"})


def test_a_list_gets_one_suggestion_with_its_items() -> None:
    for text in ("coffee; tea; pastries", "coffee\ntea\npastries", "咖啡；茶；糕点"):
        suggestion = analyse(text).suggestion()
        assert suggestion[0].nice_class == 30
        assert len(suggestion[0].items) == 3
    mixed = analyse("clothing; footwear; sunglasses; retail services for clothing").suggestion()
    assert {s.nice_class for s in mixed[:3]} == {25, 9, 35}


@pytest.mark.parametrize(("text", "nice_class"), [
    ("Kaffee", 30), ("Schuhwaren", 25), ("Bekleidungsstücke", 25), ("Computersoftware", 9),
    ("vêtements", 25), ("chaussures", 25), ("logiciels", 9),
    ("prendas de vestir", 25), ("calzado", 25), ("programas informáticos", 9),
])
def test_euipo_languages_once_records_are_in_the_base(grown: TermBase, text: str, nice_class: int) -> None:
    result = analyse(text, base=grown)
    assert result.best_class == nice_class
    assert result.items[0].confidence == 1.0


@pytest.mark.parametrize("language", ["de", "fr", "es", "it", "pl", "en"])
def test_unseen_euipo_class_lists_per_language(grown: TermBase, euipo: list[Record], language: str) -> None:
    cases = [(g.text, g.nice_class) for r in unseen(euipo) for g in r.goods if g.language == language]
    assert len(cases) >= 40
    hits = sum(truth in [s.nice_class for s in analyse(text, base=grown).suggestion()[:3]] for text, truth in cases)
    assert hits / len(cases) >= 0.75


def test_languages_restrict_the_matched_terms(grown: TermBase) -> None:
    result = analyse("Papier", base=grown, languages=["de"])
    assert {m.term.language for m in result.items[0].matches} == {"de"}
    assert result.best_class == 16


def test_aligned_translations_take_the_wipo_id(grown: TermBase) -> None:
    rows = [grown.term(r) for r in grown.lookup("Kaffee") if grown.term(r).language == "de"]
    assert rows and rows[0].term_id == "U113230" and rows[0].gloss.lower() == "coffee"


# -- the search's goods signal ---------------------------------------------------------------


def test_signal_for_classes_same_related_unrelated_and_neutral() -> None:
    coffee = analyse("coffee")
    assert coffee.signal_for_classes([30]) == (1.0, "goods: coffee (class 30) ~ class 30")
    score, reason = coffee.signal_for_classes([32])
    assert score == pytest.approx(0.4) and reason == "goods: coffee (30) related to 32 beers, soft drinks"
    assert coffee.signal_for_classes([9])[0] == 0.0
    assert coffee.signal_for_classes([9, 30])[0] == 1.0  # the best of the mark's classes
    assert coffee.signal_for_classes([]) == (0.5, "goods: no classes to compare")
    software = analyse("downloadable software")
    assert software.signal_for_classes([42])[0] == pytest.approx(0.6, abs=0.05)


def test_an_unknown_description_is_neutral_not_a_guess() -> None:
    result = analyse("Schuhe")  # German, and the shipped base has no German
    assert result.items[0].confidence < 0.2
    for nice_class in (8, 25, 30):
        assert abs(result.signal_for_classes([nice_class])[0] - 0.5) < 0.1


@pytest.mark.parametrize(("text", "nice_class", "qualified"), [
    ("champagne", 33, 21),  # the base's only champagne terms are buckets and flutes (21)
    ("wine", 33, 21),  # wine glasses, wine coolers
    ("coffee", 30, 21),  # coffee cups, coffee services
])
def test_a_term_the_item_only_qualifies_votes_less(text: str, nice_class: int, qualified: int) -> None:
    result = analyse(text)
    assert result.best_class == nice_class
    plain = dict(GoodsModel(modifier_weight=1.0).analyse(text).items[0].classes)
    assert dict(result.items[0].classes).get(qualified, 0.0) < plain[qualified]


def test_a_term_whose_head_is_the_items_votes_in_full() -> None:
    assert analyse("champagne buckets").best_class == 21
    assert analyse("wine glasses").best_class == 21


@pytest.mark.parametrize(("text", "nice_class", "elsewhere"), [
    ("hand tools", 8, 28),  # toy hand tools
    ("cookware", 21, 28),  # toy cookware, near enough to count as the item itself before
])
def test_a_term_with_a_word_of_its_own_class_votes_less(text: str, nice_class: int, elsewhere: int) -> None:
    result = analyse(text)
    assert result.best_class == nice_class
    plain = GoodsModel(class_word_weight=1.0).analyse(text)
    assert plain.best_class == elsewhere  # what the item got before
    assert dict(result.items[0].classes).get(elsewhere, 0.0) < dict(plain.items[0].classes)[elsewhere]


@pytest.mark.parametrize("text", ["dental services", "moving services"])
def test_a_service_item_is_not_put_in_a_goods_class(text: str) -> None:
    assert GoodsModel(kind_weight=1.0).analyse(text).best_class in range(1, 35)  # what it got before
    assert analyse(text).best_class in range(35, 46)


def test_a_term_keeps_its_vote_when_the_item_says_its_class_word() -> None:
    assert analyse("toy cookware").best_class == 28
    assert analyse("retail services for cosmetics").best_class == 35


def test_class_words_are_the_words_that_decide_a_class() -> None:
    base = default_base()
    words = base.class_words(20, 0.9)
    named = {base.text(int(r)) for r in np.flatnonzero(words == feature_hash("w:toy"))}
    assert "Toy hand tools" in named
    assert all(base.classes[r] in range(1, 46) for r in np.flatnonzero(words))
    assert not words[base.lookup("hand tools")].any()


# -- a register's goods join the base --------------------------------------------------------


def test_a_register_grows_the_base_and_keeps_it_beside_itself(tmp_path: Path, euipo: list[Record]) -> None:
    db = tmp_path / "register.sqlite"
    with open_store(str(db)) as store:
        store.write(euipo[:3])
        grown = base_for_store(store)
        assert cache_path(store) == Path(str(db) + ".goods.npz")
        assert cache_path(store).exists()
        assert len(grown) > len(default_base())
        german = next(g for g in euipo[0].goods if g.language == "de")
        assert grown.lookup(split_terms(german.text)[0])
        cached_seq = store.last_seq()
        store.write([euipo[3]])  # a change after the cache: added to the base held in memory
        new_term = split_terms(next(g for g in euipo[3].goods if g.language == "fr").text)[0]
        assert base_for_store(store).lookup(new_term)
        bases._grown.clear()  # a new process: the cache file, then the change since
        assert base_for_store(store).lookup(new_term)
        _loaded, meta = TermBase.load(cache_path(store))
        assert meta["format"] == FORMAT and meta["seq"] == cached_seq
        TermBase.build([]).save(cache_path(store), meta={"seq": 0, "shipped": "another", "format": FORMAT})
        bases._grown.clear()  # a cache of another shipped base is rebuilt
        assert base_for_store(store).lookup(new_term)
        assert TermBase.load(cache_path(store))[1]["seq"] == store.last_seq()


def test_a_register_made_again_at_the_same_path_does_not_read_the_old_ones_base(tmp_path: Path) -> None:
    """An admin deletes a register but not the goods base beside it, and ingests again: the terms of
    records that no longer exist were found, and the new records' were missing."""
    from marksearch.records import ClassGoods, VerbalElement

    def record(text: str, term: str, cls: int) -> Record:
        return Record(office="EM", application_number="1", verbal_elements=(VerbalElement(text),),
                      nice_classes=(cls,), goods=(ClassGoods(cls, term, "en"),))

    db = tmp_path / "r.sqlite"
    with open_store(str(db)) as store:
        store.write([record("OLD", "zqxwidgets", 9)])
        assert base_for_store(store).lookup("zqxwidgets")
    for leftover in tmp_path.glob("r.sqlite*"):
        if not leftover.name.endswith(".goods.npz"):
            leftover.unlink()
    bases._grown.clear()  # a new process
    with open_store(str(db)) as store:
        store.write([record("NEW", "blorptarts", 30)])
        grown = base_for_store(store)
        assert grown.lookup("blorptarts") and not grown.lookup("zqxwidgets")


def test_kipris_designated_goods_join_the_base_with_their_groups(tmp_path: Path) -> None:
    path = KIPRIS / "kipris_plus_trademarkDesignationGoodstInfo_golf.xml"
    with open(path, "rb") as f:
        goods = next(e.goods for e in kipris.READER.for_application("4020190000011").read(f, str(path))
                     if isinstance(e, GoodsAddition))
    assert goods.goods[0].similar_groups  # one class, several KIPO groups
    base = TermBase.build(record_terms(goods.goods), known=default_base())
    assert all(base.term(i).language == "ko" for i in range(len(base)))


# -- the command ---------------------------------------------------------------------------------


def test_command_one_term() -> None:
    result = CliRunner().invoke(goods_command, ["phone cases"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[2].split()[:1] == ["9"]
    assert "phone cases  (class 9" in result.output  # a matching term and its class


def test_command_list_and_json() -> None:
    result = CliRunner().invoke(goods_command, ["coffee; tea; pastries", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["mode"] == "list"
    assert data["classes"][0]["nice_class"] == 30 and len(data["items"]) == 3
    single = json.loads(CliRunner().invoke(goods_command, ["咖啡", "--json", "--suggest"]).output)
    assert single["mode"] == "list" and single["items"][0]["terms"][0]["gloss"] == "coffee"


def test_a_list_says_which_items_it_could_not_count() -> None:
    """"cognac; tequila" named class 33 for each item and left the list's classes empty: an item no
    term of the base is near is not counted (its confidence is 0), and the list now says so."""
    result = CliRunner().invoke(goods_command, ["cognac; clothing"])
    assert result.exit_code == 0
    assert "(not counted, no term of the base is near: cognac;" in result.output
    assert "  cognac: class 33," in result.output and "  25  " in result.output


def test_command_user_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    for args in (["coffee", "--db", str(tmp_path / "missing.sqlite")], ["  "], [";;"]):
        result = CliRunner().invoke(goods_command, args)
        assert result.exit_code == 2, result.output
        assert result.output.startswith("marksearch: error: ")
        assert "Traceback" not in result.output


def test_command_reads_the_register_from_the_environment(tmp_path: Path, euipo: list[Record]) -> None:
    db = tmp_path / "r.sqlite"
    with open_store(str(db)) as store:
        store.write([r for r in euipo if any(g.language == "de" and "Kaffee" in g.text for g in r.goods)][:2])
    result = CliRunner().invoke(goods_command, ["Kaffee", "--json"], env={"MARKSEARCH_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert "building the goods term base" in result.stderr
    data = json.loads(result.stdout)
    assert data["items"][0]["terms"][0]["language"] == "de"
    assert data["classes"][0]["nice_class"] == 30
    german = CliRunner().invoke(goods_command, ["Kaffee", "--language", "de"], env={"MARKSEARCH_DB": str(db)})
    assert german.exit_code == 0, german.output


def test_a_language_the_base_has_no_terms_in_is_a_mistake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--language xx matched no term and answered "weak match", as if the goods were unknown."""
    monkeypatch.chdir(tmp_path)  # no register in the folder: the shipped base
    monkeypatch.delenv("MARKSEARCH_DB", raising=False)
    result = CliRunner().invoke(goods_command, ["coffee", "--language", "xx"])
    assert result.exit_code == 2
    assert result.output.startswith("marksearch: error: the term base has no terms in language 'xx'; it has ")
    assert "give --db" in result.output  # the shipped base alone: a register's goods add languages


# -- documentation ---------------------------------------------------------------------------------


def test_docstring_examples_run() -> None:
    for module in pkgutil.iter_modules(marksearch.goods.__path__):
        mod = importlib.import_module(f"marksearch.goods.{module.name}")
        failures, _ = doctest.testmod(mod)
        assert failures == 0, module.name
    assert doctest.testmod(marksearch.goods).failed == 0


def test_public_names_are_exported() -> None:
    assert sorted(marksearch.goods.__all__) == marksearch.goods.__all__
    for name in marksearch.goods.__all__:
        assert hasattr(marksearch.goods, name)
    assert shipped_path().exists()


def test_goods_doc_covers_the_api_and_the_shipped_data() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "goods.md").read_text()
    for name in ("analyse", "signal_for_classes", "overlap", "similarity", "base_for_store",
                 "marksearch goods", "termbase.npz", "CNIPA", "WIPO"):
        assert name in text, name


def test_class_goods_without_a_class_are_skipped() -> None:
    assert list(record_terms([ClassGoods(None, "coffee", "en")])) == []
