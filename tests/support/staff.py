"""Staff members per role, each with a confirmed TOTP device, and the real two-factor admin login."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import factors, roles, sealing
from portal.models import KeyHolder
from submissions import services
from submissions.attachments import check_file
from submissions.models import Desk, Submission
from tests.support.factories import make_submission, next_number
from tests.support.seeds import office_keyring

PASSWORD = "correct horse battery staple 7"
LOGIN_URL = "/admin/login/"
ADMIN_INDEX = "/admin/"


def make_staff(
    role: str | None,
    *,
    username: str | None = None,
    desks: tuple[str, ...] = (),
    superuser: bool = False,
    password: str = PASSWORD,
):
    """A staff member in the group `role` (None: no group), with a confirmed TOTP device."""
    username = username or f"{(role or 'staff').split()[0].lower()}-{next_number()}"
    user = get_user_model().objects.create_user(
        username=username, password=password, is_staff=True, is_superuser=superuser
    )
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    for code in desks:
        Desk.objects.get(code=code).members.add(user)
    # Every staff member has a key pair, and their TOTP seed is sealed to it (portal.factors).
    holder = sealing.holder_create(user=user, secret=password)
    factors.totp_create(user=user, name="authenticator", confirmed=True)
    if role in roles.CASE_READERS or superuser:
        # Granted the office key by someone who holds it (the tests' keyring): their login opens cases.
        sealing.grant(holder, office_keyring(), by=None)
    return user


def make_intake_officer(**kwargs):
    return make_staff(roles.INTAKE_OFFICER, **kwargs)


def make_desk_officer(*desks: str, **kwargs):
    """A desk officer of the desks with these codes ("central-asia", "eastern-europe", ...)."""
    return make_staff(roles.DESK_OFFICER, desks=desks, **kwargs)


def make_rapporteur(**kwargs):
    return make_staff(roles.RAPPORTEUR, **kwargs)


def make_administrator(*, superuser: bool = False, **kwargs):
    """An administrator; by default one who relies on the group's permissions, not on being a superuser."""
    return make_staff(roles.ADMINISTRATOR, superuser=superuser, **kwargs)


def totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=True)


def totp_seed(device: TOTPDevice, password: str = PASSWORD) -> bytes:
    """The seed the person's authenticator app holds: sealed on the server, opened with their password."""
    holder = KeyHolder.objects.get(user_id=device.user_id)
    opened = factors.totp_open(device, sealing.holder_open(holder, password))
    assert opened is not None, "the password does not open the device's seed"
    return opened.bin_key


def current_code(user_or_device, password: str = PASSWORD, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (drift and last use as stored), or `steps_ahead` time steps later."""
    device = user_or_device if isinstance(user_or_device, TOTPDevice) else totp_device(user_or_device)
    device.refresh_from_db()
    totp = TOTP(totp_seed(device, password), device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong_code(user, password: str = PASSWORD) -> str:
    """A six-digit code that no tolerated time step of the user's device accepts now."""
    device = totp_device(user)
    totp = TOTP(totp_seed(device, password), device.step, device.t0, device.digits, device.drift)
    now = time.time()
    valid = set()
    for offset in range(-device.tolerance - 2, device.tolerance + 3):
        totp.time = now + offset * device.step
        valid.add(totp.token())
    return next(f"{code:06d}" for code in range(1, 10**6) if code not in valid)


def post_login(client, *, username: str, password: str = PASSWORD, code: str | None = None, device=None):
    """Post the admin login form as a person fills it in; returns the response."""
    form = client.get(LOGIN_URL)
    assert form.status_code == 200
    assert 'name="otp_token"' in form.content.decode()
    data = {"username": username, "password": password, "next": ADMIN_INDEX}
    if code is not None:
        data["otp_token"] = code
    if device is not None:
        data["otp_device"] = device.persistent_id
    return client.post(LOGIN_URL, data)


def login_staff(client, user, *, password: str = PASSWORD):
    """Log in through /admin/login/ with the password and the current TOTP code; assert that it worked.

    A device accepts each code once: a second login of the same user needs the next time step.
    """
    device = totp_device(user)
    response = post_login(
        client, username=user.get_username(), password=password, code=current_code(device, password), device=device
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == ADMIN_INDEX
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    return response


def make_queued_submission(**answers) -> Submission:
    """A submission made through the intake service and screened into its desk's queue."""
    submission = make_submission(**answers)
    services.submission_screen(submission_id=submission.pk)
    submission.refresh_from_db()
    return submission


def attach_text(submission: Submission, *, name: str = "statement.txt", text: str = "Statement of the witness."):
    """Evidence sent by the source from the receipt page; returns the stored attachment."""
    checked = check_file(SimpleUploadedFile(name, text.encode()))
    message = services.source_message_add(submission=submission, body="Evidence attached", attachments=[checked])
    return message.attachments.get()


def holder_key(user, password: str = PASSWORD):
    """The person's private key, as their login opens it."""
    return sealing.holder_open(KeyHolder.objects.get(user=user), password)


def backup_digests(user, codes, password: str = PASSWORD) -> set[str]:
    """What the server stores for these backup codes of `user`: digests under the person's key."""
    key = holder_key(user, password)
    return {factors.backup_code_digest(key, code) for code in codes}


def stored_backup_digests(user) -> set[str]:
    from django_otp.plugins.otp_static.models import StaticToken

    return set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))


def give_backup_codes(user, codes, password: str = PASSWORD) -> None:
    """Backup codes `user` made earlier on the backup-codes page."""
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    factors.backup_codes_store(device=device, private=holder_key(user, password), codes=list(codes))
