"""What the watch tests share: real office samples cut into batches, a register per back-end,
and a local webhook receiver.  (No tests of its own; the other ``test_watch_*`` modules import it.)

The register is the demo's real office samples (EUIPO, USPTO, KIPRIS records): the first 600
lines are the register before anything is watched, lines 600-650 the next batch, lines
650-702 the one after (cross-script Korean marks such as 슈플레이스 / SHOE PLACE).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import hmac
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from marksearch.demo import demo_files

SECRET = "receiver-secret-0123456789"
WATCHED = [  # (portfolio, text, classes): each resembles filings of batch 2 or 3, none of the register
    ("acme", "OLYMEL", (29,)),
    ("acme", "PYTON", ()),
    ("shoes", "SHOEPLACE", (25,)),
    ("shoes", "HANTTRE", ()),
]


def sample_lines() -> list[str]:
    path = next(p for p in demo_files() if "office-samples" in p.name)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [line for line in f if line.strip()]


@functools.cache
def _batch_bytes() -> tuple[bytes, bytes, bytes]:
    """The three parts as UTF-8, read once a session: the samples are 30 MB unpacked (0.5 s a read)."""
    lines = sample_lines()
    register, batch2, batch3 = ("".join(part).encode("utf-8") for part in (lines[:600], lines[600:650], lines[650:]))
    return register, batch2, batch3


def batches(folder: Path) -> tuple[Path, Path, Path]:
    """The register, batch 2 and batch 3 as JSON Lines files in ``folder``."""
    paths = []
    for name, data in zip(("register", "batch2", "batch3"), _batch_bytes(), strict=True):
        path = folder / f"{name}.jsonl"
        path.write_bytes(data)
        paths.append(path)
    return paths[0], paths[1], paths[2]


@pytest.fixture(params=["memory", "file", "postgres"])
def register(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A register URL on each back-end (``:memory:`` lives as long as its one store object)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_server").create_database()
        return url
    return ":memory:" if request.param == "memory" else str(tmp_path / "reg.sqlite")


@pytest.fixture(params=["file", "postgres"])
def shared_register(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A register that several connections (the CLI's, the app's) can open."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_server").create_database()
        return url
    return str(tmp_path / "reg.sqlite")


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The scheme of docs/watch.md, computed here independently of marksearch.watch.delivery."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class Receiver:
    """A webhook receiver on a loopback port: records every POST, checks its signature, and can
    answer errors for a while (``fail_next``) or be stopped and started again on the same port."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.posts: list[dict[str, Any]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        self.port = 0
        self.server: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("X-Marksearch-Timestamp", "")
                valid = hmac.compare_digest(expected_signature(receiver.secret, stamp, body),
                                            self.headers.get("X-Marksearch-Signature", ""))
                with receiver.lock:
                    failing = receiver.fail_next > 0
                    receiver.fail_next -= 1 if failing else 0
                    receiver.posts.append({"headers": dict(self.headers), "body": body, "valid": valid,
                                           "answered": 500 if failing else 204, "path": self.path})
                self.send_response(500 if failing else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            assert self.thread is not None
            self.thread.join()
            self.server = None

    def delivered(self) -> list[dict[str, Any]]:
        """The POSTs answered 2xx."""
        return [p for p in self.posts if p["answered"] < 300]

    def delivery_ids(self) -> list[str]:
        return [p["headers"]["X-Marksearch-Delivery"] for p in self.delivered()]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    try:
        yield r
    finally:
        r.stop()
