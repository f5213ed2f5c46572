"""Print a staff member's current TOTP code, for demo accounts: after their password.

The seed is sealed to the person's own key, which only their password opens (portal.factors): the
server cannot print a code alone. The password is asked without echo, or read from the environment
variable PORTAL_UNLOCK_SECRET (for scripts, never a file), as `keys` does.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import factors, sealing
from portal.models import KeyHolder


class Command(BaseCommand):
    help = "Print the current six-digit code of USERNAME's TOTP device (asks for USERNAME's password)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
        holder = KeyHolder.objects.filter(user=user).first() if user else None
        if device is None or holder is None:
            raise CommandError(f"{username} has no confirmed TOTP device.")
        password = os.environ.get("PORTAL_UNLOCK_SECRET") or getpass.getpass(f"Password of {username}: ")
        opened = factors.totp_open(device, sealing.holder_open(holder, password))
        if opened is None:
            raise CommandError("This password does not open the device's key.")
        totp = TOTP(opened.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
