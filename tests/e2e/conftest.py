"""Browser tests: a real ``marksearch serve`` on the demo register, driven by headless Chromium.

Playwright drives Debian's ``chromium`` (``$MARKSEARCH_CHROMIUM``, default
``/usr/bin/chromium``); it downloads no browser of its own.  Without
Chromium the tests fail in CI (``CI`` set, where ``scripts/test.sh``
installs it) and are skipped with the reason elsewhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.serve.server import demo_register, running_server  # noqa: E402

CHROMIUM = os.environ.get("MARKSEARCH_CHROMIUM", "/usr/bin/chromium")


def _unavailable(reason: str) -> None:
    """Fail in CI, where the browser must be there; skip with the reason on a developer's machine."""
    message = f"{reason}; install it with `apt-get install chromium fonts-noto-cjk` (scripts/test.sh does, as root)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_register(tmp_path_factory.mktemp("e2e") / "demo.sqlite")


@pytest.fixture(scope="session")
def server(demo_db: Path) -> Iterator[str]:
    """The base URL of a live server on the demo register (one worker, loopback, a free port)."""
    with running_server(demo_db, log=demo_db.with_name("serve.log")) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    expect.set_options(timeout=15_000)  # two shared cores: a search under load can take seconds
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: str, tmp_path: Path) -> Iterator[Any]:
    """A fresh browser context (no cookies), English first, downloads accepted."""
    context = browser.new_context(base_url=server, locale="en-GB", accept_downloads=True,
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
