"""Demo staff accounts, and each app's demo data, for `make run`; does nothing the second time.

An app takes part with a `seed_demo()` method on its AppConfig, so that the portal imports no app.
"""

import base64
import secrets

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from portal import factors, roles, sealing
from portal.models import OfficeKey, OpenedTOTPDevice

DEMO_STAFF = [
    ("intake", roles.INTAKE_OFFICER, False),
    ("desk", roles.DESK_OFFICER, False),
    ("rapporteur", roles.RAPPORTEUR, False),
    # Not a superuser: the demo administrator keeps accounts and desks and, like a real one, sees no case.
    ("admin", roles.ADMINISTRATOR, False),
]


def totp_secret(device: OpenedTOTPDevice) -> str:
    """The key as authenticator apps take it (base32)."""
    return base64.b32encode(device.bin_key).decode()


class Command(BaseCommand):
    help = "Create fictional demo cases and one demo staff account per role (credentials printed once)."

    def handle(self, *args, **options):
        users = get_user_model()
        created = []
        # The office key, made here the first time (its recovery key printed once): the demo staff who read
        # cases are granted it, and the demo data is built with it open (drafting reads the cases).
        keyring, recovery = None, ""
        if not OfficeKey.objects.exists():
            _office, private = sealing.office_key_create()
            keyring = sealing.Keyring(office=sealing.office_keys([private]))
            recovery = sealing.new_recovery_code()
            sealing.grant(sealing.holder_create(secret=sealing.recovery_secret(recovery), label="recovery"), keyring)
        keyring = keyring or sealing.current()  # a later run: the key of whoever runs it, if any
        for username, role, superuser in DEMO_STAFF:
            if users.objects.filter(username=username).exists():
                continue
            password = secrets.token_urlsafe(12)
            user = users.objects.create_user(
                username=username, password=password, is_staff=True, is_superuser=superuser
            )
            user.groups.add(Group.objects.get(name=role))
            # Every account has a key pair (its TOTP seed is sealed to it); those who read cases, the office key.
            holder = sealing.holder_create(user=user, secret=password)
            device = factors.totp_create(user=user, name="demo authenticator", confirmed=True)
            created.append((username, role, password, totp_secret(device)))
            if role in roles.CASE_READERS and keyring is not None and keyring.office:
                sealing.grant(holder, keyring)
        # Each app seeds its own demo data, in the order of INSTALLED_APPS: a later app's builds on an earlier one's.
        with sealing.using(keyring):
            made = {c.label: c.seed_demo() for c in apps.get_app_configs() if hasattr(c, "seed_demo")}

        if created:
            self.stdout.write("Demo staff accounts, shown once (staff site: /admin/):")
            for username, role, password, secret in created:
                self.stdout.write(f"  {role:15} user {username:11} password {password}  TOTP secret {secret}")
            self.stdout.write(
                "Log in with the user name, the password and a six-digit code: add the TOTP secret to an\n"
                "authenticator app, or print the current code (it asks for the password, which alone opens\n"
                "the secret) with: python -m portal.embedded -- python manage.py totp_code USERNAME"
            )
        if recovery:
            self.stdout.write(
                "Office key created. Its RECOVERY KEY, shown once (in production: print it, keep it offline):\n"
                f"  {recovery}"
            )
        if any(made.values()):
            self.stdout.write("Demo data created: " + ", ".join(f"{label} {n}" for label, n in made.items() if n))
            self.stdout.write("The demo letters are written in the background in the first minutes.")
        else:
            self.stdout.write("Demo data already present.")
