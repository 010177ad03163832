"""Checks of what users give the watch lists: texts, classes, offices, thresholds, portfolio
names and webhook URLs, each a :class:`~marksearch.errors.UsageError` naming what is wrong.

The library checks them, so the CLI and the API refuse the same things with the same message.

>>> check_classes([32, 3, 32])
(3, 32)
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from marksearch.errors import UsageError
from marksearch.text import has_words
from marksearch.text.fold import compact_of, fold_tokens, strip_diacritics
from marksearch.text.keys import MAX_CHARS
from marksearch.vocab_data import office_problem

if TYPE_CHECKING:
    from marksearch.goods.base import TermBase

__all__ = [
    "MAX_TEXT",
    "check_classes",
    "check_goods",
    "check_name",
    "check_offices",
    "check_text",
    "check_threshold",
    "check_webhook_url",
    "clean",
    "portfolio_key",
    "goods_classes",
    "storable",
    "wording",
]

MAX_TEXT = 200  # as a search query (search.MAX_QUERY)


def check_webhook_url(url: str) -> str:
    """An http(s) URL that the sender can POST to, or :class:`UsageError`.

    The host must be an IP address or a domain name that encodes with IDNA (labels of 1 to 63
    letters, digits, hyphens or underscores), the port (if any) 1 to 65535; whitespace, control
    characters and backslashes are refused anywhere; other non-ASCII characters after the host
    are percent-encoded as UTF-8, as a browser sends them (what is stored, and shown, is the
    encoded URL).  A user name or password (``user:pass@``) is refused: the signature is the
    authentication, and the URL is shown back by the API and the CLI.

    >>> check_webhook_url("ftp://x")
    Traceback (most recent call last):
    marksearch.errors.UsageError: the webhook URL must start with http:// or https://, not 'ftp://x'
    >>> check_webhook_url("https://hooks.example/marké?q=ü")
    'https://hooks.example/mark%C3%A9?q=%C3%BC'
    """
    url = clean(url, "the webhook URL").strip()
    shown = repr(url[:80])
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cf") for c in url):
        raise UsageError(f"the webhook URL {shown} holds a space or a control character: "
                         "write a space as %20")
    if "\\" in url:  # urlsplit reads http://a.example\@b.example as host b.example, a person as a.example
        raise UsageError(f"the webhook URL {shown} holds a backslash: write it as %5C")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port or a bad IP literal
    except ValueError:
        raise UsageError(f"the webhook URL {shown} is not a URL (a bad port or IP address?)") from None
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"the webhook URL must start with http:// or https://, not {shown}")
    if "@" in parts.netloc:
        raise UsageError(f"the webhook URL {shown} holds a user name or password (before @): leave them out, "
                         "the signature authenticates the deliveries")
    if port == 0:
        raise UsageError(f"the webhook URL {shown} has port 0: a port is 1 to 65535")
    if not parts.hostname:
        raise UsageError(f"the webhook URL {shown} names no host")
    if (problem := _host_problem(parts.hostname, bracketed="[" in parts.netloc)) is not None:
        raise UsageError(f"the webhook URL {shown} has a host that is not a domain name: {problem}")
    after_host = len(parts.scheme) + 3 + len(parts.netloc)  # "http://" and the host as written
    return url[:after_host] + quote(url[after_host:], safe=_ASCII_SHOWN)


_ASCII_SHOWN = "".join(chr(c) for c in range(33, 127))  # left as they are; only non-ASCII is encoded
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")


def _host_problem(host: str, *, bracketed: bool = False) -> str | None:
    """What is wrong with a host name (``None``: nothing), read as the sender will send it (IDNA).

    ``bracketed``: written in brackets, an IPv6 address, which the sender can use without a zone
    (``%25eth0``: the interface is this machine's, and the sender cannot connect with one).  A
    name whose last label is all digits is no domain name: it must be an IPv4 address, four
    numbers of 0 to 255 (``999.999.999.999`` is neither).

    >>> _host_problem("a..b"), _host_problem("bücher.example"), _host_problem("fe80::1%25eth0", bracketed=True)
    ('an empty label (two dots in a row?)', None, 'an IPv6 address with a zone (%25...), which the sender cannot use')
    >>> _host_problem("999.999.999.999"), _host_problem("10.0.0.1"), _host_problem("::1", bracketed=True)
    ('its last label is digits only, yet it is not an IPv4 address (four numbers of 0 to 255)', None, None)
    """
    if bracketed:
        if "%" in host:
            return "an IPv6 address with a zone (%25...), which the sender cannot use"
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "not an IPv6 address"
        return None
    last = host.removesuffix(".").rsplit(".", 1)[-1]
    if last.isascii() and last.isdigit():
        try:
            ipaddress.IPv4Address(host)  # with a dot after it, the sender's resolver finds nothing
        except ValueError:
            return "its last label is digits only, yet it is not an IPv4 address (four numbers of 0 to 255)"
        return None
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_host = None
    labels = host.removesuffix(".").split(".")
    if any(not label for label in labels):
        return "an empty label (two dots in a row?)"
    if ascii_host is None:
        return "it cannot be encoded with IDNA (a label longer than 63 characters, or a character not allowed)"
    labels = ascii_host.lower().removesuffix(".").split(".")
    if len(ascii_host) > 253 or any(len(label) > 63 for label in labels):
        return "a domain name has labels of at most 63 characters and at most 253 in all"
    if bad := next((label for label in labels if not _LABEL.fullmatch(label)), None):
        return f"the label {bad[:63]!r} is not letters, digits, hyphens and underscores (nor starts or ends with a hyphen)"
    return None


def clean(text: str, what: str) -> str:
    """``text`` when it can be stored in both databases, else :class:`UsageError`.

    >>> clean("KO\\x00KA", "the mark")
    Traceback (most recent call last):
    marksearch.errors.UsageError: the mark holds a control character
    """
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):  # PostgreSQL text cannot hold NUL
        raise UsageError(f"{what} holds a control character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{what} is not valid Unicode (a lone surrogate)") from None
    return text


def check_goods(goods: str | None) -> str | None:
    """A watched mark's goods as stored (blank: none), or :class:`UsageError`: at most
    :data:`marksearch.search.MAX_GOODS` characters and ``MAX_GOODS_ITEMS`` items, as the API
    and a search's goods are checked (each item is read against the term base, at a cost).

    >>> check_goods(" coffee; tea ")
    'coffee; tea'
    """
    from marksearch.goods.tokens import split_terms
    from marksearch.search import MAX_GOODS
    from marksearch.web.service import MAX_GOODS_ITEMS

    text = clean(goods or "", "the goods").strip()
    if not text:
        return None
    if len(text) > MAX_GOODS:
        raise UsageError(f"the goods are longer than {MAX_GOODS} characters")
    items = split_terms(text)
    if not items:
        raise UsageError("name the goods or services, e.g. 'coffee; tea' (one per line or separated by ';')")
    if len(items) > MAX_GOODS_ITEMS:
        raise UsageError(f"at most {MAX_GOODS_ITEMS} goods or services, not {len(items)}")
    return text


def check_threshold(value: float) -> float:
    """A threshold above 0 and at most 1, or :class:`UsageError` (``True`` is not a number here,
    though Python counts it as 1).

    >>> check_threshold(True)
    Traceback (most recent call last):
    marksearch.errors.UsageError: the threshold must be a number above 0 and at most 1, not True
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value <= 1.0:
        raise UsageError(f"the threshold must be a number above 0 and at most 1, not {value!r}")
    return float(value)


def check_text(text: str) -> str:
    text = clean(text, "the watched mark's text").strip()
    if not text:
        raise UsageError("the watched mark's text is empty")
    if len(text) > MAX_TEXT:
        raise UsageError(f"the watched mark's text is longer than {MAX_TEXT} characters")
    if not has_words(text):
        raise UsageError(f"the watched mark's text {text!r} has no letters or digits to compare")
    return text


def check_offices(offices: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(o.strip().upper() for o in offices if o.strip()))
    for code in codes:
        if (problem := office_problem(code)) is not None:
            raise UsageError(f"{problem}: an office is a two-letter code (EM, US, KR, ...)")
    return codes


def check_classes(classes: Sequence[int]) -> tuple[int, ...]:
    for c in classes:
        if isinstance(c, bool) or not _whole_number(c) or not 1 <= int(c) <= 45:
            raise UsageError(f"a Nice class is a number from 1 to 45, not {c!r}")
    return tuple(sorted({int(c) for c in classes}))


def _whole_number(value: object) -> bool:
    """An int, or a float with nothing after the point (what JSON may give for a class)."""
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())


def goods_classes(goods: str, base: TermBase | None = None) -> tuple[int, ...]:
    """The Nice classes of a goods description: the best class of each item the term base
    knows (``marksearch goods``), read against ``base`` (the register's, which holds the
    languages of its goods; else the shipped one).  An item no term comes near (confidence
    0) gives no class: a guessed class would be a filter that hides the real conflicts.

    >>> goods_classes("coffee; phone cases")
    (9, 30)
    >>> goods_classes("coffee; xyzzy")
    (30,)
    """
    from marksearch.goods.analysis import analyse

    items = analyse(goods, base=base).items
    found = tuple(sorted({item.best_class for item in items if item.best_class and item.confidence > 0}))
    if not found:
        raise UsageError(f"no Nice class could be read from the goods {goods[:80]!r}; give --class instead")
    return found


def wording(text: str) -> str:
    """A mark's wording as its keys read it: ``mark_keys(text).plain`` (case, accents, spaces,
    hyphens and other punctuation aside), without computing the other keys.

    >>> {wording(t) for t in ("KOKA", "KO-KA", "Kóka", "K O K A")}
    {'koka'}
    """
    return strip_diacritics(compact_of(fold_tokens(text[:MAX_CHARS])))


def check_name(name: str) -> str:
    """A portfolio name as stored: spaces around it dropped, in Unicode's composed form (NFC), so
    that "Café" typed with a combining accent (as macOS file names and some keyboards give it)
    is the portfolio "Café", not a second one.

    >>> check_name(" Cafe\u0301 ") == "Caf\u00e9"
    True
    """
    name = portfolio_key(clean(name, "the portfolio name"))
    if not name or len(name) > 100:
        raise UsageError("a portfolio name has 1 to 100 characters")
    return name


def portfolio_key(name: str) -> str:
    """A portfolio name as it is stored and looked up: stripped, NFC (:func:`check_name`)."""
    return unicodedata.normalize("NFC", name.strip())


def storable(text: str) -> bool:
    """Whether ``text`` could be stored (:func:`clean` finds nothing): a look-up of one that
    could not finds nothing, without asking the database."""
    try:
        clean(text, "")
    except UsageError:
        return False
    return True
