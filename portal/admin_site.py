from collections.abc import Callable
from functools import wraps

from django import forms
from django.http import HttpRequest
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import enrolment, factors, sealing
from portal.audit import current_actor
from portal.models import KeyHolder


class StaffLoginForm(OTPAdminAuthenticationForm):
    """User name, password and code on one page; one message for any failure.

    A wrong password and a right password with a wrong code read the same: the form never confirms
    a password. The code is a six-digit TOTP code or a one-time backup code, told apart by its form.
    An account with no confirmed device yet logs in with the password alone, into a session that
    only reaches the enrolment page (portal.enrolment).
    """

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            if not hasattr(self.request, "holder_key"):
                # A right password costs an Argon2id derivation (opening the person's key): a wrong one
                # costs the same, so that the time taken does not confirm a password either.
                sealing.password_key(self.cleaned_data.get("password") or "", bytes(16), *sealing.kdf_limits())
            raise forms.ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            ) from None

    def clean_otp(self, user):
        if user is not None and not any(devices_for_user(user, confirmed=True)):
            return  # the first login: the site sends the person to enrol a device
        return super().clean_otp(user)

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            token = (self.cleaned_data.get("otp_token") or "").strip()
            wanted = TOTPDevice if token.isdigit() else StaticDevice
            devices = [d for d in devices_for_user(user, confirmed=True, for_verify=True) if isinstance(d, wanted)]
            if len(devices) == 1:
                device = devices[0]
        # The device's seed, or the key of its backup codes, opens only with the person's own key: with
        # none opened, no device is chosen and the login fails with the same message as any other.
        return None if device is None else factors.device_open(device, self.holder_key(user))

    def holder_key(self, user):
        """The person's private key, opened by the password just checked (once per login, kept on the
        request for sealing.staff_logged_in)."""
        if not hasattr(self.request, "holder_key"):
            holder = KeyHolder.objects.filter(user=user).first()
            password = self.cleaned_data.get("password") or ""
            self.request.holder_key = sealing.holder_open(holder, password) if holder is not None else None
        return self.request.holder_key


class PortalAdminSite(OTPAdminSite):
    """The admin with a second factor, and on its index page the panels the apps register (the desk queues)."""

    login_form = StaffLoginForm
    login_template = "admin/staff_login.html"
    site_header = "Defender case portal: staff"
    site_title = "Case portal staff"
    index_title = "Queues and records"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index_panels: list[tuple[str, Callable[[HttpRequest], dict]]] = []

    def register_index_panel(self, template_name: str, context: Callable[[HttpRequest], dict]) -> None:
        """Show `template_name`, rendered with `context(request)`, above the index page's list of models.

        Each app registers its own panel from its admin module, so that the portal imports no app.
        """
        self.index_panels.append((template_name, context))

    def get_urls(self):
        return [
            path("enrol/", enrolment.enrol, name="enrol"),
            path("language/", enrolment.language_choose, name="staff_language"),
            path("backup-codes/", self.admin_view(enrolment.backup_codes), name="backup_codes"),
            *super().get_urls(),
        ]

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        if request.method == "POST" and request.user.is_authenticated:
            # The password opens the person's key, and with it the office key if they were granted it.
            sealing.staff_logged_in(request, request.POST.get("password", ""), getattr(request, "holder_key", None))
        if enrolment.needs_enrolment(request.user):
            return redirect("admin:enrol")
        return response

    def admin_view(self, view, cacheable=False):
        """Every staff view runs with its user as the author of what it changes (portal.signals)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def as_actor(request, *args, **kwargs):
            token = current_actor.set(request.user if request.user.is_authenticated else None)
            try:
                return inner(request, *args, **kwargs)
            finally:
                current_actor.reset(token)

        return as_actor

    def index(self, request, extra_context=None):
        panels = [render_to_string(name, context(request), request) for name, context in self.index_panels]
        return super().index(request, {"index_panels": panels, **(extra_context or {})})
