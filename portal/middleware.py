import time

import psycopg2
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.template.loader import render_to_string

from portal import sealing


def _database_lost(exception: Exception) -> bool:
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    if not isinstance(exception, DatabaseError):
        return False
    # A server process that ends while a transaction is open (an immediate
    # restart, or the crash of another server process, after which PostgreSQL
    # ends them all) comes from psycopg2 as a plain DatabaseError at the next
    # statement or COMMIT, without the SQLSTATE every error the server reports
    # carries. By the time the page is answered something may have connected
    # again to the restarted server, so the error itself tells first.
    cause = exception.__cause__
    if type(cause) is psycopg2.DatabaseError and cause.pgcode is None:
        return True
    # Unlike an error in a query, it leaves a connection that cannot run
    # anything; outside a transaction, that tells them apart too.
    return not connection.in_atomic_block and not connection.is_usable()


class DatabaseUnavailableMiddleware:
    """A clean 503 page, and nothing else, while the database cannot be reached.

    The request is not retried: a form post that failed here stored nothing,
    and the page says so. Django reconnects by itself on the next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _database_lost(exception):
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            response["Cache-Control"] = "no-store"
            return response
        return None


def is_onion_request(request) -> bool:
    host = request.META.get("HTTP_HOST", "").rsplit(":", 1)[0].lower().rstrip(".")
    return host.endswith(".onion")


class OnionServiceMiddleware:
    """The onion service and the clearnet site from one portal. Placed just before Django's SecurityMiddleware.

    A request to a .onion host runs through a SecurityMiddleware of its own that neither redirects
    to HTTPS nor sends HSTS: the onion service is encrypted and authenticated by Tor, on plain HTTP,
    and HTTPS for it would need a certificate naming the onion address. Every other request goes
    through Django's, unchanged (so `check --deploy` still sees it), and its pages announce the
    onion address with Onion-Location when ONION_LOCATION is set (Tor Browser offers the switch).
    """

    def __init__(self, get_response):
        from django.middleware.security import SecurityMiddleware

        self.get_response = get_response
        self.onion = SecurityMiddleware(get_response.get_response)
        self.onion.redirect = False
        self.onion.sts_seconds = 0
        self.location = settings.ONION_LOCATION.rstrip("/")

    def __call__(self, request):
        if is_onion_request(request):
            return self.onion(request)
        response = self.get_response(request)
        if self.location:
            response["Onion-Location"] = self.location + request.get_full_path()
        return response


class PermissionsPolicyMiddleware:
    """Every page denies the powerful browser features the portal never uses (camera, location...)."""

    POLICY = ", ".join(
        f"{feature}=()"
        for feature in (
            "accelerometer", "ambient-light-sensor", "autoplay", "battery", "bluetooth", "browsing-topics",
            "camera", "display-capture", "document-domain", "encrypted-media", "fullscreen", "gamepad",
            "geolocation", "gyroscope", "hid", "idle-detection", "interest-cohort", "local-fonts",
            "magnetometer", "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
            "screen-wake-lock", "serial", "speaker-selection", "usb", "web-share", "xr-spatial-tracking",
        )
    )  # fmt: skip

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.POLICY)
        return response


def staff_language(request) -> str:
    """The staff member's language: the switch's cookie, else the first of Accept-Language the staff site has."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    codes = [code for code, _name in settings.STAFF_LANGUAGES]
    chosen = request.COOKIES.get(settings.STAFF_LANGUAGE_COOKIE)
    if chosen in codes:
        return chosen
    for accepted, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        accepted = accepted.lower()
        for code in codes:
            if accepted == code or accepted.startswith(f"{code}-"):
                return code
    return settings.LANGUAGE_CODE


class StaffLanguageMiddleware:
    """The staff site (/admin/) speaks the staff member's language among STAFF_LANGUAGES.

    After LocaleMiddleware, which knows only the public languages: a French-speaking staff member
    gets the enrolment and backup-code pages (and Django's own admin) in French. Public pages keep
    their language in the address, untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        if not request.path_info.startswith("/admin/"):
            return self.get_response(request)
        language = staff_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class SessionTouchMiddleware:
    """A session ends SESSION_COOKIE_AGE after its last request, to the minute: a request saves the session
    again (which moves its end) when its last save is a minute old or more, not at every request. Saving it
    (signed, to Redis and to PostgreSQL) was a tenth of a staff page's CPU. Just after SessionMiddleware,
    whose response step then saves what this one marked; a visitor without a session gets none."""

    EVERY = 60  # seconds
    TOUCHED = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # A session the request came with, or one the view wrote (a login): reading the session of every
        # visitor would mark every public page "Vary: Cookie".
        if session is not None and (session.modified or settings.SESSION_COOKIE_NAME in request.COOKIES):
            touched = session.get(self.TOUCHED)  # reads the session, if the request has not
            now = int(time.time())
            if not session.is_empty() and (touched is None or now - touched >= self.EVERY):
                session[self.TOUCHED] = now
        return response


class KeyringMiddleware:
    """Each request reads sealed case data with the keys of its own session only (portal.sealing):
    the keys a staff login or a receipt opened, encrypted in the session under a key that only the
    person's cookie holds. Without both, nothing sealed opens; a page that needs it says so (403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with sealing.using(sealing.recall(request)):
            response = self.get_response(request)
        sealing.set_cookie(request, response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, sealing.Locked):
            body = render_to_string("sealed.html", request=request)
            return HttpResponseForbidden(body)
        return None
