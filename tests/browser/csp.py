"""The Content-Security-Policy: sent, strict, and never violated by a page."""

from playwright.sync_api import ConsoleMessage, Page, Response


def assert_strict_csp(response: Response) -> None:
    """Fail unless the response carries a CSP that forbids inline code."""
    policy = response.headers.get("content-security-policy")
    assert policy, f"{response.url} sent no Content-Security-Policy header"
    assert "'unsafe-inline'" not in policy, f"{response.url} allows 'unsafe-inline': {policy}"
    assert "'unsafe-eval'" not in policy, f"{response.url} allows 'unsafe-eval': {policy}"


class CspViolationLog:
    """Every CSP violation Chromium reports on a page's console.

    Create it before page.goto(). A blocked inline style or script still
    means the page looks or works differently than its author meant.
    """

    def __init__(self, page: Page) -> None:
        self.messages: list[str] = []
        page.on("console", self._record)

    def _record(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.messages.append(message.text)

    def assert_none(self) -> None:
        assert not self.messages, "the page broke its Content-Security-Policy:\n" + "\n".join(
            f"- {text}" for text in self.messages
        )
