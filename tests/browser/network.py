"""What a page asked the network for: nothing may come from another host."""

from urllib.parse import urlsplit

from playwright.sync_api import Page

# Schemes that name no host: inline data and the browser's own pages.
HOSTLESS_SCHEMES = {"data", "blob", "about"}


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class RequestLog:
    """Every request a page makes, from the moment it is created.

    Create it before page.goto(). Chromium reports a request even when the
    Content-Security-Policy then blocks it, so an attempt to reach another
    host fails the check even though the CSP would have stopped it.
    """

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def from_another_host(self, base_url: str) -> list[str]:
        own = _origin(base_url)
        return [url for url in self.urls if urlsplit(url).scheme not in HOSTLESS_SCHEMES and _origin(url) != own]

    def assert_nothing_from_another_host(self, base_url: str) -> None:
        """Fail naming each request that went anywhere but base_url's scheme, host and port."""
        assert self.urls, "no request was recorded: create the RequestLog before page.goto()"
        foreign = self.from_another_host(base_url)
        assert not foreign, f"requests to another host than {base_url}:\n" + "\n".join(f"- {url}" for url in foreign)
