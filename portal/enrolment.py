"""Self-service second factor: a new staff member enrols an authenticator at their first login.

The first login of an account without a confirmed device passes with the password alone, into a
session that opens no page of the staff site but this one (the admin requires a verified second
factor). Here the person scans a QR code drawn by the portal itself (segno, inline SVG: no request
to anyone else, nothing inline for the CSP to refuse) or types the key the page also shows, proves
it with a code, and is given ten one-time backup codes, shown once.
"""

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit import audit_record

BACKUP_CODES = 10


def needs_enrolment(user) -> bool:
    return user.is_authenticated and user.is_staff and not any(devices_for_user(user, confirmed=True))


class ConfirmForm(forms.Form):
    otp_token = forms.CharField(
        label="Code shown by the app",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _page(request) -> dict:
    # The staff site's header, without its menus: nothing else is open until the device is confirmed.
    from django.contrib import admin

    return {"site_header": admin.site.site_header, "site_title": admin.site.site_title, "has_permission": False}


def enrolment_device(user) -> TOTPDevice:
    """The unconfirmed device of this enrolment: the same key until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def qr_svg(uri: str) -> str:
    # Dark on a white quiet zone: readable by a camera whatever the page's colours.
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff", title="QR code of the key")


def device_confirm(*, user, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a code it shows; the backup codes made with it, or None for a wrong code."""
    with transaction.atomic():
        if not device.verify_token(token):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=code) for code in codes])
        audit_record(user=user, obj=user, fields=["totp", "backup codes"], action="enrolled")
    return codes


@never_cache
@csrf_protect
@login_required(login_url="admin:login")
def enrol(request):
    user = request.user
    if not needs_enrolment(user):
        return redirect("admin:index")
    device = enrolment_device(user)
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = device_confirm(user=user, device=device, token=form.cleaned_data["otp_token"])
        if codes is not None:
            otp_login(request, device)
            return TemplateResponse(request, "admin/enrol_done.html", {**_page(request), "codes": codes,
                                                                      "title": "Backup codes"})  # fmt: skip
        form.add_error("otp_token", "This code is not right. Check the time on your phone, and try the next code.")
    uri = device.config_url
    context = {
        **_page(request),
        "form": form,
        "qr": mark_safe(qr_svg(uri)),  # noqa: S308  # nosec B308 B703: drawn by segno from our own key
        "uri": uri,
        "title": "Set up your second factor",
    }
    return TemplateResponse(request, "admin/enrol.html", context)
