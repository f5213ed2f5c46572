"""What the benches' seeding shares: counts, VACUUM ANALYZE, staff, and letters through the services.

bench/seed_queue.py fills the review queue, bench/seed_archive.py the public
archive, bench/soak.py adds letters that fall due during its run; all inside a
process where Django is set up (bench/stack.py), against the bench's own database.
"""

import contextlib
import hashlib
import time
from datetime import datetime

from django.db import connection

# Fictional staff of a throw-away database; the users of databases seeded earlier keep it.
PASSWORD = "bench queue password 4711"  # noqa: S105


def staff_client(user, **headers):
    """A test client logged in as `user` with their second factor, and the keyring their password opens in the
    session with its key in a cookie (portal.sealing), as a staff login leaves them."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.stack import HOST
    from portal import sealing

    client = Client(HTTP_HOST=HOST, **headers)
    client.force_login(user, backend="portal.roles.RoleBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user).persistent_id
    session[sealing.SESSION_KEYS], client.cookies[sealing.KEY_COOKIE] = sealing.session_lock(
        sealing.holder_keyring(user.key_holder, PASSWORD)
    )
    session.save()
    return client


# The office key of the benches' throw-away databases (portal.sealing): fixed, so that every run and every
# seeded database opens its cases; the bench staff are granted it.
OFFICE_PRIVATE_KEY = hashlib.sha256(b"defender portal: the benches' office key").digest()


def office_keyring():
    """The benches' office key, made in the database the first time: the keyring staff logins open."""
    from nacl.public import PrivateKey

    from portal import sealing
    from portal.models import OfficeKey

    private = PrivateKey(OFFICE_PRIVATE_KEY)
    if not OfficeKey.objects.filter(retired_at__isnull=True).exists():
        OfficeKey.objects.create(public_key=bytes(private.public_key))
    return sealing.Keyring(office=sealing.office_keys([private]))


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (a table name of this package)
        return cursor.fetchone()[0]


def vacuum_analyze() -> float:
    """VACUUM ANALYZE the whole database; how long it took."""
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def staff(username: str, role: str, *, desks: tuple[str, ...] = ()):
    """A bench staff member with a confirmed TOTP device; the same user on every run."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from submissions.models import Desk

    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    if created:
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=role))
        for code in desks:
            Desk.objects.get(code=code).members.add(user)
    if not hasattr(user, "key_holder"):
        from portal import sealing

        sealing.grant(sealing.holder_create(user=user, secret=PASSWORD), office_keyring())
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        from portal import factors

        factors.totp_create(user=user, name="authenticator", confirmed=True)  # its seed sealed to the holder
    # Each code is accepted once per device: forget the last one used by an earlier run.
    TOTPDevice.objects.filter(user=user).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return user


@contextlib.contextmanager
def screened_here():
    """Cases made meanwhile send no screening task: the seeding screens them in this process, if at all."""
    from submissions import services

    send = services._screen_after_commit
    services._screen_after_commit = lambda submission_id: None
    try:
        yield
    finally:
        services._screen_after_commit = send


def communication_sent(case, *, kind: str, recipient: tuple[str, str], language: str, summary: str, sent_at: datetime):
    """A letter on an accepted case, drafted, approved and sent through the services, as staff do it."""
    from communications import services
    from portal import roles

    desk = staff("bench-desk", roles.DESK_OFFICER)
    rapporteur = staff("bench-rapporteur", roles.RAPPORTEUR)
    alpha3, name = recipient
    communication, _draft = services.communication_draft(
        submissions=[case], kind=kind, recipient=alpha3, recipient_name=name, language=language, by=desk
    )
    services.communication_edit(communication=communication, body=communication.body, public_summary=summary)
    services.communication_submit_for_review(communication=communication, by=desk)
    services.communication_approve(communication=communication, by=rapporteur)
    services.communication_send(communication=communication, by=desk, sent_at=sent_at)
    # Nothing is released before a person approved its public version.
    services.communication_public_approve(communication=communication, by=rapporteur)
    return communication
