"""Word analysis: which words of a mark dominate, which only describe.

A trademark examiner weighs the distinctive words of a mark and discounts
legal forms (GmbH, Ltd, 株式会社) and words that name the goods (coffee,
bank, 银行).  This module says which is which; scoring decides the weights.

Latin and Cyrillic legal forms are recognised at the end of a mark only, after
at least one other word, because most of them are also ordinary words or
initials ("AS", "SE", "CO").  Chinese, Japanese and Korean write them without
spaces, before or after the name, so they are also cut off the start or end
of a word (:func:`split_affixes`).

>>> roles(("coca", "cola", "gmbh"))
('dominant', 'generic', 'legal')
>>> split_affixes("株式会社トヨタ"), split_affixes("百事可乐")
(('株式会社', 'トヨタ'), ('百事', '可乐'))
"""

from __future__ import annotations

from functools import lru_cache

from marksearch.text.fold import strip_diacritics

__all__ = [
    "DOMINANT",
    "GENERIC",
    "GENERIC_WORDS",
    "LEADING_ARTICLES",
    "LEGAL",
    "AMBIGUOUS_LEGAL_FORMS",
    "LEGAL_FORMS",
    "LEGAL_FORMS_CJK",
    "roles",
    "split_affixes",
]

DOMINANT, GENERIC, LEGAL = "dominant", "generic", "legal"

# Abbreviations of legal forms, folded, without dots or spaces ("S.p.A." ->
# "spa"); multi-word forms are matched on the run-together words.  Source:
# ISO 20275 Entity Legal Forms code list (as published by GLEIF),
# column "abbreviations local language", for the EU/EEA, UK, CH, US, RU, TR
# and the main Asian jurisdictions; selection.
LEGAL_FORMS = frozenset({
    # DE, AT, CH
    "gmbh", "ag", "kg", "ohg", "ug", "ev", "eg", "kgaa", "mbh", "gbr", "se", "co", "cokg",
    "gmbhcokg", "haftungsbeschrankt",
    # UK, IE, US, CA, AU, IN, SG, MY
    "ltd", "limited", "plc", "llp", "lp", "llc", "inc", "incorporated", "corp",
    "corporation", "company", "pty", "ptyltd", "pte", "pteltd", "bhd", "sdnbhd", "pvt",
    "pvtltd", "cic", "dac", "uc",
    # FR, BE, LU, CH
    "sa", "sas", "sasu", "sarl", "eurl", "snc", "sca", "scs", "sprl", "srl", "sc", "gie",
    # IT, ES, PT, LatAm
    "spa", "sapa", "srls", "scarl", "sl", "slu", "sau", "sll", "scoop",
    "lda", "ltda", "sacv", "sadecv", "srldecv", "sab", "sabdecv", "eireli", "me", "epp",
    # NL, BE
    "bv", "nv", "vof", "cv", "cvba", "bvba", "commv",
    # Nordic
    "ab", "publab", "as", "asa", "aps", "oy", "oyj", "ky", "hf", "ehf", "sf", "ans", "da",
    # Central and eastern Europe, Balkans, Baltics
    "spzoo", "spk", "sj", "sro", "spol", "spolsro", "vos", "ks", "kft", "zrt", "nyrt",
    "bt", "doo", "dd", "ad", "ood", "eood", "et", "sia", "uab", "ou", "ooo", "oao",
    "zao", "pao", "ao", "ip", "tov", "pp",
    # TR, GR, CY, IL
    "ltdsti", "sti", "ae", "epe", "ike", "oe", "ee",
    # JP, CN, KR, TW (romanised)
    "kk", "gk", "yk", "coltd", "colimited",
})

# Legal forms that are also everyday words of marks, most of them English (KISS ME, SUCH AS,
# VOLT EV, DAY SPA, SMART AD, VOICE IP): at a mark's end they are legal forms only when spelt as
# letters apart, as companies write them (A.S., e.V., S.p.A.); one word of them is a word of
# the mark.  Forms that companies write as one word and marks seldom end with (Skanska AB,
# Nestlé SA, Allianz SE) stay legal forms however written.
AMBIGUOUS_LEGAL_FORMS = frozenset({"me", "as", "da", "ad", "et", "ev", "spa", "lp", "ip", "sf"})

# Legal forms in Chinese, Japanese and Korean script, and in Cyrillic, matched
# as whole words anywhere or as the start or end of a word.  Source: ISO 20275
# ELF list (JP, CN, KR, TW, RU, UA, BG), local names; ㈱/㈜ reach here as 株/주
# after NFKC.
LEGAL_FORMS_CJK = frozenset({
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "株", "有",
    "有限公司", "股份有限公司", "有限责任公司", "有限責任公司", "股份公司", "公司", "集团有限公司",
    "주식회사", "유한회사", "유한책임회사", "합자회사", "합명회사", "주", "유",
    "ооо", "оао", "зао", "пао", "ао", "ип", "тов", "еоод", "оод", "ад",
})

# Words that name goods or services rather than their origin: hand-picked from
# the class headings of the Nice Classification (WIPO, 12th edition) and the
# words most often seen on shop signs, in English, German, French, Spanish,
# Italian, Russian, Chinese, Japanese and Korean.  Folded and without diacritics.
GENERIC_WORDS = frozenset({
    # English
    "coffee", "cafe", "tea", "bakery", "restaurant", "pizza", "pizzeria", "burger", "bar",
    "pub", "grill", "kitchen", "hotel", "hotels", "bank", "pharma", "pharmaceuticals",
    "pharmacy", "tech", "technology", "technologies", "software", "systems", "solutions",
    "group", "holding", "holdings", "international", "global", "services", "service",
    "shop", "store", "stores", "market", "supermarket", "foods", "food", "beverages",
    "drinks", "cola", "cosmetics", "beauty", "fashion", "clothing", "motors", "auto",
    "automotive", "airlines", "energy", "telecom", "media", "digital", "online", "labs",
    "design", "studio", "consulting", "capital", "finance", "insurance", "health",
    "medical", "clinic", "wines", "wine", "beer", "brewery", "water", "icecream",
    "donuts", "doughnuts", "chocolate", "electronics", "products", "industries",
    "trading", "logistics", "realty", "estate",
    # German
    "kaffee", "backerei", "apotheke", "versicherung", "technik", "gruppe", "handel",
    "brauerei", "moden", "immobilien", "bau", "werke",
    # French
    "boulangerie", "patisserie", "pharmacie", "banque", "assurance", "assurances",
    "groupe", "boutique", "vins", "biere", "cosmetique", "mode",
    # Spanish, Italian, Portuguese
    "farmacia", "panaderia", "banco", "seguros", "grupo", "ristorante", "trattoria",
    "caffe", "gelateria", "vini", "moda", "tienda", "negozio", "cerveza",
    # Russian
    "кофе", "кафе", "кола", "банк", "аптека", "ресторан", "отель", "маркет", "групп",
    "группа", "фарм", "строй",
    # Chinese (simplified and traditional), Japanese, Korean
    "咖啡", "银行", "銀行", "可乐", "可樂", "不动产", "不動產", "集团", "集團", "科技", "食品",
    "餐厅", "餐廳", "药业", "藥業", "酒店", "汽车", "汽車", "电子", "電子", "超市", "冰淇淋",
    # wine, as ESTATE, WINE and BREWERY above: 庄园 "estate" (拉菲庄园 is Château Lafite),
    # 酒庄 "winery", 葡萄酒 and 红酒 "wine", 酒业 "wine and spirits trade"
    "庄园", "莊園", "酒庄", "酒莊", "葡萄酒", "红酒", "紅酒", "酒业", "酒業", "ワイン", "와인",
    "コーヒー", "カフェ", "ホテル", "ストア", "自動車", "製薬", "電機", "不動産",
    "アイスクリーム", "ベーカリー", "レストラン", "グループ",
    "커피", "카페", "은행", "도넛", "베이커리", "호텔", "치킨", "피자", "전자", "제약",
    "식품", "그룹", "아이스크림", "자동차", "화장품",
})

# Definite articles that open a mark (THE BODY SHOP, LA PERLA, IL BISONTE, DER WAGEN): an
# examiner reads past them to the words that follow, so a leading one does not dominate (nor
# stand alone as a dominant word that another mark could contain).  English, French, Spanish,
# Italian and German, folded; left out are the one-letter ones (too short to matter), DIE
# (an English word as well) and DE (a preposition and a surname particle: DE BEERS).
LEADING_ARTICLES = frozenset({"the", "le", "la", "les", "el", "los", "las", "il", "lo", "gli", "der", "das"})

# Longest affixes first, so 股份有限公司 wins over 公司.
_CJK_AFFIXES = tuple(sorted((w for w in LEGAL_FORMS_CJK | GENERIC_WORDS
                             if not w.isascii() and len(w) >= 2),
                            key=lambda w: (-len(w), w)))
_CJK_PREFIXES = tuple(w for w in _CJK_AFFIXES if w in LEGAL_FORMS_CJK)
_MIN_CORE = 2


def _key(word: str) -> str:
    return strip_diacritics(word)


@lru_cache(maxsize=65536)
def split_affixes(word: str) -> tuple[str, ...]:
    """Cut legal forms and goods words off the start and end of a word
    written without spaces (Chinese, Japanese, Korean); the remaining name
    keeps at least two characters.

    >>> split_affixes("花旗银行"), split_affixes("크리스피크림도넛"), split_affixes("银行")
    (('花旗', '银行'), ('크리스피크림', '도넛'), ('银行',))
    """
    head: list[str] = []
    tail: list[str] = []
    core = word
    changed = True
    while changed:
        changed = False
        for prefix in _CJK_PREFIXES:
            if core.startswith(prefix) and len(core) - len(prefix) >= _MIN_CORE:
                head.append(prefix)
                core, changed = core[len(prefix):], True
                break
        for suffix in _CJK_AFFIXES:
            if core.endswith(suffix) and len(core) - len(suffix) >= _MIN_CORE:
                tail.insert(0, suffix)
                core, changed = core[: -len(suffix)], True
                break
    return (*head, core, *tail)


def _legal_tail(keys: list[str]) -> int:
    """How many words at the end of a mark form legal forms (keeping one).

    >>> _legal_tail(["acme", "gmbh"]), _legal_tail(["kiss", "me"]), _legal_tail(["day", "s", "p", "a"])
    (1, 0, 3)
    """
    end = len(keys)
    while end > 1:
        for size in (4, 3, 2, 1):
            start = end - size
            form = "".join(keys[start:end])
            if start >= 1 and form in LEGAL_FORMS and (size > 1 or form not in AMBIGUOUS_LEGAL_FORMS):
                end = start
                break
        else:
            break
    return len(keys) - end


def roles(words: tuple[str, ...]) -> tuple[str, ...]:
    """The role of each word: ``dominant``, ``generic`` or ``legal``.  When no
    word would dominate, the non-legal words (or, failing those, all words)
    dominate, since the mark must be compared on something.

    A leading article (THE, LA, DER, ...) followed by other words never dominates.

    >>> roles(("coffee", "shop")), roles(("aldi", "s", "a")), roles(("株式会社", "トヨタ"))
    (('dominant', 'dominant'), ('dominant', 'legal', 'legal'), ('legal', 'dominant'))
    >>> roles(("the", "hotels")), roles(("la", "perla")), roles(("the",))
    (('generic', 'dominant'), ('generic', 'dominant'), ('dominant',))
    """
    keys = [_key(w) for w in words]
    tail = _legal_tail(keys)
    article = len(keys) > 1 and keys[0] in LEADING_ARTICLES
    found: list[str] = []
    for i, key in enumerate(keys):
        if i >= len(keys) - tail or key in LEGAL_FORMS_CJK:
            found.append(LEGAL)
        elif key in GENERIC_WORDS or (i == 0 and article):
            found.append(GENERIC)
        else:
            found.append(DOMINANT)
    if DOMINANT not in found:
        # The generic words dominate then, but not a leading article (THE HOTELS is HOTELS)
        # unless it is all there is besides legal forms (THE LTD).
        found = [DOMINANT if r == GENERIC and not (i == 0 and article) else r for i, r in enumerate(found)]
        if DOMINANT not in found and article:
            found[0] = DOMINANT
        if DOMINANT not in found:
            found = [DOMINANT] * len(found)
    return tuple(found)
