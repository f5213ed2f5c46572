"""The office's keys (portal.sealing): create them, give and take access, rotate, recover, check.

    python manage.py keys create-office-key          # once; prints the recovery key once
    python manage.py keys grant USER --by ME          # ME holds the office key and types their password
    python manage.py keys grant USER --recovery       # opened with the recovery key instead
    python manage.py keys revoke USER
    python manage.py keys rotate --by ME              # a new office key; every case key sealed to it anew
    python manage.py keys new-recovery-key --by ME    # the old recovery key stops working
    python manage.py keys check [--by ME]             # every case can be opened by at least one holder

A person is given access after their first login (which makes their key pair). Secrets are asked for
without echo, or read from the environment variable PORTAL_UNLOCK_SECRET (for scripts, never a file).
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from portal import sealing
from portal.models import CaseKey, KeyHolder, OfficeKey, OfficeKeyGrant

RECOVERY = "recovery"


class Command(BaseCommand):
    help = "Manage the office key pair, the staff who hold it and the recovery key."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        commands.add_parser("create-office-key", help="Make the office key pair and print the recovery key once.")
        for name, text in [
            ("grant", "Give USER access to case content."),
            ("revoke", "Take access to case content from USER."),
        ]:
            sub = commands.add_parser(name, help=text)
            sub.add_argument("user")
            if name == "grant":
                self._unlock_arguments(sub)
        for name, text in [
            ("rotate", "Make a new office key, seal every case key to it, retire the old one."),
            ("new-recovery-key", "Make a new recovery key (printed once); the old one stops working."),
            ("check", "Check that every case can be opened by at least one key holder."),
        ]:
            self._unlock_arguments(commands.add_parser(name, help=text))

    def _unlock_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--by", help="a staff member who holds the office key (asks for their password)")
        group.add_argument("--recovery", action="store_true", help="open with the recovery key")

    def handle(self, *args, action, **options):
        handler = getattr(self, "_" + action.replace("-", "_"))
        handler(**options)

    # --- Opening ------------------------------------------------------------------------------------

    def _secret(self, prompt: str) -> str:
        return os.environ.get("PORTAL_UNLOCK_SECRET") or getpass.getpass(prompt)

    def _unlock(self, *, by=None, recovery=False, required=True, **options) -> sealing.Keyring | None:
        if by is None and not recovery:
            if required:
                raise CommandError("say who opens the office key: --by USER or --recovery")
            return None
        if recovery:
            holder = KeyHolder.objects.filter(user__isnull=True, label=RECOVERY).first()
            secret = sealing.recovery_secret(self._secret("Recovery key: "))
        else:
            holder = KeyHolder.objects.filter(user__username=by).first()
            secret = self._secret(f"Password of {by}: ")
        keyring = sealing.holder_keyring(holder, secret) if holder is not None else None
        if keyring is None or not keyring.office:
            raise CommandError("that does not open the office key")
        return keyring

    # --- Actions ------------------------------------------------------------------------------------

    def _create_office_key(self, **options):
        if OfficeKey.objects.filter(retired_at__isnull=True).exists():
            raise CommandError("an office key exists already: rotate it instead")
        with transaction.atomic():
            office, private = sealing.office_key_create()
            code = self._recovery_for(sealing.Keyring(office=sealing.office_keys([private])))
        self.stdout.write(f"Office key {office.pk} created.")
        self._print_recovery(code)

    def _recovery_for(self, keyring: sealing.Keyring) -> str:
        code = sealing.new_recovery_code()
        KeyHolder.objects.filter(user__isnull=True, label=RECOVERY).delete()
        holder = sealing.holder_create(secret=sealing.recovery_secret(code), label=RECOVERY)
        sealing.grant(holder, keyring)
        return code

    def _print_recovery(self, code: str) -> None:
        self.stdout.write(
            "RECOVERY KEY (shown once; print it, keep it offline, never on this server):\n"
            f"    {code}\n"
            "It opens every case if no staff member can: `keys grant USER --recovery`."
        )

    def _user_holder(self, username: str) -> KeyHolder:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        holder = KeyHolder.objects.filter(user=user).first()
        if holder is None:
            raise CommandError(f"{username} has no key pair yet: they log in once, then are granted access")
        return holder

    def _grant(self, *, user, **options):
        holder = self._user_holder(user)
        keyring = self._unlock(**options)
        by = get_user_model().objects.filter(username=options.get("by")).first()
        count = sealing.grant(holder, keyring, by=by)
        self.stdout.write(f"{user} now holds {count} office key(s).")

    def _revoke(self, *, user, **options):
        deleted = sealing.access_revoke(self._user_holder(user).user)
        self.stdout.write(
            f"{user}: {deleted} grant(s) removed. A copy they may have kept still opens today's cases: "
            "rotate the office key if that matters."
        )

    def _rotate(self, **options):
        keyring = self._unlock(**options)
        with transaction.atomic():
            new, private = sealing.office_key_create()
            box = SealedBox(PublicKey(bytes(new.public_key)))
            old_keys = list(OfficeKey.objects.filter(retired_at__isnull=True).exclude(pk=new.pk))
            moved = 0
            for case_key in CaseKey.objects.select_for_update().filter(sealed_private_key__isnull=False):
                office_private = keyring.office.get(bytes(case_key.office_key.public_key))
                if office_private is None:
                    raise CommandError(f"case key {case_key.pk} is sealed to an office key you do not hold")
                case_private = SealedBox(office_private).decrypt(bytes(case_key.sealed_private_key))
                case_key.sealed_private_key = box.encrypt(case_private)
                case_key.office_key = new
                case_key.save(update_fields=["sealed_private_key", "office_key"])
                moved += 1
            # Every holder of the old key holds the new one: sealed to their public keys, no password needed.
            new_ring = sealing.Keyring(office=sealing.office_keys([private]))
            holders = KeyHolder.objects.filter(grants__office_key__in=old_keys, user__isnull=False).distinct()
            for holder in holders:
                sealing.grant(holder, new_ring)
            code = self._recovery_for(new_ring)
            OfficeKeyGrant.objects.filter(office_key__in=old_keys).delete()
            OfficeKey.objects.filter(pk__in=[k.pk for k in old_keys]).update(retired_at=timezone.now())
        self.stdout.write(f"Office key {new.pk} in use: {moved} case keys sealed to it, {holders.count()} holders.")
        self._print_recovery(code)

    def _new_recovery_key(self, **options):
        keyring = self._unlock(**options)
        with transaction.atomic():
            code = self._recovery_for(keyring)
        self._print_recovery(code)

    def _check(self, **options):
        current = OfficeKey.objects.filter(retired_at__isnull=True)
        holders = KeyHolder.objects.filter(grants__office_key__in=current, user__isnull=False).distinct()
        recovery = KeyHolder.objects.filter(grants__office_key__in=current, user__isnull=True).exists()
        orphaned = CaseKey.objects.filter(sealed_private_key__isnull=False).exclude(office_key__in=current)
        problems = []
        if not holders.exists():
            problems.append("no staff member holds the office key")
        if not recovery:
            problems.append("there is no recovery key")
        if orphaned.exists():
            problems.append(f"{orphaned.count()} case keys are sealed to a retired office key")
        keyring = self._unlock(required=False, **options)
        if keyring is not None:
            unopened = 0
            for case_key in CaseKey.objects.filter(sealed_private_key__isnull=False).select_related("office_key"):
                office_private = keyring.office.get(bytes(case_key.office_key.public_key))
                try:
                    PrivateKey(SealedBox(office_private).decrypt(bytes(case_key.sealed_private_key)))
                except (CryptoError, TypeError):
                    unopened += 1
            if unopened:
                problems.append(f"{unopened} case keys do not open with the office key")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError("the keys need attention")
        self.stdout.write(
            f"OK: {holders.count()} staff holders, a recovery key, "
            f"{CaseKey.objects.filter(sealed_private_key__isnull=False).count()} case and letter keys sealed to the "
            "office key."
        )
