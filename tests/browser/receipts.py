"""A source's receipt pages in the browser: the receipt login, a button pressed, and what every receipt page
answers. The fixtures `receipt` and `fresh_limits` are in conftest.py."""

from playwright.sync_api import Page, Response


def press(page: Page, button: str) -> Response:
    """Press a button, and return the answer to the POST it sends (before any redirect)."""
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_load_state()
    response = posted.value
    assert response.status != 403, (
        f"the portal refused the form the browser sent ({button!r}): " + page.locator("body").inner_text()[:300]
    )
    return response


def assert_private(response: Response) -> None:
    """Neither kept in a cache nor announced to another site."""
    assert "no-store" in response.headers["cache-control"].split(", "), response.headers["cache-control"]
    assert response.headers["referrer-policy"] == "no-referrer"


def log_in(page: Page, reference: str, passphrase: str, *, button: str = "Open my report") -> Response:
    page.locator('input[name="reference"]').fill(reference)
    page.locator('input[name="passphrase"]').fill(passphrase)
    return press(page, button)
