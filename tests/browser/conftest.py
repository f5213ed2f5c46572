"""Real Chromium for tests of what a person does in a browser.

Debian's Chromium, driven by Playwright; never a browser downloaded by
`playwright install`. Each test gets a fresh browser context, so no cookie or
cache leaks from one test into the next.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # On a closed network Chromium's own background connections (updates,
    # sync, field trials) are refused, and without these flags the refusals
    # also break its connections to the live server.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM}: install Debian's 'chromium' package "
            "(apt-get install chromium, or run bin/ensure-chromium), or set CHROMIUM to a Chromium binary.",
            pytrace=False,
        )
    # Playwright's sync API runs an asyncio event loop in the main thread, and
    # Django then refuses database access from that thread (SynchronousOnlyOperation)
    # in fixtures such as live_server's transactional_db. Nothing here makes async
    # database calls, so the guard is lifted, but only while the browser runs:
    # a run that deselects the browser tests keeps it.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def page_no_js(browser):
    """A page as Tor Browser's safest level shows it: no JavaScript at all."""
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture(params=["page", "page_no_js"], ids=["js", "no-js"])
def any_page(request):
    """The same test once with JavaScript on and once with it off (Tor Browser's safest level)."""
    page = request.getfixturevalue(request.param)
    page.set_default_timeout(10_000)
    return page
