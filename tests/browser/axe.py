"""Accessibility checks with axe-core, shipped in vendor/ rather than fetched."""

from functools import cache
from pathlib import Path
from urllib.parse import urldefrag

from playwright.sync_api import Browser, Page, Route

AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    nodes: violation.nodes.map((node) => ({
      target: node.target.map(String).join(" "),
      summary: node.failureSummary,
    })),
  }));
}"""


# The DOM a browser without JavaScript built, as a document: <noscript>
# content, which such a browser shows as elements, kept as elements; scripts
# dropped, so that a browser with JavaScript renders the same thing.
SNAPSHOT_DOM = """() => {
  const root = document.documentElement.cloneNode(true);
  root.querySelectorAll("script").forEach((script) => script.remove());
  root.querySelectorAll("noscript").forEach((noscript) => noscript.replaceWith(...noscript.childNodes));
  return "<!doctype html>" + root.outerHTML;
}"""


@cache
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def _run_axe(page: Page) -> list[dict]:
    # page.add_script_tag would insert an inline <script>, which the portal's
    # Content-Security-Policy (script-src 'self') rightly blocks. page.evaluate
    # runs through the DevTools protocol, outside the page's CSP, so the page
    # under test keeps its real policy: no bypass_csp.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    return page.evaluate(RUN_AXE, AXE_TAGS)


# One page with JavaScript on per browser, for the copies: a context and its page cost Chromium about half a
# second of CPU to make, an axe run on a small page less.
_copy_pages: dict[Browser, Page] = {}


def _copy_page(browser: Browser) -> Page:
    if browser not in _copy_pages:
        _copy_pages[browser] = browser.new_context().new_page()
    return _copy_pages[browser]


def _run_axe_on_a_copy(page: Page) -> list[dict]:
    # With JavaScript disabled Chromium runs no timers, and axe needs them:
    # axe.run would never finish. So axe checks a copy of the page's DOM at
    # the same address, on a page with JavaScript on, with the same cookies.
    # The copy is served with the headers the address answers with now, so
    # the page's Content-Security-Policy still blocks inline styles in it.
    html = page.evaluate(SNAPSHOT_DOM)
    copy = _copy_page(page.context.browser)
    copy.context.clear_cookies()
    copy.context.add_cookies(page.context.cookies())
    copy.set_viewport_size(page.viewport_size)

    def serve_copy(route: Route) -> None:
        route.fulfill(response=route.fetch(), status=200, body=html)

    address = urldefrag(page.url).url  # requests carry no #fragment; a new #fragment alone would load nothing
    copy.unroute_all()
    copy.route(address, serve_copy)
    copy.goto(address)
    return _run_axe(copy)


def axe_violations(page: Page) -> list[dict]:
    if page.evaluate("() => matchMedia('(scripting: none)').matches"):
        return _run_axe_on_a_copy(page)
    return _run_axe(page)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {node['target']}")
            if node["summary"]:
                lines.extend(f"      {line}" for line in node["summary"].splitlines())
    return "\n".join(lines)


def assert_no_axe_violations(page: Page) -> None:
    """Fail listing every axe violation (rule, impact, help, elements) on the current page."""
    violations = axe_violations(page)
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n{format_violations(violations)}"
