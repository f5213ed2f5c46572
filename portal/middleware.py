from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.shortcuts import render


def _database_lost(exception: Exception) -> bool:
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    # A server process that ends while a transaction is open (an immediate
    # restart, or the crash of another server process, after which PostgreSQL
    # ends them all) comes from psycopg2 as a plain DatabaseError at the next
    # statement or COMMIT. Unlike an error in a query, it leaves a connection
    # that cannot run anything; outside a transaction, that tells them apart.
    return isinstance(exception, DatabaseError) and not connection.in_atomic_block and not connection.is_usable()


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
        from django.conf import settings
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
    from django.conf import settings
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
