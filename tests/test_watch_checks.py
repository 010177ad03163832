"""Webhook URLs as the sender and a person both read them: no backslash, no user name or
password, a port from 1 to 65535."""

from __future__ import annotations

import pytest

from marksearch.errors import UsageError
from marksearch.watch.checks import check_webhook_url


@pytest.mark.parametrize(("url", "why"), [
    ("http://hooks.example\\@evil.example/", "backslash"),  # urlsplit: host evil.example; a person: hooks.example
    ("http://hooks.example\\evil.example/", "backslash"),
    ("https://hooks.example/a\\b", "backslash"),
    ("http://user:pass@hooks.example/", "user name or password"),
    ("http://user@hooks.example/", "user name or password"),
    ("http://@hooks.example/", "user name or password"),
    ("https://hooks.example@evil.example/", "user name or password"),
    ("http://hooks.example:0/", "port 0"),
    ("http://[::1]:0/", "port 0"),
    ("http://hooks.example:65536/", "bad port"),
])
def test_webhook_urls_people_would_misread_are_refused(url: str, why: str) -> None:
    with pytest.raises(UsageError, match=why):
        check_webhook_url(url)


@pytest.mark.parametrize("url", ["http://hooks.example:1/", "https://hooks.example:65535/x",
                                 "http://127.0.0.1:8080/hook", "https://hooks.example/a%5Cb?q=a@b",
                                 "https://[::1]/hook"])
def test_ordinary_webhook_urls_are_kept(url: str) -> None:
    assert check_webhook_url(url) == url
