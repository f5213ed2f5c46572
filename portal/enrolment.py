"""Self-service second factor: a new staff member enrols an authenticator at their first login.

The first login of an account without a confirmed device passes with the password alone, into a
session that opens no page of the staff site but this one (the admin requires a verified second
factor). Here the person scans a QR code drawn by the portal itself (segno, inline SVG: no request
to anyone else, nothing inline for the CSP to refuse) or types the key the page also shows, proves
it with a code, and is given ten one-time backup codes, shown once. The key is sealed to the
person's own key, and the codes kept as digests under it (portal.factors): the server cannot use
either without the password of the login that opened this session.

Later, a staff member who has used or lost their backup codes makes new ones (`backup_codes`):
after typing their password or a fresh code from the app again, so that a session left open on
someone else's screen does not hand out a way in; the old codes stop working at once.
"""

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import factors, sealing
from portal.audit import audit_record, audit_refusal
from portal.models import OpenedTOTPDevice

BACKUP_CODES = 10


def needs_enrolment(user) -> bool:
    return user.is_authenticated and user.is_staff and not any(devices_for_user(user, confirmed=True))


class ConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code shown by the app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _page(request) -> dict:
    # The staff site's header, without its menus: nothing else is open until the device is confirmed.
    from django.contrib import admin

    return {"site_header": admin.site.site_header, "site_title": admin.site.site_title, "has_permission": False}


def admin_page(request) -> dict:
    """The staff site's header and menus, for a verified staff member."""
    from django.contrib import admin

    return admin.site.each_context(request)


def enrolment_device(user, private) -> OpenedTOTPDevice:
    """The unconfirmed device of this enrolment, its seed opened: the same seed until it is confirmed.

    The seed is sealed to the person's key like a confirmed one (portal.factors): a device that the
    key no longer opens (the password was set anew meanwhile) is replaced."""
    for device in TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk"):
        opened = factors.totp_open(device, private)
        if opened is not None:
            return opened
        device.delete()
    return factors.totp_create(user=user, name="authenticator", confirmed=False)


def qr_svg(uri: str) -> str:
    # Dark on a white quiet zone: readable by a camera whatever the page's colours.
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title=_("QR code of the key"))


def _new_backup_codes(user, private) -> list[str]:
    """Replace every backup code of `user` with ten new ones (inside the caller's transaction).

    The device stays: a session verified with one of its codes stays verified; its old codes go.
    Stored as digests under the person's key (portal.factors): shown once, here, and nowhere else.
    """
    devices = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk")
    backup = devices.first() or StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    devices.exclude(pk=backup.pk).delete()
    if not backup.confirmed:
        backup.confirmed = True
        backup.save(update_fields=["confirmed"])
    StaticToken.objects.filter(device__user=user).delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    factors.backup_codes_store(device=backup, private=private, codes=codes)
    return codes


def device_confirm(*, user, device: OpenedTOTPDevice, token: str, private) -> list[str] | None:
    """Confirm the device with a code it shows; the backup codes made with it, or None for a wrong code."""
    with transaction.atomic():
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user, private)
        audit_record(user=user, obj=user, fields=["totp", "backup codes"], action="enrolled")
    return codes


def backup_codes_renew(*, user, private) -> list[str]:
    """Ten new backup codes for `user`; the old ones stop working in the same transaction. Audited."""
    with transaction.atomic():
        codes = _new_backup_codes(user, private)
        audit_record(user=user, obj=user, fields=["backup codes"], action="backup codes renewed")
    return codes


class ReauthenticateForm(forms.Form):
    """The password, or a code the authenticator app shows now: proof that the person is at the screen."""

    password = forms.CharField(
        label=gettext_lazy("Your password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp_token = forms.CharField(
        label=gettext_lazy("Or a code shown by your authenticator app"),
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    error_messages = {
        "empty": gettext_lazy("Type your password, or a code from your authenticator app."),
        "wrong": gettext_lazy("This password or code is not right."),
    }

    def __init__(self, *args, user, private, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.private = private  # the person's key, opened at their login: it opens their seed

    def clean(self):
        password = self.cleaned_data.get("password") or ""
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not password and not token:
            raise forms.ValidationError(self.error_messages["empty"], code="empty")
        if token:
            # A code used once (at login, or here) is not accepted again: TOTPDevice keeps the last step.
            devices = TOTPDevice.objects.filter(user=self.user, confirmed=True)
            opened = [factors.totp_open(device, self.private) for device in devices]
            if any(device.verify_token(token) for device in opened if device is not None):
                return self.cleaned_data
        elif self.user.check_password(password):
            return self.cleaned_data
        raise forms.ValidationError(self.error_messages["wrong"], code="wrong")


# Wrong answers on the backup-codes page before the session is ended: a guesser at an open session
# gets a few tries, then the full login (with its lockouts) again.
REAUTHENTICATION_TRIES = 5
_FAILURES = "portal.backup_codes_failures"


@never_cache
@csrf_protect
def backup_codes(request):
    """Make new backup codes, after the password or a fresh code; shown once, audited."""
    private = sealing.own_key(request.user)
    if private is None:  # a session from before the person's key was kept in it: log in again
        logout(request)
        return redirect("admin:login")
    form = ReauthenticateForm(request.POST if request.method == "POST" else None, user=request.user, private=private)
    if request.method == "POST":
        if form.is_valid():
            request.session.pop(_FAILURES, None)
            codes = backup_codes_renew(user=request.user, private=private)
            context = {**admin_page(request), "codes": codes, "title": _("Your new backup codes")}
            return TemplateResponse(request, "admin/backup_codes_done.html", context)
        if request.POST.get("password") or request.POST.get("otp_token"):
            audit_refusal(user=request.user, obj=request.user, attempted=["backup codes"])
            failures = request.session.get(_FAILURES, 0) + 1
            request.session[_FAILURES] = failures
            if failures >= REAUTHENTICATION_TRIES:
                logout(request)
                return redirect("admin:login")
    context = {**admin_page(request), "form": form, "title": _("Make new backup codes")}
    return TemplateResponse(request, "admin/backup_codes.html", context)


@never_cache
@csrf_protect
@login_required(login_url="admin:login")
def enrol(request):
    user = request.user
    if not needs_enrolment(user):
        return redirect("admin:index")
    private = sealing.own_key(user)
    if private is None:  # the seed is sealed to the person's key: only a login with the password opens it
        logout(request)
        return redirect("admin:login")
    device = enrolment_device(user, private)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = device_confirm(user=user, device=device, token=form.cleaned_data["otp_token"], private=private)
        if codes is not None:
            otp_login(request, device)
            return TemplateResponse(request, "admin/enrol_done.html", {**_page(request), "codes": codes,
                                                                      "title": _("Backup codes")})  # fmt: skip
        form.add_error("otp_token", _("This code is not right. Check the time on your phone, and try the next code."))
    uri = device.config_url
    context = {
        **_page(request),
        "form": form,
        "qr": mark_safe(qr_svg(uri)),  # noqa: S308  # nosec B308 B703: drawn by segno from our own key
        "uri": uri,
        "title": _("Set up your second factor"),
    }
    return TemplateResponse(request, "admin/enrol.html", context)


@require_POST
@csrf_protect
def language_choose(request):
    """The staff site's language switch: remembered in a cookie of its own; back to the page it was on."""
    language = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not (url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/admin/")):
        back = reverse("admin:index")
    response = redirect(back)
    if language in {code for code, _name in settings.STAFF_LANGUAGES}:
        response.set_cookie(
            settings.STAFF_LANGUAGE_COOKIE,
            language,
            max_age=365 * 24 * 3600,
            path="/admin/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )
    return response
