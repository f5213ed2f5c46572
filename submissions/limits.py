"""The limits of the public forms, built so that nobody can turn them against sources.

On an onion service, or behind a proxy that hides addresses, every visitor has the same address: a
limit per address would let one client's flood shut everyone out. So the limits that always apply
do not name a client at all:

- Each intake form carries a signed token (a random nonce and the time it was issued). A report is
  taken only with a token at least settings.FORM_MIN_FILL_SECONDS old, once per token, and a token answers
  at most FORM_TOKEN_POSTS posts: a script must fetch a form and wait for every report it sends.
- A site-wide budget of reports per hour does not close the door: past it, staff are told by mail
  (once an hour) and reports are still taken.
- A receipt reference takes RECEIPT_REFERENCE_LIMIT wrong passphrases in its window; past that,
  each further try on it needs a login form at least RECEIPT_WAIT_SECONDS old, used once. Guessing
  slows down (the passphrase has 77 bits: nobody guesses it at any rate a server answers), and the
  owner is never locked out: they wait half a minute and send the form again.

Where a client address can be told (settings.TRUSTED_PROXIES), the per-address limits of
portal.throttle apply as well. Every counter is in the rate-limit store, never persisted.
"""

import secrets
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse

from portal import outbox, throttle

FORM_TOKEN_SALT = "submissions.form-token"  # noqa: S105 (a namespace for signing, not a secret)
FORM_TOKEN_MAX_AGE = 24 * 3600
# Each move between the form's sections is a post: a source going back and forth over a long report
# must not run out of posts (and lose the page) before sending it.
FORM_TOKEN_POSTS = 100
RECEIPT_REFERENCE_LIMIT = (10, 15 * 60)
RECEIPT_WAIT_SECONDS = 30


def form_token_new(*, issued_at: float | None = None) -> str:
    issued = int(time.time() if issued_at is None else issued_at)
    return signing.dumps({"n": secrets.token_hex(16), "t": issued}, salt=FORM_TOKEN_SALT, compress=False)


def _token_contents(token: str) -> dict | None:
    if not token or len(token) > 200:
        return None
    try:
        contents = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    valid = isinstance(contents, dict) and isinstance(contents.get("n"), str) and isinstance(contents.get("t"), int)
    return contents if valid else None


def form_token_nonce(token: str) -> str | None:
    """The token's random part if the token is genuine and current, else None."""
    contents = _token_contents(token)
    return contents["n"] if contents else None


def form_token_current(token: str) -> str:
    """The posted token if genuine and current, else a new one (the form is then sent with that)."""
    return token if form_token_nonce(token) else form_token_new()


def form_token_waited(token: str, seconds: int) -> bool:
    contents = _token_contents(token)
    return contents is not None and time.time() - contents["t"] >= seconds


def form_post_allowed(request, token: str) -> bool:
    """One more post of this form; a token that answered FORM_TOKEN_POSTS posts answers no more."""
    nonce = form_token_nonce(token)
    return nonce is None or throttle.hit(
        request, "form-token-posts", key=nonce, limit=FORM_TOKEN_POSTS, window=FORM_TOKEN_MAX_AGE
    )


def submit_allowed_for_client(request) -> bool:
    """The per-address limit; always True where addresses cannot be told apart."""
    return throttle.hit(request, "submit-client", limit=settings.SUBMIT_LIMIT_PER_HOUR, window=3600)


def site_budget_count(request) -> None:
    """Count one report against the hour's budget; past it, staff hear of it, and reports still come in."""
    count = throttle.count(request, "submit-site", window=3600)
    if count <= settings.SUBMIT_SITE_BUDGET_PER_HOUR or not settings.INTAKE_ALERT_EMAILS:
        return
    hour = datetime.now(UTC).strftime("%Y-%m-%d %H:00 UTC")
    outbox.mail_queue(
        key=f"submissions.intake-budget:{hour}",
        to=settings.INTAKE_ALERT_EMAILS,
        subject="More reports than usual",
        body=(
            f"More than {settings.SUBMIT_SITE_BUDGET_PER_HOUR} reports arrived in the hour from {hour}. "
            "The form stays open. It may be a flood: check the queue for repeated or scripted reports.\n\n"
            f"Queue: {reverse('admin:submissions_submission_changelist')}\n"
        ),
    )


# --- Receipt ----------------------------------------------------------------------------------------


def receipt_client_allowed(request) -> bool:
    limit, window = settings.RECEIPT_LIMIT_PER_CLIENT
    return throttle.hit(request, "receipt-client", limit=limit, window=window)


def receipt_reference_open(request, reference: str, token: str) -> bool:
    """True if a passphrase for `reference` may be checked now.

    Within the reference's budget of wrong answers, always. Past it, only with a login form that
    waited RECEIPT_WAIT_SECONDS, each form once: slow for a guesser, a short wait for the owner.
    """
    limit, window = RECEIPT_REFERENCE_LIMIT
    if throttle.peek(request, "receipt-reference", key=reference or "-", limit=limit, window=window) < limit:
        return True
    nonce = form_token_nonce(token)
    return (
        nonce is not None
        and form_token_waited(token, RECEIPT_WAIT_SECONDS)
        and throttle.hit(request, "receipt-token-used", key=nonce, limit=1, window=FORM_TOKEN_MAX_AGE)
    )


def receipt_wrong_answer(request, reference: str) -> None:
    limit, window = RECEIPT_REFERENCE_LIMIT
    throttle.hit(request, "receipt-reference", key=reference or "-", limit=limit, window=window)
