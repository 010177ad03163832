"""Romanisation per script: Chinese, Korean, Japanese, and the anyascii rest."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marksearch.text.chinese import (
    chinese_readings,
    pinyin_initials,
    pinyin_loan,
    pinyin_syllables,
)
from marksearch.text.japanese import (
    japanese_loan,
    japanese_loan_reading,
    japanese_readings,
    kana_romaji,
    long_vowels_dropped,
)
from marksearch.text.korean import korean_loan, korean_plain, korean_pronounced, korean_readings
from marksearch.text.romanise import abjad_loan, ascii_key, cyrillic_loan, greek_loan, romanise_word

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
HANGUL_SYLLABLES = st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3)
# Conjoining jamo, compatibility jamo, jamo extended A and B.
JAMO = st.one_of(
    st.characters(min_codepoint=0x1100, max_codepoint=0x11FF),
    st.characters(min_codepoint=0x3131, max_codepoint=0x318E),
    st.characters(min_codepoint=0xA960, max_codepoint=0xA97C),
    st.characters(min_codepoint=0xD7B0, max_codepoint=0xD7FB),
)
ASCII_KEY = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")

# -- Chinese --------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "first"),
    [
        ("可口可乐", "kekoukele"),
        ("必胜客", "bishengke"),
        ("阿迪达斯", "adidasi"),
        ("银行", "yinhang"),  # phrase reading of the polyphone 行
        ("優衣庫", "youyiku"),  # traditional
        ("优衣库", "youyiku"),  # simplified
        ("绿", "lu"),  # ü without its dots
        ("21世纪", "21shiji"),
    ],
)
def test_pinyin_first_reading(word: str, first: str) -> None:
    assert chinese_readings(word)[0] == first


def test_polyphones_give_further_readings() -> None:
    assert chinese_readings("長城") == ("zhangcheng", "changcheng")
    assert "bixingke" in chinese_readings("必胜客")
    assert len(chinese_readings("重重重重")) <= 3


def test_pinyin_syllables_with_and_without_tones() -> None:
    assert pinyin_syllables("必胜客") == ("bi sheng ke", "bi4 sheng4 ke4")
    assert pinyin_syllables("桌子") == ("zhuo zi", "zhuo1 zi5")  # 5: neutral tone
    assert pinyin_syllables("绿色") == ("lu se", "lu4 se4")
    assert pinyin_initials("宝马") == "bm"


@pytest.mark.parametrize(
    ("word", "loan"),
    [("阿迪达斯", "adidas"), ("沃尔玛", "wolma"), ("福特", "fut"), ("拉菲", "lafe")],
)
def test_pinyin_loan(word: str, loan: str) -> None:
    assert pinyin_loan(word) == loan


# -- Korean ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "plain", "pronounced"),
    [
        ("스타벅스", "seutabeogseu", "seutabeokseu"),
        ("삼성", "samseong", "samseong"),
        ("샤넬", "syanel", "syanel"),
        ("국물", "gugmul", "gungmul"),  # nasalisation
        ("합니다", "habnida", "hamnida"),  # nasalisation
        ("신라", "sinla", "silla"),  # liquidisation
        ("설날", "seolnal", "seollal"),  # liquidisation
        ("종로", "jonglo", "jongno"),  # ㄹ after ㅇ
        ("백리", "baegli", "baengni"),  # ㄹ -> ㄴ, then nasalisation
        ("한국어", "hangug-eo".replace("-", ""), "hangugeo"),  # liaison
        ("읽어", "ilg-eo".replace("-", ""), "ilgeo"),  # liaison of a cluster
        ("같이", "gati", "gachi"),  # palatalisation
        ("좋다", "johda", "jota"),  # aspiration
        ("좋아", "joh-a".replace("-", ""), "joa"),  # silent ㅎ
        ("닭", "dalg", "dak"),  # final cluster
        ("ㄱ", "g", "g"),
    ],
)
def test_korean_romanisation(word: str, plain: str, pronounced: str) -> None:
    assert korean_plain(word) == plain
    assert korean_pronounced(word) == pronounced


@pytest.mark.parametrize(
    ("word", "loan"),
    [
        ("스타벅스", "staboks"),  # epenthetic 으 dropped, ㅓ read o
        ("샤넬", "shanel"),
        ("유니클로", "yunikllo"),
        ("배스킨라빈스", "baskinrabins"),  # ㅐ read a
        ("맥도날드", "makdonald"),
        ("파리바게뜨", "paribaget"),
        ("라잇템", "raittem"),  # final ㅅ read t
    ],
)
def test_korean_loan_reading(word: str, loan: str) -> None:
    assert korean_loan(word) == loan


@pytest.mark.parametrize(
    ("word", "loan"),
    [
        ("σταρμπάκς", "starbaks"),  # Starbucks: μπ is the Western b
        ("μπενετόν", "beneton"),
        ("ντόνατ", "donat"),  # ντ is d
        ("γκούτσι", "gutsi"),  # γκ is g, ου is u
        ("ευρώ", "evro"),
        ("αίας", "eas"),  # αι is e
        ("κόκα-κόλα", "kokakola"),
        ("7ούπ", "7up"),
    ],
)
def test_greek_loan_reading(word: str, loan: str) -> None:
    assert greek_loan(word) == loan


def test_a_greek_rendering_sounds_like_the_western_mark() -> None:
    """Letter for letter Σταρμπάκς reads starmpaks; its loan reading, starbaks, is a letter from STARBUCKS' starbuks."""
    from marksearch.scoring import Candidate, ScoringModel
    from marksearch.text import mark_keys

    assert "starbaks" in mark_keys("Σταρμπάκς").sound and "starmpaks" in mark_keys("Σταρμπάκς").latin
    scorer = ScoringModel().scorer(mark_keys("Σταρμπάκς"))
    assert scorer(Candidate.from_text(1, "STARBUCKS")).signals["cross_script"] >= 0.85  # starbaks ~ starbuks


@given(st.text(st.characters(min_codepoint=0x370, max_codepoint=0x3FF), max_size=20))
def test_greek_loan_never_fails_and_is_ascii(text: str) -> None:
    assert set(greek_loan(text)) <= ASCII_KEY


@settings(max_examples=300)
@given(st.text(st.one_of(HANGUL_SYLLABLES, JAMO), max_size=20))
def test_korean_never_fails_on_hangul(text: str) -> None:
    for reading in (korean_plain(text), korean_pronounced(text), korean_loan(text)):
        assert isinstance(reading, str)
    assert all(set(r) <= ASCII_KEY for r in korean_readings(text))


@given(st.text(HANGUL_SYLLABLES, min_size=1, max_size=12))
def test_every_hangul_syllable_string_has_a_reading(text: str) -> None:
    assert korean_plain(text) and korean_pronounced(text)


@given(ANY_TEXT)
def test_korean_is_total_on_any_text(text: str) -> None:
    korean_plain(text), korean_pronounced(text), korean_loan(text)


# -- Japanese -------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("任天堂", "nintendo"),  # Japanese, not Mandarin rentiantang
        ("任天堂", "nintendou"),
        ("本田", "honda"),
        ("東京", "tokyo"),
        ("スターバックス", "starbucks"),  # cutlet's Western spelling
        ("スターバックス", "sutaabakkusu"),
        ("ウェンディーズ", "wendiizu"),
        ("ひらがな", "hiragana"),
        ("トヨタ自動車", "toyotajidosha"),
    ],
)
def test_japanese_readings(word: str, reading: str) -> None:
    assert reading in japanese_readings(word)


def test_unknown_kanji_give_no_japanese_reading() -> None:
    # 无 is simplified Chinese; cutlet answers "??", which must not become a key.
    assert japanese_readings("无印良品") == ()


@pytest.mark.parametrize(
    ("kana", "romaji"),
    [
        ("スターバックス", "sutaabakkusu"),
        ("ろーそん", "rooson"),
        ("マッチ", "matchi"),
        ("ヴィトン", "viton"),
        ("ファミリーマート", "famiriimaato"),
        ("ティッシュ", "tisshu"),
        ("ー", ""),
    ],
)
def test_kana_table(kana: str, romaji: str) -> None:
    assert kana_romaji(kana) == romaji


@pytest.mark.parametrize(
    ("romaji", "short"),
    [("nintendou", "nintendo"), ("toukyou", "tokyo"), ("ryouhin", "ryohin"),
     ("sutaabakkusu", "sutabakkusu"), ("kawaii", "kawai")],
)
def test_long_vowels_dropped(romaji: str, short: str) -> None:
    assert long_vowels_dropped(romaji) == short


def test_japanese_loan_reading() -> None:
    assert japanese_loan("sutaabakkusu") == "stabaks"
    assert japanese_loan_reading("ローソン") == "roson"
    assert japanese_loan_reading("任天堂") == ""


@pytest.mark.parametrize(
    ("kana", "loan"),
    [
        ("サムスン", "samsun"),  # the u before the moraic n ン is a real vowel
        ("グッチ", "gucci"),  # so is the u before ッ; a final ッチ is Italian -cci
        ("クッキー", "kuki"),
        ("ブック", "buk"),
        ("ペプシ", "pepsi"),  # a final シ keeps its i, and is read si
        ("アシックス", "asiks"),
        ("スヌーピー", "snupi"),  # the n of ヌ begins a syllable: that u is epenthetic
        ("スターバックス", "stabaks"),
        ("マクドナルド", "makdonard"),
        ("ブランド", "brand"),
        ("ビーチ", "bich"),  # a final チ after no ッ is English -ch
    ],
)
def test_japanese_loan_keeps_the_real_vowels(kana: str, loan: str) -> None:
    assert japanese_loan_reading(kana) == loan


@pytest.mark.parametrize(("western", "kana"), [
    ("SAMSUNG", "サムスン"), ("GUCCI", "グッチ"), ("PEPSI", "ペプシ"), ("ASICS", "アシックス"),
    ("STARBUCKS", "スターバックス"), ("MCDONALD'S", "マクドナルド"),
])
def test_a_katakana_rendering_sounds_like_the_western_mark(western: str, kana: str) -> None:
    from marksearch.scoring import Candidate, ScoringModel

    assert ScoringModel().scorer(western)(Candidate.from_text(1, kana)).signals["cross_script"] >= 0.85


@settings(max_examples=50, deadline=None)
@given(st.text(st.characters(min_codepoint=0x3040, max_codepoint=0x30FF), max_size=12))
def test_japanese_is_total_on_kana(text: str) -> None:
    assert all(set(r) <= ASCII_KEY for r in japanese_readings(text))


# -- every script ---------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "script", "reading"),
    [
        ("müller", "Latn", "muller"),
        ("москва", "Cyrl", "moskva"),
        ("кока", "Cyrl", "koka"),
        ("αθηνα", "Grek", "athina"),
        ("مرسيدس", "Arab", "mrsyds"),
        ("שלום", "Hebr", "slvm"),
        ("ไทย", "Thai", "aithy"),
        ("ნიკე", "Geor", "nike"),
        ("任天堂", "Hani", "rentiantang"),
        ("任天堂", "Hani", "nintendo"),
        ("스타벅스", "Hang", "seutabeokseu"),
        ("スターバックス", "Kana", "starbucks"),
        ("21", "Zyyy", "21"),
    ],
)
def test_romanise_word_table(word: str, script: str, reading: str) -> None:
    assert reading in romanise_word(word, script, han_as_japanese=False).readings


def test_han_in_a_mark_with_kana_is_read_in_japanese_only() -> None:
    readings = romanise_word("任天堂", "Hani", han_as_japanese=True).readings
    assert readings == ("nintendou", "nintendo")


SCRIPTS = st.sampled_from(["Latn", "Hani", "Hira", "Kana", "Jpan", "Hang", "Cyrl", "Zyyy", "Zzzz"])


@settings(deadline=None)
@given(ANY_TEXT, SCRIPTS, st.booleans())
def test_romanise_word_is_total_ascii_and_deterministic(text: str, script: str, japanese: bool) -> None:
    first = romanise_word(text, script, han_as_japanese=japanese)
    romanise_word.cache_clear()
    assert romanise_word(text, script, han_as_japanese=japanese) == first
    assert all(r and set(r) <= ASCII_KEY for r in first.readings)


def test_ascii_key() -> None:
    assert ascii_key("Coca/Cola 2") == "cocacola2"
    assert ascii_key("Ёж") == "ezh"


@pytest.mark.parametrize(("transliterated", "umlauted"), [
    ("MUELLER", "MÜLLER"), ("GOETHE", "GÖTHE"), ("BAER", "BÄR"), ("SCHOENE", "SCHÖNE"),
    ("LOEWENBRAEU", "LÖWENBRÄU"),
])
def test_german_umlauts_sound_like_their_transliteration(transliterated: str, umlauted: str) -> None:
    """German writes ä, ö, ü as ae, oe, ue where it cannot write them, and registers hold both:
    GOETHE only "sounded partly like" GÖTHE (the plain reading read ö as o)."""
    from marksearch.scoring import Candidate, ScoringModel
    from marksearch.text import mark_keys

    assert romanise_word(umlauted.lower(), "Latn", han_as_japanese=False).loan == transliterated.lower()
    scored = ScoringModel().scorer(mark_keys(transliterated))(
        Candidate.from_keys(1, mark_keys(umlauted).to_dict(), ()))
    assert scored.signals["sound"] == 1.0 and f"sounds like: {transliterated} ~ {umlauted}" in scored.reasons
    # the plain reading stays: MULLER is still spelt as MÜLLER is, without its dots
    assert mark_keys(umlauted).latin == (mark_keys(umlauted).plain,)


@pytest.mark.parametrize(
    ("word", "loan"),
    [
        ("джип", "jip"),  # дж is j
        ("хайнц", "hainz"),  # х is h, ц z, й after a vowel i
        ("джеймсон", "jeimson"),
        ("хендай", "hendai"),
        ("жиллетт", "gillett"),  # ж before и is the French soft g
        ("жан", "jan"),  # and j elsewhere
        ("гараж", "garag"),  # and -ge at a word's end
        ("тойота", "toyota"),  # й before a vowel is y
        ("найк", "nik"),  # ай before a final consonant: English i with a silent e
        ("уолмарт", "wolmart"),  # у before a vowel at a word's start is w
        ("хьюго", "hugo"),  # ь silent, ю after a consonant u
        ("ёлка", "yolka"),
        ("хёндэ", "hende"),  # ё after a consonant as the undotted е
        ("пицца", "pizza"),
    ],
)
def test_cyrillic_loan_reading(word: str, loan: str) -> None:
    assert cyrillic_loan(word) == loan


def test_cyrillic_words_keep_their_letter_readings_and_gain_a_loan_reading() -> None:
    found = romanise_word("джип", "Cyrl", han_as_japanese=False)
    assert found.readings == ("dzhip",) and found.loan == "jip"


@pytest.mark.parametrize(("western", "rendering", "at_least"), [
    ("JEEP", "ДЖИП", 0.95), ("JOHNSON", "ДЖОНСОН", 0.95), ("GILLETTE", "ЖИЛЛЕТТ", 0.95),
    ("HEINZ", "ХАЙНЦ", 0.8), ("JAMESON", "ДЖЕЙМСОН", 0.7), ("HYUNDAI", "ХЕНДАЙ", 0.7),
    ("NIKE", "НАЙК", 0.95), ("HONDA", "ХОНДА", 0.95),
])
def test_a_cyrillic_rendering_sounds_like_the_western_mark(western: str, rendering: str, at_least: float) -> None:
    """Letter for letter ДЖИП reads dzhip and ХАЙНЦ khaynts; their loan readings are jip and hainz."""
    from marksearch.scoring import Candidate, ScoringModel

    scorer = ScoringModel().scorer(rendering)
    assert scorer(Candidate.from_text(1, western)).signals["cross_script"] >= at_least
    assert scorer(Candidate.from_text(2, "TV CALL")).signals["cross_script"] < 0.7


@pytest.mark.parametrize(("western", "rendering", "at_least"), [
    ("PHILIPS", "필립스", 0.95), ("FORD", "포드", 0.75), ("PEPSI", "펩시", 0.95),
    ("NIKE", "나이키", 0.75), ("TIDE", "타이드", 0.95), ("MICROSOFT", "마이크로소프트", 0.95),
])
def test_korean_is_read_the_western_way_as_well(western: str, rendering: str, at_least: float) -> None:
    """Korean writes f as ㅍ, as it writes p, and the English long i as 아이: 포드 read pod met FORD
    at 0.5, 나이키 read naiki NIKE at 0.6, 타이드 TIDE at 0.75."""
    from marksearch.scoring import Candidate, ScoringModel

    assert romanise_word("포드", "Hang", han_as_japanese=False).readings[-1] == "fod"
    assert romanise_word("나이키", "Hang", han_as_japanese=False).readings[-1] == "niki"
    scorer = ScoringModel().scorer(rendering)
    assert scorer(Candidate.from_text(1, western)).signals["cross_script"] >= at_least
    assert scorer(Candidate.from_text(2, "TV CALL")).signals["cross_script"] < 0.7


@pytest.mark.parametrize(("western", "rendering", "at_least"), [
    ("VOLVO", "볼보", 0.95), ("VISA", "비자", 0.7), ("VIRGIN", "버진", 0.55), ("VALENTINO", "발렌티노", 0.95),
])
def test_korean_b_is_read_v_the_western_way_as_well(western: str, rendering: str, at_least: float) -> None:
    """Korean writes v as ㅂ, as it writes b: 볼보 read bolbo met VOLVO at 0.6, 비자 read bija VISA at
    0.5, 버진 VIRGIN at 0.45, 발렌티노 VALENTINO at 0.89."""
    from marksearch.scoring import Candidate, ScoringModel

    scorer = ScoringModel().scorer(rendering)
    assert scorer(Candidate.from_text(1, western)).signals["cross_script"] >= at_least
    assert scorer(Candidate.from_text(2, "TV CALL")).signals["cross_script"] < 0.7


def test_korean_b_keeps_its_b_reading() -> None:
    """The v is a reading of its own: the b readings stay (ㅂ writes b far more often), with ㅍ's
    f beside the b (페이스북 Facebook)."""
    from marksearch.scoring import Candidate, ScoringModel
    from marksearch.text import mark_keys

    assert romanise_word("볼보", "Hang", han_as_japanese=False).readings == ("bolbo", "volvo")
    assert romanise_word("페이스북", "Hang", han_as_japanese=False).readings[-2:] == ("feisbuk", "feisvuk")
    for western, rendering, score in [("BOSS", "보스", 1.0), ("BANANA", "바나나", 1.0), ("BIKE", "바이크", 1.0),
                                      ("FACEBOOK", "페이스북", 0.72), ("BURGER KING", "버거킹", 0.85)]:
        hit = ScoringModel().scorer(rendering)(Candidate.from_text(1, western))
        assert hit.signals["cross_script"] >= score, western
    assert "biemdeobeulyu" in mark_keys("비엠더블유").latin  # BMW spelt out, b as b
    assert "banana" in mark_keys("바나나").latin


@given(st.text(st.characters(min_codepoint=0x400, max_codepoint=0x52F), max_size=20))
def test_cyrillic_loan_never_fails_and_is_ascii(text: str) -> None:
    assert set(cyrillic_loan(text)) <= ASCII_KEY


@pytest.mark.parametrize(("word", "script", "loan"), [
    ("كوكا", "Arab", "koka"), ("تويوتا", "Arab", "toyota"), ("أديداس", "Arab", "adidas"),
    ("وافل", "Arab", "wafl"),  # a waw that begins a word is w
    ("קוקה", "Hebr", "koka"), ("טויוטה", "Hebr", "toyota"), ("ויזה", "Hebr", "viza"), ("וולוו", "Hebr", "vlv"),  # a double vav is v; Volvo's o's are not written,
])
def test_abjad_loan_reads_the_vowel_letters(word: str, script: str, loan: str) -> None:
    assert abjad_loan(word, script) == loan


@pytest.mark.parametrize(("word", "script", "loan"), [
    ("كُوكَا", "Arab", "koka"), ("كُولَا", "Arab", "kola"),  # a damma before waw is one o, as unpointed
    ("بِيبْسِي", "Arab", "bibsi"), ("تُويُوتَا", "Arab", "toyota"),
    ("קוֹקָה", "Hebr", "koka"),  # Hebrew points are left out
    ("ג'יפ", "Hebr", "jip"), ("ג׳יפ", "Hebr", "jip"),  # the geresh makes gimel j
    ("צ׳יטוס", "Hebr", "chitos"),
    ("פפסי", "Hebr", "pepsi"),  # two like letters have a vowel between them
])
def test_abjad_loan_reads_points_and_geresh(word: str, script: str, loan: str) -> None:
    assert abjad_loan(word, script) == loan


@pytest.mark.parametrize(("word", "script", "loan", "other"), [
    ("פורד", "Hebr", "pord", "ford"), ("פפסי", "Hebr", "pepsi", "fefsi"),
    ("ג׳יפ", "Hebr", "jip", "jip"),  # a last pe is p: the final ף is f
    ("جوجل", "Arab", "jojl", "gogl"), ("جونسون", "Arab", "jonson", "gonson"),
])
def test_pe_and_jeem_are_read_both_ways(word: str, script: str, loan: str, other: str) -> None:
    assert abjad_loan(word, script) == loan and abjad_loan(word, script, other=True) == other
    found = romanise_word(word, script, han_as_japanese=False)
    assert found.loan == loan
    assert found.readings == ((ascii_key(word), other) if other != loan else (ascii_key(word),))


@pytest.mark.parametrize(("western", "rendering", "at_least"), [
    ("PEPSI", "פפסי", 0.95), ("FORD", "פורד", 0.95), ("FIAT", "פיאט", 0.95), ("JEEP", "ג'יפ", 0.95),
    ("GOOGLE", "جوجل", 0.75), ("JOHNSON", "جونسون", 0.95), ("GALAXY", "جالاكسي", 0.95),
    ("COCA-COLA", "كُوكَا كُولَا", 0.95),
])
def test_pe_and_jeem_renderings_sound_like_the_western_mark(western: str, rendering: str, at_least: float) -> None:
    from marksearch.scoring import Candidate, ScoringModel

    scorer = ScoringModel().scorer(rendering)
    assert scorer(Candidate.from_text(1, western)).signals["cross_script"] >= at_least
    assert scorer(Candidate.from_text(2, "TV CALL")).signals["cross_script"] < 0.7


@pytest.mark.parametrize(("rendering", "western"), [
    ("كوكا كولا", "COCA-COLA"), ("تويوتا", "TOYOTA"), ("أديداس", "ADIDAS"),
    ("קוקה קולה", "COCA-COLA"), ("טויוטה", "TOYOTA"),
])
def test_an_arabic_or_hebrew_rendering_sounds_like_the_western_mark(rendering: str, western: str) -> None:
    """Letter for letter كوكا كولا reads kwkkwl, no vowel left; its loan reading is koka kola."""
    from marksearch.scoring import Candidate, ScoringModel
    from marksearch.text import mark_keys

    scorer = ScoringModel().scorer(mark_keys(rendering))
    assert scorer(Candidate.from_text(1, western)).signals["cross_script"] >= 0.9
    assert scorer(Candidate.from_text(2, "TV CALL")).signals["cross_script"] < 0.7


@pytest.mark.parametrize("word", ["𠮷野家", "𠮷", "𩸽"])
def test_a_han_character_without_pinyin_reads_no_digit(word: str) -> None:
    from marksearch.text import mark_keys

    keys = mark_keys(word).to_dict()
    assert not any(c.isdigit() for k in ("latin", "sound", "loose") for reading in keys[k] for c in reading)
    assert "yejia" in mark_keys("𠮷野家").latin
