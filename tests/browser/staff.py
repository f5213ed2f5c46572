"""Staff in the browser: the admin login as a person does it."""

from playwright.sync_api import Page, expect

from tests.support.staff import PASSWORD, current_code, totp_device


def log_in(page: Page, base_url: str, user) -> None:
    """User name, password and the code the authenticator app shows; the user's only device is taken."""
    device = totp_device(user)
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("OTP Token").fill(current_code(device))
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"{base_url}/admin/")
    expect(page.locator("#user-tools")).to_contain_text(f"Welcome, {user.get_username()}.")
