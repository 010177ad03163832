#!/usr/bin/env python3
"""Screenshots of the web app for the docs: ``docs/screenshots/{search,record}-{en,zh,ko,ja}.png``.

Starts ``marksearch serve`` on the demo register (built once in
``bench/out/serve_demo.sqlite``), opens headless Chromium (Debian's
``chromium``, through Playwright) and takes full-page screenshots of a search
whose hits cross scripts (the Korean brand Hanttre / 한뜨레: spelling and sound
find the Latin marks, the cross-script reading the Hangul ones) and of the
record page of its Hangul mark, in English, Chinese, Korean and Japanese.

    python3 scripts/screenshots.py [--query Hanttre] [--out docs/screenshots]

Chinese, Korean and Japanese text needs a CJK font (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.serve.server import demo_register, running_server  # noqa: E402

LANGUAGES = ("en", "zh", "ko", "ja")
CHROMIUM = os.environ.get("MARKSEARCH_CHROMIUM", "/usr/bin/chromium")


def main(argv: list[str] | None = None) -> list[Path]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--query", default="Hanttre")
    parser.add_argument("--status", default="all", help="status filter of the search shown")
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--db", type=Path, default=REPO / "bench" / "out" / "serve_demo.sqlite")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    db = demo_register(args.db)
    search_path = "/search?" + urlencode({"q": args.query, "status": args.status, "per_page": args.per_page})
    written = []
    with running_server(db, log=args.db.with_name("screenshots-serve.log")) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        try:
            for lang in LANGUAGES:
                context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900},
                                              device_scale_factor=1)
                page = context.new_page()
                page.goto(f"{search_path}&lang={lang}")
                page.wait_for_selector("#results li.hit")
                written.append(_shot(page, args.out / f"search-{lang}.png"))
                record = _cross_script_record(page)
                page.goto(f"{record}?lang={lang}")
                page.wait_for_selector("#record")
                written.append(_shot(page, args.out / f"record-{lang}.png"))
                context.close()
        finally:
            browser.close()
    for path in written:
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    return written


def _cross_script_record(page: object) -> str:
    """The record page of the best hit in another script than the query (else the first hit)."""
    hits = page.locator("#results li.hit a.record-link")  # type: ignore[attr-defined]
    links = hits.evaluate_all("els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])")
    other = [href for text, href in links if any(ord(c) > 0x2E80 for c in text)]
    return str(other[0] if other else links[0][1])


def _shot(page: object, path: Path) -> Path:
    """A full-page screenshot, reduced to 256 colours (a third of the bytes; text stays sharp)."""
    from PIL import Image  # Pillow comes with reportlab

    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)
    return path


if __name__ == "__main__":
    main()
