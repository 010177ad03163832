"""Webhook delivery: signed POSTs from an outbox, retried with exponential backoff.

An alert of a portfolio that has a webhook is put in the outbox (the table
``watch_outbox``) in the same transaction that stores the alert, with its
JSON body fixed then.  :func:`deliver` sends what is due:

- ``POST`` to the portfolio's URL, the body as stored, and the headers
  ``X-Marksearch-Event`` (``alert.created`` or ``alert.changed``),
  ``X-Marksearch-Delivery`` (a UUID, the same on every retry: the receiver's
  idempotency key), ``X-Marksearch-Timestamp`` (Unix seconds of this attempt)
  and ``X-Marksearch-Signature: sha256=<hex>``, the HMAC-SHA256 with the
  portfolio's secret of ``<timestamp>.<body>`` (:func:`sign`; receivers check
  it with :func:`verify`);
- a 2xx answer marks it delivered; anything else (another status, a refused
  connection, a timeout) counts an attempt and sets the next one
  ``Backoff.delay(attempts)`` later: 30 s, 1 min, 2 min, ... up to 6 h, with
  no limit on attempts, so nothing is dropped while the receiver is down;
- a delivery is leased just before it is sent, one at a time (its next
  attempt moves a minute or more ahead first), so two ``watch deliver``
  running at once do not send it twice, and one that dies mid-way is retried
  after the lease;
- any exception while one delivery is made or sent (a URL stored before it
  was checked as now, a sender that raises) is a failed attempt of that
  delivery alone, retried like the others: it never stops the rest, nor the
  ingest that sends them;
- a receiver's host that does not answer (a timeout, a refused connection) is
  tried once a call: its other deliveries due are left due, untouched, for
  the next call, so a webhook that never answers costs one timeout a call,
  not one per delivery waiting for it.

Delivery is at least once: a receiver that answered 2xx but whose answer
was lost gets the delivery again, with the same ``X-Marksearch-Delivery``.

The clock and the sender are parameters, so tests run the backoff without waiting.

>>> sign("s3cret-s3cret-s3cret", 1700000000, b'{"a":1}')
'sha256=79a6c445ff099c53dc2ea6b6df3e4609699187aa67857a2783882ea8fd1e5c11'
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import hmac
import http.client
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from marksearch import __version__
from marksearch.store import Store
from marksearch.watch.storage import Delivery, WatchStore, iso, utcnow

__all__ = ["Backoff", "DeliverySummary", "Send", "connection", "deliver", "http_post", "sign", "verify"]

Send = Callable[[str, bytes, Mapping[str, str], float], int]
"""``send(url, body, headers, timeout)``: the HTTP status, or an ``OSError`` when nothing answered
(any other exception is taken as a failed attempt too)."""

SIGNATURE = "X-Marksearch-Signature"
TIMESTAMP = "X-Marksearch-Timestamp"
DELIVERY = "X-Marksearch-Delivery"
EVENT = "X-Marksearch-Event"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for a body sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, body: bytes, timestamp: str, signature: str, *, now: float | None = None,
           tolerance: float = 300.0) -> bool:
    """A receiver's check: the signature is right and the timestamp within ``tolerance`` seconds of now.

    >>> body = b'{"id": "x"}'
    >>> verify("s3cret-s3cret-s3cret", body, "1700000000", sign("s3cret-s3cret-s3cret", 1700000000, body),
    ...        now=1700000010)
    True
    """
    import time

    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)


@dataclass(frozen=True)
class Backoff:
    """How long to wait before the next attempt: ``base * 2 ** (attempts - 1)``, at most ``cap``."""

    base: dt.timedelta = dt.timedelta(seconds=30)
    cap: dt.timedelta = dt.timedelta(hours=6)

    def delay(self, attempts: int) -> dt.timedelta:
        """After ``attempts`` failed attempts.

        >>> [Backoff().delay(n).total_seconds() for n in (1, 2, 3, 20)]
        [30.0, 60.0, 120.0, 21600.0]
        """
        return min(self.base * (1 << min(max(attempts - 1, 0), 30)), self.cap)


@dataclass
class DeliverySummary:
    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0  # still waiting after this run (failed ones and those not due yet)
    deferred: int = 0  # of those, due but not tried: their receiver's host did not answer this run
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"attempted": self.attempted, "delivered": self.delivered, "failed": self.failed,
                "pending": self.pending, "deferred": self.deferred, "errors": self.errors}


def connection(url: str, timeout: float) -> http.client.HTTPConnection:
    """The (unopened) connection for a webhook URL; a bad URL is a :class:`ValueError`.

    The port is always given: without one, ``http.client`` reads the last group of a bare IPv6
    address as its port (``[::1]`` became host ``:`` and port 1, ``[2001:db8::abcd]`` a
    "nonnumeric port"), so such a webhook was never delivered."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    if https:
        return http.client.HTTPSConnection(parts.hostname or "", port, timeout=timeout,
                                           context=ssl.create_default_context())
    return http.client.HTTPConnection(parts.hostname or "", port, timeout=timeout)


def http_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST with the standard library; redirects are not followed (a 3xx is a failed attempt).

    Whatever goes wrong, the URL included (one stored before it was checked as now), is an
    :class:`OSError`."""
    conn: http.client.HTTPConnection | None = None
    try:
        conn = connection(url, timeout)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=body, headers=dict(headers))
        response = conn.getresponse()
        response.read(64 * 1024)
        return int(response.status)
    except http.client.HTTPException as exc:
        raise OSError(f"bad HTTP answer: {type(exc).__name__}") from None
    except ValueError as exc:  # a bad URL or header: InvalidURL, UnicodeError (IDNA), a bad port
        raise OSError(f"cannot send to this URL: {type(exc).__name__}: {exc}") from None
    finally:
        if conn is not None:
            conn.close()


def deliver(store: Store, *, clock: Callable[[], dt.datetime] = utcnow, send: Send = http_post,
            backoff: Backoff = Backoff(), timeout: float = 10.0) -> DeliverySummary:
    """Send every delivery due now, once each; see the module docstring.

    Each delivery is claimed (leased) just before it is sent, one at a time: a lease taken
    for a whole batch would run out while the batch's first ones are sent, and another
    sender would then send the last ones too.  Only those due when this call began are
    sent, so one that fails here waits for its backoff.

    A receiver's host that does not answer (a timeout, a refused connection, a name that does
    not resolve) is tried once a call: its other deliveries due are left as they are, due, for
    the next call (``deferred``), so an unreachable webhook costs one ``timeout`` per call
    rather than one per delivery waiting for it."""
    ws = WatchStore(store)
    summary = DeliverySummary()
    lease = dt.timedelta(seconds=max(60.0, 3 * timeout))
    began = clock()
    tried: set[int] = set()
    down: set[tuple[str, int | None]] = set()  # hosts that did not answer in this call
    skipped: set[int] = set()  # portfolios whose webhook is on one of them
    while (delivery := ws.claim_next(clock(), due_by=began, lease=lease, skip=skipped)) is not None:
        if delivery.id in tried:  # a backoff that ends at once (a clock that stands still): next run
            break
        tried.add(delivery.id)
        if not _attempt(ws, delivery, clock, send, backoff, timeout, summary):
            down.add(_host(delivery.webhook_url or ""))
            skipped |= {p.id for p in ws.portfolios() if p.webhook_url and _host(p.webhook_url) in down}
            skipped.add(delivery.portfolio_id)
    pending = ws.deliveries(pending=True)
    summary.pending = len(pending)
    deferred = [d for d in pending if d.portfolio_id in skipped and d.id not in tried
                and d.next_attempt <= iso(began)]
    summary.deferred = len(deferred)
    if deferred:
        summary.errors.append(f"{len(deferred)} more deliveries left for the next run: their receiver "
                              f"did not answer ({', '.join(sorted({h for h, _ in down}))[:200]})")
    return summary


def _host(url: str) -> tuple[str, int | None]:
    """The host and port a URL is sent to (a URL that cannot be read is a host of its own)."""
    try:
        parts = urlsplit(url)
        return (parts.hostname or url).lower(), parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return url, None


def _unreachable(exc: BaseException) -> bool:
    """Whether a send failed because its host did not answer (rather than for this delivery's URL
    or because of the answer): a timeout, a refused or reset connection, a name that does not resolve."""
    return isinstance(exc, TimeoutError | ConnectionError | socket.gaierror) or \
        getattr(exc, "errno", None) in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN)


def _attempt(ws: WatchStore, delivery: Delivery, clock: Callable[[], dt.datetime], send: Send,
             backoff: Backoff, timeout: float, summary: DeliverySummary) -> bool:
    """Send one delivery and record how it went.  Any exception while the request is made or
    sent is a failed attempt of this delivery alone: it is retried with backoff like a refused
    connection, and the deliveries after it are still sent.  ``False`` when its host did not
    answer (:func:`_unreachable`)."""
    summary.attempted += 1
    url, secret = delivery.webhook_url or "", delivery.webhook_secret or ""
    reached = True
    try:
        stamp = int(clock().timestamp())
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"marksearch/{__version__}",
                   EVENT: delivery.event, DELIVERY: delivery.delivery_id, TIMESTAMP: str(stamp),
                   SIGNATURE: sign(secret, stamp, delivery.body)}
        status = send(url, delivery.body, headers, timeout)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except OSError as exc:
        error = " ".join(str(exc).split()) or type(exc).__name__
        reached = not _unreachable(exc)
    except Exception as exc:  # noqa: BLE001 - one bad delivery must not stop the others
        error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    if error is None:
        ws.delivered(delivery, clock())
        summary.delivered += 1
        return True
    ws.failed(delivery, error, clock() + backoff.delay(delivery.attempts + 1))
    summary.failed += 1
    summary.errors.append(f"{delivery.delivery_id} to {url[:200]}: {error}")
    return reached
