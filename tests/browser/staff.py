"""Staff in the browser: the admin login as a person does it."""

from playwright.sync_api import Page, expect

from tests.support.staff import PASSWORD, current_code, totp_device


def log_in(page: Page, base_url: str, user, *, again: bool = False) -> None:
    """User name, password and the code the authenticator app shows; the user's only device is taken.

    A device takes each code once, so a person's second login within the same 30 s step (`again`) gives the
    code of the next step, which the device accepts (it tolerates one step either side, as for a phone whose
    clock is a little ahead) rather than waiting up to 30 s for it.
    """
    device = totp_device(user)
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("OTP Token").fill(current_code(device, steps_ahead=1 if again else 0))
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_url(f"{base_url}/admin/")
    expect(page.locator("#user-tools")).to_contain_text(f"Welcome, {user.get_username()}.")
