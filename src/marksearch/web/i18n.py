"""Interface languages: gettext catalogues compiled at start, Babel for numbers, dates and names.

The catalogues are the ``.po`` files under ``locales/`` (``messages.pot`` is
extracted from the templates and this package with ``babel.cfg``; the
workflow is in ``docs/web.md``).  No ``.mo`` file is kept: each ``.po`` is
compiled in memory when the app starts.  Each language gets its own Jinja2
environment with its translations installed, so a page never sees another
request's language.

>>> zh = Catalogs().get("zh")
>>> zh.gettext("Trademark search"), zh.language.tag
('商标检索', 'zh-Hans')
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import babel
import babel.dates
import babel.numbers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, PackageLoader

from marksearch.scoring.shown import shown_score
from marksearch.vocab_data import office

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "Catalogs",
    "Language",
    "Translator",
    "locale_dir",
    "negotiate",
    "read_catalog",
]


@dataclass(frozen=True)
class Language:
    code: str  # in URLs and the cookie
    locale: str  # the catalogue's folder and Babel's locale
    tag: str  # BCP 47, for <html lang> and hreflang
    name: str  # in the language itself


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en", "en", "English"),
    "zh": Language("zh", "zh_Hans", "zh-Hans", "简体中文"),
    "ko": Language("ko", "ko", "ko", "한국어"),
    "ja": Language("ja", "ja", "ja", "日本語"),
}
DEFAULT = "en"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


# Words of the library's vocabularies, as the interface names them.
STATUS_LABELS = {
    "live": N_("Live (pending, registered, unknown)"),
    "all": N_("All statuses"),
    "pending": N_("Pending"),
    "registered": N_("Registered"),
    "ended": N_("Ended"),
    "unknown": N_("Status unknown"),
}
FEATURE_LABELS = {
    "word": N_("Word mark"),
    "stylised": N_("Stylised word mark"),
    "figurative": N_("Figurative mark"),
    "combined": N_("Combined mark"),
    "3d": N_("Three-dimensional mark"),
    "colour": N_("Colour mark"),
    "sound": N_("Sound mark"),
    "position": N_("Position mark"),
    "pattern": N_("Pattern mark"),
    "motion": N_("Motion mark"),
    "hologram": N_("Hologram mark"),
    "multimedia": N_("Multimedia mark"),
    "other": N_("Other mark"),
    "unknown": N_("Type unknown"),
}
KIND_LABELS = {
    "individual": N_("Individual mark"),
    "collective": N_("Collective mark"),
    "certification": N_("Certification mark"),
    "unknown": N_("Kind unknown"),
}
SIGNAL_LABELS = {
    "spelling": N_("Spelling"),
    "sound": N_("Sound"),
    "cross_script": N_("Across scripts"),
    "containment": N_("Containment"),
    "goods": N_("Goods and services"),
}
# Every role a reader gives a record's dates (records.DATE_ROLES and the office-specific ones of
# formats/kipris.py and formats/uspto_daily.py); tests/test_web_hardening.py checks none is missing.
DATE_LABELS = {
    "filing": N_("Filing date"),
    "registration": N_("Registration date"),
    "expiry": N_("Expiry date"),
    "publication": N_("Publication date"),
    "status": N_("Status date"),
    "renewal": N_("Renewal date"),
    "registration_publication": N_("Registration publication date"),
    "international_registration": N_("International registration date"),
    "abandonment": N_("Abandonment date"),
    "cancellation": N_("Cancellation date"),
    "first_use": N_("First use date"),
    "first_use_in_commerce": N_("First use in commerce date"),
}
PARTY_LABELS = {
    "applicant": N_("Applicant"),
    "owner": N_("Owner"),
    "representative": N_("Representative"),
}
PARAM_LABELS = {
    "q": N_("Mark"),
    "office": N_("Office"),
    "cls": N_("Nice class"),
    "status": N_("Status"),
    "feature": N_("Mark type"),
    "filed_from": N_("Filed from"),
    "filed_to": N_("Filed to"),
    "owner": N_("Owner or applicant"),
    "goods": N_("Goods and services"),
    "page": N_("Page"),
    "per_page": N_("Per page"),
}
CHANGE_LABELS = {
    "insert": N_("added to the register"),
    "update": N_("replaced by a newer version"),
    "delete": N_("deleted"),
    "rekey": N_("text keys computed again"),
}
# ST.3 organisation names (shipped in English only; states are named by CLDR through Babel).
ORGANISATION_NAMES = {
    "AP": N_("African Regional Intellectual Property Organization"),
    "BX": N_("Benelux Office for Intellectual Property"),
    "EA": N_("Eurasian Patent Organization"),
    "EM": N_("European Union Intellectual Property Office"),
    "EP": N_("European Patent Office"),
    "GC": N_("Patent Office of the Cooperation Council for the Arab States of the Gulf"),
    "IB": N_("International Bureau of WIPO"),
    "OA": N_("African Intellectual Property Organization"),
    "QZ": N_("Community Plant Variety Office"),
    "WO": N_("World Intellectual Property Organization"),
    "XN": N_("Nordic Patent Institute"),
    "XU": N_("International Union for the Protection of New Varieties of Plants"),
    "XV": N_("Visegrad Patent Institute"),
}

# The scorer's reasons (marksearch.scoring.signals) are English sentences
# around marks; each known shape is translated with its marks kept as they are.
# So are the goods library's: the goods signal's reasons for a description
# (marksearch.goods.analysis._signals) and the reasons of the pairs of goods
# that overlap (marksearch.goods.similarity.pair), goods terms kept as they are.
# A reason of another shape is shown as the scorer wrote it.  Where one shape
# ends another ("... (weak match)"), the longer comes first.
_ANY = r"(?P<{}>.+?)"
# The placeholders of a shape: marks or values ({a} to {d}), numbers ({n}, {m}), a message of its own
# ({msg}), a parameter's name ({param}).
_PLACES = {**{k: _ANY.format(k) for k in "abcd"}, "n": r"(?P<n>-?\d+)", "m": r"(?P<m>\d+)",
           "msg": r"(?P<msg>.+)", "param": r"(?P<param>[A-Za-z_][A-Za-z0-9_]*)"}


def _shapes(pairs: list[tuple[str, str]]) -> list[tuple[re.Pattern[str], str]]:
    """``(shape, msgid)`` pairs with their placeholders made regular expressions."""
    return [(re.compile(shape.format(**_PLACES)), msgid) for shape, msgid in pairs]


REASONS: list[tuple[re.Pattern[str], str]] = _shapes([
    (r"^sounds like: {a} ~ {b}$", N_("sounds like: %(a)s ~ %(b)s")),
    (r"^sounds partly like: {a} ~ {b}$", N_("sounds partly like: %(a)s ~ %(b)s")),
    (r"^transliteration: {a} reads {b} \(in part\) ~ {c} reads {d} \(in part\)$",
     N_("transliteration: %(a)s reads %(b)s (in part) ~ %(c)s reads %(d)s (in part)")),
    (r"^transliteration: {a} reads {b} \(in part\) ~ {c} reads {d}$",
     N_("transliteration: %(a)s reads %(b)s (in part) ~ %(c)s reads %(d)s")),
    (r"^transliteration: {a} reads {b} ~ {c} reads {d} \(in part\)$",
     N_("transliteration: %(a)s reads %(b)s ~ %(c)s reads %(d)s (in part)")),
    (r"^transliteration: {a} reads {b} ~ {c} reads {d}$",
     N_("transliteration: %(a)s reads %(b)s ~ %(c)s reads %(d)s")),
    (r"^transliteration: {a} ~ {b}, partly alike in sound$",
     N_("transliteration: %(a)s ~ %(b)s, partly alike in sound")),
    (r"^transliteration: {a} ~ {b}, alike in sound$", N_("transliteration: %(a)s ~ %(b)s, alike in sound")),
    (r"^spelling: identical$", N_("spelling: identical")),
    (r"^spelling: looks alike \({a} ~ {b}\)$", N_("spelling: looks alike (%(a)s ~ %(b)s)")),
    (r"^spelling: same letters \({a} ~ {b}\)$", N_("spelling: same letters (%(a)s ~ %(b)s)")),
    (r"^spelling: same dominant words \({a} ~ {b}\)$", N_("spelling: same dominant words (%(a)s ~ %(b)s)")),
    (r"^spelling: dominant words 1 letter differs \({a} ~ {b}\)$",
     N_("spelling: dominant words 1 letter differs (%(a)s ~ %(b)s)")),
    (r"^spelling: dominant words {n} letters differ \({a} ~ {b}\)$",
     N_("spelling: dominant words %(n)s letters differ (%(a)s ~ %(b)s)")),
    (r"^spelling: 1 letter differs \({a} ~ {b}\)$", N_("spelling: 1 letter differs (%(a)s ~ %(b)s)")),
    (r"^spelling: {n} letters differ \({a} ~ {b}\)$", N_("spelling: %(n)s letters differ (%(a)s ~ %(b)s)")),
    (r"^contains: {a} \(from {b}\) in {c}$", N_("contains: %(a)s (from %(b)s) in %(c)s")),
    (r"^contains: {a} in {b}$", N_("contains: %(a)s in %(b)s")),
    (r"^contains, looks alike: {a} \(from {b}\) in {c}$",
     N_("contains, looks alike: %(a)s (from %(b)s) in %(c)s")),
    (r"^contains, looks alike: {a} in {b}$", N_("contains, looks alike: %(a)s in %(b)s")),
    (r"^goods: same class {n}$", N_("goods: same class %(n)s")),
    (r"^goods: related classes {a} ~ {b}$", N_("goods: related classes %(a)s ~ %(b)s")),
    (r"^goods: no classes to compare$", N_("goods: no classes to compare")),
    (r"^goods: unrelated classes$", N_("goods: unrelated classes")),
    # the goods signal of a goods description
    (r"^goods: {a} \(class {n}\) ~ class {m} \(weak match\)$",
     N_("goods: %(a)s (class %(n)s) ~ class %(m)s (weak match)")),
    (r"^goods: {a} \(class {n}\) ~ class {m}$", N_("goods: %(a)s (class %(n)s) ~ class %(m)s")),
    (r"^goods: {a} \({n}\) related to {m} {b} \(weak match\)$",
     N_("goods: %(a)s (%(n)s) related to %(m)s %(b)s (weak match)")),
    (r"^goods: {a} \({n}\) related to {m} {b}$",
     N_("goods: %(a)s (%(n)s) related to %(m)s %(b)s")),
    (r"^goods: {a} unrelated to class {m} \(weak match\)$",
     N_("goods: %(a)s unrelated to class %(m)s (weak match)")),
    (r"^goods: {a} unrelated to class {m}$", N_("goods: %(a)s unrelated to class %(m)s")),
    (r"^goods: no goods in the description$", N_("goods: no goods in the description")),
    (r"^goods: {a} not recognised$", N_("goods: %(a)s not recognised")),
    # goods that overlap
    (r"^same term: {a} ~ {b} \(class {n}\)$", N_("same term: %(a)s ~ %(b)s (class %(n)s)")),
    (r"^same term: {a} ~ {b}$", N_("same term: %(a)s ~ %(b)s")),
    (r"^same similar group {c} \({d}\): {a} ~ {b}$", N_("same similar group %(c)s (%(d)s): %(a)s ~ %(b)s")),
    (r"^same class {n}: {a} ~ {b} \(similar wording\)$",
     N_("same class %(n)s: %(a)s ~ %(b)s (similar wording)")),
    (r"^same class {n}: {a} ~ {b}$", N_("same class %(n)s: %(a)s ~ %(b)s")),
    (r"^related classes {n} ~ {m}: {a} ~ {b}$", N_("related classes %(n)s ~ %(m)s: %(a)s ~ %(b)s")),
    (r"^similar wording: {a} \({c}\) ~ {b} \({d}\)$", N_("similar wording: %(a)s (%(c)s) ~ %(b)s (%(d)s)")),
])


# Error details and other English the pages show that the web layer or the library wrote (the search's
# parameter checks in web/service.py, the watch routes', HTTP's, a record's position in its file): each
# known shape is translated with its values kept as they are; a group named ``msg`` is itself such a
# message.  A detail of another shape is shown as it is (or from the catalogue, where marked N_).
# Where one shape ends another, the longer comes first.
MESSAGES: list[tuple[re.Pattern[str], str]] = _shapes([
    # records (web/service.py), first: the office's problem may follow
    (r"^no mark {a} in this register; did you mean {b}\?$",
     N_("There is no mark %(a)s in this register; did you mean %(b)s?")),
    (r"^no mark {a} in this register; {msg}$", N_("There is no mark %(a)s in this register; %(msg)s")),
    (r"^no mark {a} in this register$", N_("There is no mark %(a)s in this register.")),
    # the search's parameters (web/service.py) and the office codes (vocab_data.office_problem)
    (r"^give the mark to search for$", N_("give the mark to search for")),
    (r"^is not valid Unicode text$", N_("is not valid Unicode text")),
    (r"^is not valid UTF-8$", N_("is not valid UTF-8")),
    (r"^at most {n} characters$", N_("at most %(n)s characters")),
    (r"^has no letters or digits to compare$", N_("has no letters or digits to compare")),
    (r"^at most {n} values$", N_("at most %(n)s values")),
    (r"^{a} is not a WIPO ST\.3 office code \(the EUIPO's is EM\)$",
     N_("%(a)s is not a WIPO ST.3 office code (the EUIPO's is EM)")),
    (r"^{a} is not a WIPO ST\.3 office code$", N_("%(a)s is not a WIPO ST.3 office code")),
    (r"^Nice classes run from 1 to 45, not {n}$", N_("Nice classes run from 1 to 45, not %(n)s")),
    (r"^{a} is not one of {b}$", N_("%(a)s is not one of %(b)s")),
    (r"^is before filed_from$", N_("is before filed_from")),
    (r"^name the goods or services, e\.g\. 'coffee; tea' \(one per line or separated by ';'\)$",
     N_("name the goods or services, e.g. 'coffee; tea' (one per line or separated by ';')")),
    (r"^at most {n} goods or services, not {m}$", N_("at most %(n)s goods or services, not %(m)s")),
    (r"^pages start at 1$", N_("pages start at 1")),
    (r"^between 1 and {n}$", N_("between 1 and %(n)s")),
    (r"^{a} is not a whole number$", N_("%(a)s is not a whole number")),
    (r"^{a} is not a date \(YYYY-MM-DD\)$", N_("%(a)s is not a date (YYYY-MM-DD)")),
    # HTTP, the token and the exports (web/app.py, web/watch.py, web/api.py)
    (r"^this server asks for a token$", N_("This server asks for a token.")),
    (r"^watch lists need a token: start the server with marksearch serve --token$",
     N_("Watch lists need a token: start the server with marksearch serve --token.")),
    (r"^no export format {a}; use {b}$", N_("There is no export format %(a)s; use %(b)s.")),
    (r"^the Content-Length header is not a number$", N_("The Content-Length header is not a number.")),
    (r"^a request body has at most {n} bytes$", N_("A request body has at most %(n)s bytes.")),
    (r"^the form is longer than {n} bytes$", N_("The form is longer than %(n)s bytes.")),
    (r"^the seen form is sent as {a}, not {b}$", N_("The form is sent as %(a)s, not %(b)s.")),
    (r"^the seen form is sent as {a}, with no Content-Type$", N_("The form is sent as %(a)s; this one has no type.")),
    (r"^an unexpected error; it has been logged$", N_("An unexpected error; it has been logged.")),
    # the watch routes (web/watch.py)
    # the library's, whose hint names the CLI command that lists what there is: not a page's
    (r"^no portfolio {a} \(marksearch watch portfolio list\)$", N_("There is no portfolio %(a)s.")),
    (r"^no portfolio {a}$", N_("There is no portfolio %(a)s.")),
    (r"^no watched mark {a}$", N_("There is no watched mark %(a)s.")),
    (r"^no alert {a}$", N_("There is no alert %(a)s.")),
    (r"^give alert ids, or all: true$", N_("give alert ids, or all: true")),
    (r"^at most {n} alert ids, not {m}$", N_("at most %(n)s alert ids, not %(m)s")),
    (r"^{a} is not an alert id \(a whole number from 1 to {n}\)$",
     N_("%(a)s is not an alert id (a whole number from 1 to %(n)s)")),
    (r"^belongs in the form's body, not in the query string$",
     N_("belongs in the form's body, not in the query string")),
    (r"^give one portfolio$", N_("give one portfolio")),
    (r"^a portfolio name has 1 to 100 characters$", N_("a portfolio name has 1 to 100 characters")),
    # a record's position in its source file (the readers' Provenance.position)
    (r"^line {n}$", N_("line %(n)s")),
    (r"^record {n}$", N_("record %(n)s")),
    (r"^{a} line {n}$", N_("%(a)s, line %(n)s")),
    # FastAPI's checks of the declared parameters (pydantic's words, as a 422 names them)
    (r"^String should have at most {n} characters?$", N_("at most %(n)s characters")),
    (r"^String should have at least {n} characters?$", N_("at least %(n)s characters")),
    (r"^Input should be greater than or equal to {n}$", N_("at least %(n)s")),
    (r"^Input should be less than or equal to {n}$", N_("at most %(n)s")),
    (r"^Input should be a valid integer, unable to parse string as an integer$", N_("is not a whole number")),
    (r"^Input should be a valid boolean, unable to interpret input$", N_("is not true or false")),
    (r"^Field required$", N_("is required")),
    (r"^String should match pattern {a}$", N_("is not in the expected form")),
    (r"^Input should be {a}$", N_("should be %(a)s")),
    # a parameter at fault and why (BadParameter's message), last: the least particular
    (r"^{param}: {msg}$", N_("%(param)s: %(msg)s")),
])


def locale_dir() -> Path:
    """The folder of the catalogues (``<locale>/LC_MESSAGES/messages.po`` and ``messages.pot``)."""
    return Path(str(resources.files("marksearch.web") / "locales"))


def read_catalog(locale: str) -> Catalog:
    with (locale_dir() / locale / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=locale)


def _compile(catalog: Catalog) -> gettext.GNUTranslations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # fuzzy entries are left out, as msgfmt does
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """One language: its translations, Babel formatting and its Jinja2 environment."""

    def __init__(self, language: Language, translations: gettext.GNUTranslations) -> None:
        self.language = language
        self.translations = translations
        self.locale = babel.Locale.parse(language.locale)
        self.env = _environment(self)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def number(self, value: float) -> str:
        return babel.numbers.format_decimal(value, locale=self.locale)

    def score(self, value: float) -> str:
        """A score on the 0 to 1 scale, three decimals (:func:`~marksearch.scoring.shown_score`)."""
        return babel.numbers.format_decimal(shown_score(value), format="0.000", locale=self.locale)

    def date(self, value: Any, fmt: str = "medium") -> str:
        """An ISO date string or date in the language's own form; other text as it is."""
        if not value:
            return ""
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
        return babel.dates.format_date(day, format=fmt, locale=self.locale)

    def datetime(self, value: Any) -> str:
        """An ISO date and time in UTC, in the language's own form, naming the zone where the
        language puts it (a reader in Tokyo must not take 10:23 for local time); a time without
        a zone is read as UTC, as the register writes them.

        >>> Catalogs().get("ja").datetime("2026-11-21T10:23:13+00:00")
        '2026/11/21 10:23:13 UTC'
        """
        if not value:
            return ""
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        # Babel's medium date-time, with the long time format, the one that names the zone (z)
        day = babel.dates.format_date(moment.date(), format="medium", locale=self.locale)
        time = babel.dates.format_time(moment, format="long", tzinfo=dt.UTC, locale=self.locale)
        pattern = str(babel.dates.get_datetime_format("medium", locale=self.locale)).replace("'", "")
        return pattern.replace("{0}", time).replace("{1}", day)

    def language_name(self, code: str | None) -> str:
        if not code:
            return ""
        try:
            return str(babel.Locale.parse(code.replace("-", "_")).get_display_name(self.locale) or code)
        except (ValueError, babel.UnknownLocaleError):
            return code

    def office_name(self, code: str) -> str:
        """An office's name in this language: CLDR names for states, the catalogue for organisations."""
        known = office(code)
        if code in ORGANISATION_NAMES:
            return self.gettext(ORGANISATION_NAMES[code])
        if known.kind == "state":
            if self.language.code == "zh" and known.name_zh:
                return known.name_zh
            return str(self.locale.territories.get(code) or known.name_en)
        return known.name_en

    def reason(self, text: str) -> str:
        """A scorer's reason in this language (its marks unchanged)."""
        for pattern, message in REASONS:
            found = pattern.match(text)
            if found:
                return self.gettext(message) % found.groupdict()
        return text

    def message(self, text: str) -> str:
        """An error detail (or a record's position) in this language, its values unchanged; a
        message of no known shape from the catalogue, else as it is.

        >>> Catalogs().get("ja").message("cls: Nice classes run from 1 to 45, not 46")
        'cls：ニース分類は 1 から 45 まで（46 ではありません）'
        """
        if not text:
            return text  # gettext("") is the catalogue's header
        for pattern, message in MESSAGES:
            found = pattern.match(text)
            if found:
                values = found.groupdict()
                if values.get("msg") is not None:
                    values["msg"] = self.message(values["msg"])
                return self.gettext(message) % values
        return self.gettext(text)

    def label(self, table: Mapping[str, str], key: str) -> str:
        return self.gettext(table[key]) if key in table else key


def _environment(t: Translator) -> Environment:
    env = Environment(
        loader=PackageLoader("marksearch.web", "templates"),
        autoescape=True,  # marks, owners and goods are data from offices and users
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=html_text,
    )
    env.install_gettext_translations(t.translations, newstyle=True)  # type: ignore[attr-defined]
    filters: dict[str, Callable[..., str]] = {
        "number": t.number, "date": t.date, "datetime": t.datetime, "language_name": t.language_name,
        "office_name": t.office_name, "reason": t.reason, "score": t.score, "message": t.message,
        "param_label": lambda k: t.label(PARAM_LABELS, k),
        "status_label": lambda k: t.label(STATUS_LABELS, k),
        "feature_label": lambda k: t.label(FEATURE_LABELS, k),
        "kind_label": lambda k: t.label(KIND_LABELS, k),
        "signal_label": lambda k: t.label(SIGNAL_LABELS, k),
        "date_label": lambda k: t.label(DATE_LABELS, k),
        "party_label": lambda k: t.label(PARTY_LABELS, k),
        "change_label": lambda k: t.label(CHANGE_LABELS, k),
    }
    env.filters.update(filters)
    env.tests["web_url"] = is_web_url
    return env


# C0 controls but tab, line feed and carriage return, DEL and the C1 controls: HTML cannot hold them
# (a NUL is dropped or replaced by the parser, an XML reader refuses the page; HTML's "control"
# code points are parse errors), though a record's text may (JSON Lines).
_NOT_HTML = {c: "\ufffd" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))}


def html_text(value: Any) -> Any:
    """A value as a page writes it (every ``{{ }}``): a text's control characters as U+FFFD (but
    tab, line feed and carriage return); the stored data and the JSON keep them.

    >>> html_text("KO\\x00KA\\tX\\x1f\\x7f\\x85É") == "KO\\ufffdKA\\tX\\ufffd\\ufffd\\ufffdÉ", html_text(3)
    (True, 3)
    """
    return value.translate(_NOT_HTML) if isinstance(value, str) else value


def is_web_url(value: object) -> bool:
    """An http(s) URL, which a page may show as an image (a bare file name it cannot)."""
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


class Catalogs:
    """Every interface language, compiled once."""

    def __init__(self) -> None:
        self.translators = {
            code: Translator(lang, _compile(read_catalog(lang.locale))) for code, lang in LANGUAGES.items()
        }

    def get(self, code: str) -> Translator:
        return self.translators.get(code) or self.translators[DEFAULT]


def negotiate(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language: ``?lang=``, else the cookie, else Accept-Language, else English.

    >>> negotiate(None, None, "ko-KR,ko;q=0.9,en;q=0.8"), negotiate("zh", "ko", None)
    ('ko', 'zh')
    >>> negotiate(None, None, "fr;q=1, zh-TW;q=0.5, en;q=0.4")
    'zh'
    """
    for choice in (asked, cookie):
        if choice in LANGUAGES:
            return str(choice)
    return _from_header(accept_language or "")


def _from_header(header: str) -> str:
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else DEFAULT
