"""A real ``marksearch serve`` on loopback, for benches, browser tests and screenshots.

:func:`running_server` starts the command as a subprocess (its own process
group, so that uvicorn's worker processes go with it), waits until
``/healthz`` answers, yields the base URL and stops the server on the way out,
also after an error.  :func:`demo_register` builds the bundled demo register
once per path.

>>> free_port() > 1024
True
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

__all__ = ["ServerError", "demo_register", "free_port", "running_server"]


class ServerError(RuntimeError):
    """The server did not come up; the message ends with its log."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def demo_register(path: Path) -> Path:
    """The demo register at ``path``, loaded if it is not there yet (about 10 s)."""
    from marksearch.demo import load_demo
    from marksearch.store import open_store

    if not path.exists():
        partial = path.with_name(path.name + ".part")
        partial.unlink(missing_ok=True)
        store = open_store(str(partial))
        try:
            load_demo(store)
        finally:
            store.close()
        partial.rename(path)
    return path


def _healthy(url: str) -> bool:
    """The server answers, and has its goods term base (``serve`` grows it in the background:
    a bench or a browser test starting meanwhile would time the build, or wait on it)."""
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
            return bool(response.status == 200 and json.load(response).get("goods_term_base") != "building")
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
    """SIGTERM to the server's process group (uvicorn shuts down gracefully), SIGKILL after ``grace``."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def running_server(db: Path, *, log: Path, workers: int = 1, host: str = "127.0.0.1", port: int | None = None,
                   extra: Sequence[str] = (), timeout: float = 120.0) -> Iterator[str]:
    """``marksearch serve`` on ``db``; yields ``http://host:port`` once ``/healthz`` answers 200 with
    the goods term base built."""
    port = port or free_port(host)
    url = f"http://{host}:{port}"
    command = [sys.executable, "-m", "marksearch", "serve", "--db", str(db), "--host", host, "--port", str(port),
               "--workers", str(workers), *extra]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                state = f"exited with {process.returncode}" if process.poll() is not None else "did not answer"
                tail = log.read_text(errors="replace")[-3000:]
                raise ServerError(f"{' '.join(command)} {state} within {timeout:.0f} s; its log:\n{tail}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(process)
