"""Real Chromium for tests of what a person does in a browser.

Debian's Chromium, driven by Playwright; never a browser downloaded by
`playwright install`. Each test gets a fresh browser context, so no cookie or
cache leaks from one test into the next.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.cache import cache
from playwright.sync_api import sync_playwright

from tests.browser.visibility import CONTEXT
from tests.support.database import empty_database
from tests.support.intake import submit_case
from tests.support.seeds import ensure_seeded

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
    context = browser.new_context(**CONTEXT)
    yield context.new_page()
    context.close()


@pytest.fixture
def page_no_js(browser):
    """A page as Tor Browser's safest level shows it: no JavaScript at all."""
    context = browser.new_context(java_script_enabled=False, **CONTEXT)
    yield context.new_page()
    context.close()


@pytest.fixture(params=["page", "page_no_js"], ids=["js", "no-js"])
def any_page(request):
    """The same test once with JavaScript on and once with it off (Tor Browser's safest level)."""
    page = request.getfixturevalue(request.param)
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(scope="module")
def kept_database(django_db_setup, django_db_blocker):
    """The database open to the tests of a module that only read, with what the module's fixtures commit
    kept from one test to the next; emptied when the module ends.

    Such a test is not transactional (no flush after it): it must not change what a later test of the
    module reads. A module opts in with `pytest.mark.usefixtures("kept_database")`; its data fixtures
    are module-scoped and commit.
    """
    with django_db_blocker.unblock():
        ensure_seeded()
        yield
        empty_database()


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """pytest-django's own helper (each test with the live server is transactional), except in a module
    that reads kept data (`kept_database`)."""
    if "live_server" not in request.fixturenames:
        yield
        return
    if "kept_database" not in request.fixturenames:
        request.getfixturevalue("transactional_db")
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture
def fresh_limits():
    """Rate limits live in the cache: the test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def receipt(client) -> tuple[str, str]:
    """A case sent in full; its reference and passphrase, as the receipt page showed them."""
    html = submit_case(client).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    return reference, passphrase
