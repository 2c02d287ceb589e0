"""Playwright fixtures: Debian's Chromium (never a downloaded browser), one per worker.

The sync Playwright API runs an event loop in the test thread, so Django's async-safety
check would refuse the ORM calls the tests make to set up rows. The live server answers
in its own thread; allowing "async unsafe" calls here is safe and limited to this folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Fail fast: every step of a journey takes well under a second on a working page.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: run `bash scripts/ensure-browser.sh` (as root)."
        if os.environ.get("CI") == "true":
            pytest.fail(f"Browser journeys must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)

    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def csp_violations() -> list[str]:
    """Console messages about the Content Security Policy seen by any page of the test."""
    return []


@pytest.fixture
def new_page(browser, csp_violations) -> Iterator[Callable]:
    """new_page(**context_options) -> a page in a fresh browser context (own cookies)."""
    contexts = []

    def make(**context_options):
        context = browser.new_context(locale="en-GB", **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                csp_violations.append(message.text)
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
