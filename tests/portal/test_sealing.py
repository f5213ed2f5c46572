"""Sealed cases (portal.sealing): what a seized server reads, what staff and the receipt read, shredding.

The server holds public keys and sealed keys only. These tests take everything it has and try every key
found there; then read as staff do (the password opens the office key) and as the source does (the
receipt opens their case); then destroy cases and check that nothing opens them, the office key included.
"""

import base64
import binascii
import datetime
import os
import re
from pathlib import Path

import pytest
import redis
from axes.handlers.proxy import AxesProxyHandler
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from nacl.secret import SecretBox

from communications import services as letters
from communications.models import Communication
from portal import sealed_files, sealing
from portal.factors import backup_code_digest
from portal.models import CaseKey, KeyHolder, OfficeKey, OfficeKeyGrant
from submissions import services
from submissions.models import Attachment, Defender, Message, Status, StatusChange, Submission
from tests.support.factories import give_receipt, make_accepted_submission, make_submission
from tests.support.servers import ThrowawayRedis
from tests.support.staff import (
    PASSWORD,
    attach_text,
    current_code,
    login_staff,
    make_administrator,
    make_desk_officer,
    make_rapporteur,
    post_login,
    totp_device,
    totp_seed,
)

pytestmark = pytest.mark.django_db

VICTIM = "Гульнара Абдуллаева"
SOURCE = "Farida Nazarova"
CONTACT = "farida.secret@example.net"
STORY = "Detained at the Khujand colony on 12 October, beaten by officer Rahimov"
EVIDENCE = "Medical certificate No. 4471-KH, bruises on both arms"
PASSPHRASE = "correct horse battery staple river lamp"
SECRETS = [VICTIM, "Абдуллаев", "Abdullaeva", SOURCE, "Nazarova", CONTACT, "Khujand colony", "Rahimov", "4471-KH"]
# A letter to the government naming a victim who agreed to be named to it, the State's reply and a reason.
LETTER_VICTIM = "Зарина Шарипова"
LETTER = f"<p>{LETTER_VICTIM} was detained in the Vahdat police station on 3 November.</p>"
REPLY_DOCUMENT = "The prosecutor of Rasht district opened criminal case No. 88-RA-2026."
REPLY_SUMMARY = "The State confirms the detention in the Garm pre-trial centre."
WITHHELD_BECAUSE = "The family fears reprisals by the Vahdat police."
LETTER_SECRETS = ["Шарипова", "Vahdat", "88-RA-2026", "Garm pre-trial", "rasht-prosecutor"]


def a_case(**answers) -> Submission:
    answers = {
        "source_name": SOURCE,
        "contact_method": "email",
        "contact_details": CONTACT,
        "description": STORY,
        "country": "TJ",
        **answers,
    }
    return make_submission(defender_name=VICTIM, **answers)


def with_receipt(submission: Submission, passphrase: str = PASSPHRASE) -> Submission:
    give_receipt(submission, passphrase)
    return submission


def a_letter() -> Communication:
    """A letter naming its victim (who agreed to be named to the government), sent, replied to and withheld."""
    case = make_accepted_submission(country="TJ", defender_name=LETTER_VICTIM)
    desk, rapporteur = make_desk_officer("central-asia"), make_rapporteur()
    letter, _draft = letters.communication_draft(
        submissions=[case], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=desk
    )
    assert letters.communication_edit(communication=letter, body=LETTER, public_summary="Detention.") == []
    letters.communication_submit_for_review(communication=letter, by=desk)
    letters.communication_approve(communication=letter, by=rapporteur)
    letters.communication_send(communication=letter, by=desk)
    letters.reply_record(
        communication=letter, received_on=datetime.date.today(), kind="substantive", confidential=False,
        summary=REPLY_SUMMARY, document=REPLY_DOCUMENT.encode(), document_name="rasht-prosecutor.txt",
        content_type="text/plain",
    )  # fmt: skip
    letters.communication_withhold(communication=letter, by=rapporteur, reason=WITHHELD_BECAUSE)
    return Communication.objects.get(pk=letter.pk)


def login_again(client, user, **kwargs):
    """A second login of the same person within one TOTP time step: the device forgets the used code."""
    TOTPDevice.objects.filter(user=user).update(last_t=-1)
    return login_staff(client, user, **kwargs)


# --- What the server holds ---------------------------------------------------------------------------


def database_dump() -> list[bytes]:
    """Every value of every table of the database, as bytes (text as UTF-8)."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (names from the catalogue)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        values.append(bytes(value))
                    elif value is not None:
                        values.append(str(value).encode())
    return values


def redis_dump() -> list[bytes]:
    """Every key and value of every Redis database the portal uses, and the files under its data folder."""
    values = []
    for url in {settings.REDIS_URL, settings.RATELIMIT_REDIS_URL}:
        for db in range(16):
            client = redis.Redis.from_url(url, db=db)
            for key in client.scan_iter():
                values.append(key)
                dumped = client.dump(key)
                if dumped:
                    values.append(dumped)
    return values


def files_under(*folders: Path) -> list[bytes]:
    found = []
    for folder in folders:
        if folder.is_dir():
            found += [path.read_bytes() for path in folder.rglob("*") if path.is_file() and path.stat().st_size < 50e6]
    return found


@pytest.fixture
def a_server_of_its_own(tmp_path):
    """The test's own Redis and media folder: what is seized is everything this test's server holds, and only
    that (not the run's other workers' Redis databases and append-only file, nor the files of this worker's
    earlier tests, whose thousands of keys and boxes made the search quadratic: 89 s in the suite, 10 s alone)."""
    server = ThrowawayRedis().start()
    own = {
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",  # sessions in Redis too, as deployed
        "REDIS_URL": server.url,
        "CACHES": {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": server.url}},
        "MEDIA_ROOT": tmp_path / "media",
        "PRIVATE_MEDIA_ROOT": tmp_path / "media" / "private",
    }
    try:
        with override_settings(**own):  # not pytest-django's `settings`, which would restore after the reset below
            AxesProxyHandler.get_implementation(force=True)  # it holds its cache: the failed logins go here too
            yield server
    finally:
        AxesProxyHandler.get_implementation(force=True)  # and back to the run's Redis
        server.delete()


def everything_the_server_has(caplog, redis_folder: Path) -> list[bytes]:
    data_dir = Path(settings.BASE_DIR) / ".data"
    return [
        *database_dump(),
        *redis_dump(),
        *files_under(Path(settings.MEDIA_ROOT), redis_folder, data_dir / "test" / "redis-ratelimit"),
        *(f"{name}={value}".encode() for name, value in os.environ.items()),
        *(key.encode() for key in settings.ENCRYPTION_KEYS),
        settings.HMAC_KEY.encode(),
        settings.SECRET_KEY.encode(),
        caplog.text.encode(),
    ]


_TOKEN = re.compile(rb"[A-Za-z0-9+/=_-]{40,}")


def keys_in(blobs: list[bytes]) -> set[bytes]:
    """Every 32-byte value found: raw, or written as hex or base64 inside any text; and the Fernet keys."""
    keys = set()
    for blob in blobs:
        if len(blob) == 32:
            keys.add(blob)
        for token in _TOKEN.findall(blob):
            for decode in (base64.b64decode, base64.urlsafe_b64decode, binascii.unhexlify):
                try:
                    decoded = (
                        decode(token + b"=" * (-len(token) % 4)) if decode is not binascii.unhexlify else decode(token)
                    )
                except (ValueError, binascii.Error):
                    continue
                if len(decoded) == 32:
                    keys.add(decoded)
    return keys


def sealed_blobs(blobs: list[bytes]) -> set[bytes]:
    """Everything that could be a box: the raw bytes of each value and each base64 token in it."""
    found = {blob for blob in blobs if len(blob) >= 48}
    for blob in blobs:
        for token in _TOKEN.findall(blob):
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    decoded = decode(token + b"=" * (-len(token) % 4))
                except (ValueError, binascii.Error):
                    continue
                if len(decoded) >= 48:
                    found.add(decoded)
    return found


def opened_by_any(keys: set[bytes], boxes: set[bytes]) -> list[bytes]:
    """Every box that any key opens, as a sealed box (X25519) or a secret box (XSalsa20-Poly1305)."""
    openers = [opener for key in keys for opener in (SealedBox(PrivateKey(key)), SecretBox(key))]
    opened = []
    for box in boxes:
        for opener in openers:
            try:
                opened.append(opener.decrypt(box))
            except (CryptoError, ValueError, TypeError):
                continue
    return opened


def keys_under_the_servers_key(blobs: list[bytes]) -> set[bytes]:
    """Every 32-byte value that the server's own Fernet keys open (a file key left for the worker)."""
    keys = set()
    for key in settings.ENCRYPTION_KEYS:
        fernet = Fernet(key.encode())
        for blob in blobs:
            for token in re.findall(rb"gAAAAA[A-Za-z0-9_=-]+", blob):
                try:
                    plain = fernet.decrypt(token)
                except InvalidToken:
                    continue
                if len(plain) == 32:
                    keys.add(plain)
    return keys


def file_key_boxes(files: list[bytes]) -> set[bytes]:
    """The sealed file key in each sealed file's header, as a box of its own."""
    start = len(sealed_files.MAGIC) + 1 + 8
    return {blob[start : start + 80] for blob in files if blob[len(sealed_files.MAGIC) :][:1] == sealed_files.CASE}


def files_opened_by_any(keys: set[bytes]) -> list[str]:
    """Every file of the media folder sealed to a case whose stream any key opens (a file of a case from
    before case keys is under the server's key, as that case's values are: the server reads it by design)."""
    opened = []
    for path in sealed_files.root().iterdir() if sealed_files.root().exists() else []:
        if path.read_bytes()[: len(sealed_files.MAGIC) + 1] != sealed_files.MAGIC + sealed_files.CASE:
            continue
        for key in keys:
            try:
                sealed_files.open_with(path.name, key).read()
            except (sealed_files.Unreadable, ValueError):
                continue
            opened.append(path.name)
    return opened


def test_a_seized_server_with_no_staff_password_reads_no_report(caplog, a_server_of_its_own):
    submission = with_receipt(a_case())
    attachment = attach_text(submission, name="certificate.txt", text=EVIDENCE)
    with sealing.using(None):  # as the worker does it: from its copy under the server's key, then deleted
        services.attachment_clean(attachment_id=attachment.pk)
    services.submission_screen(submission_id=submission.pk)
    services.submission_request_information(submission=submission, by=None, question=f"Is {VICTIM} still held?")
    # A staff member and the source are logged in: their sessions are on the server too.
    staff = Client()
    officer = make_desk_officer("central-asia")
    login_staff(staff, officer)
    assert VICTIM in staff.get(f"/admin/submissions/submission/{submission.pk}/change/").content.decode()
    # So are second factors: the seeds of two authenticators and the backup codes of their owners, one of
    # them an administrator, who reads no case but has a key pair of their own for their second factor.
    administrator = make_administrator()
    login_staff(Client(), administrator)
    backup_codes = [
        code for person in (officer, administrator)
        for code in backup_codes_made(person)
    ]  # fmt: skip
    source = Client()
    assert source.post("/receipt/", {"reference": submission.reference, "passphrase": PASSPHRASE}).status_code == 302
    assert STORY not in source.get("/receipt/case/").content.decode()  # the page shows no narrative...
    assert f"Is {VICTIM} still held?" in source.get("/receipt/case/").content.decode()  # ...but opens messages
    letter = a_letter()
    page = staff.get(f"/admin/communications/communication/{letter.pk}/change/").content.decode()
    assert LETTER_VICTIM in page
    assert WITHHELD_BECAUSE in page

    assert any(b"django.contrib.sessions" in key for key in redis_dump())  # the sessions above are in what is seized
    seized = everything_the_server_has(caplog, a_server_of_its_own.dir)

    for secret in SECRETS + LETTER_SECRETS:
        for blob in seized:
            assert secret.encode() not in blob, f"{secret!r} is in clear on the server"
    files = [blob for blob in seized if blob.startswith(sealed_files.MAGIC)]
    assert files  # the attachment's sealed files are in the media folder, and were searched
    keys = keys_in(seized) | keys_under_the_servers_key(seized)
    boxes = sealed_blobs(seized) | file_key_boxes(files)
    assert len(keys) > 20 and len(boxes) > 20  # the search did find the keys and boxes that are there
    print(f"seized: {len(seized)} values, {len(keys)} candidate keys, {len(boxes)} candidate boxes")
    assert opened_by_any(keys, boxes) == []
    assert files_opened_by_any(keys) == []
    assert_no_second_factor_in(seized, keys, people=(officer, administrator), backup_codes=backup_codes)
    # The Fernet keys of the environment open only what the server may read anyway: none of it is the case.
    for key in settings.ENCRYPTION_KEYS:
        fernet = Fernet(key.encode())
        for blob in seized:
            for token in re.findall(rb"gAAAAA[A-Za-z0-9_=-]+", blob):
                try:
                    plain = fernet.decrypt(token)
                except InvalidToken:
                    continue
                assert not any(secret.encode() in plain for secret in SECRETS + LETTER_SECRETS), plain[:200]
    # And the letter's values are boxes sealed to its own key, which only the office key opens.
    with sealing.using(None):
        stored = Communication.objects.get(pk=letter.pk)
        reply = stored.replies.get()
        for value in (stored.body, stored.withheld_reason, reply.document, reply.document_name, reply.summary):
            assert isinstance(value, sealing.Sealed)


def backup_codes_made(person) -> list[str]:
    client = Client()
    login_again(client, person)
    return list(client.post("/admin/backup-codes/", {"password": PASSWORD}).context["codes"])


def assert_no_second_factor_in(seized: list[bytes], keys: set[bytes], *, people, backup_codes: list[str]) -> None:
    """No seed or backup code in clear; no code made from what the server holds logs anyone in."""
    for person in people:
        device = totp_device(person)
        seed = totp_seed(device)  # as the person's app holds it (opened here with their password)
        for form in (seed, seed.hex().encode(), base64.b32encode(seed), base64.b64encode(seed)):
            assert not any(form in blob for blob in seized), f"the TOTP seed of {person} is in clear on the server"
        # The device's own key column is the obvious guess: it makes codes that the login refuses.
        guess = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        if f"{guess:06d}" != current_code(device):
            client = Client()
            refused = post_login(client, username=person.username, code=f"{guess:06d}", device=device)
            assert refused.status_code == 200 and "_auth_user_id" not in client.session
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == len(backup_codes) == 20
    for code in backup_codes:
        assert not any(code.encode() in blob for blob in seized), f"backup code {code} is in clear on the server"
    # The stored digests are keyed: no key the server holds makes them from the codes (and without the key
    # there is nothing to try the 2^40 possible codes against).
    for key in keys:
        assert not {backup_code_digest(PrivateKey(key), code) for code in backup_codes} & stored


# --- Reading with the keys ---------------------------------------------------------------------------


def test_a_staff_password_opens_the_case_and_nothing_else_does():
    submission = a_case()
    services.submission_screen(submission_id=submission.pk)
    officer = make_desk_officer("central-asia")
    page = f"/admin/submissions/submission/{submission.pk}/change/"

    client = Client()
    login_staff(client, officer)
    assert VICTIM in client.get(page).content.decode()

    # The same session without the key in the person's cookie opens nothing: the server alone cannot.
    client.cookies.pop(sealing.KEY_COOKIE)
    refused = client.get(page)
    assert refused.status_code == 403
    assert VICTIM not in refused.content.decode()
    assert "needs your key" in refused.content.decode()


def test_staff_read_and_edit_a_letter_with_their_key_and_its_pages_refuse_without_it():
    case = make_accepted_submission(country="TJ", defender_name=LETTER_VICTIM)
    desk = make_desk_officer("central-asia")
    letter, _draft = letters.communication_draft(
        submissions=[case], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=desk
    )
    page = f"/admin/communications/communication/{letter.pk}/change/"
    client = Client()
    login_staff(client, desk)
    assert "Vahdat" not in client.get(page).content.decode()
    edited = client.post(page, {"body": LETTER, "public_summary": "Detention."})
    assert edited.status_code == 302
    assert "Vahdat police station" in client.get(page).content.decode()
    assert Communication.objects.get(pk=letter.pk).body == LETTER

    # The same session without the key in the person's cookie: the list answers (it opens no letter), no letter page.
    client.cookies.pop(sealing.KEY_COOKIE)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/communications/communication/").status_code == 200
    assert not any('"communications_communication"."body"' in query["sql"] for query in queries.captured_queries)
    for path in (page, f"{page[: -len('change/')]}public/", f"{page[: -len('change/')]}pdf/"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "needs your key" in refused.content.decode() and "Vahdat" not in refused.content.decode()
    assert client.post(page, {"body": "<p>Replaced.</p>", "public_summary": ""}).status_code == 403
    assert Communication.objects.get(pk=letter.pk).body == LETTER
    with sealing.using(None):
        assert isinstance(Communication.objects.get(pk=letter.pk).body, sealing.Sealed)


def test_the_case_page_lists_its_duplicates_without_opening_their_keys():
    submission, duplicate = a_case(), a_case(description="The same defender, told by another source")
    for case in (submission, duplicate):
        services.submission_screen(submission_id=case.pk)
    client = Client()
    login_staff(client, make_desk_officer("central-asia"))

    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/admin/submissions/submission/{submission.pk}/change/").content.decode()

    assert VICTIM in page and duplicate.reference in page
    opened = [q["sql"] for q in queries if '"portal_casekey"."sealed_private_key"' in q["sql"]]
    assert len(opened) == 1 and f'"portal_casekey"."id" = {submission.case_key_id}' in opened[0]


def test_a_case_reads_as_sealed_without_a_key():
    submission = a_case()
    with sealing.using(None):
        stored = Submission.objects.get(pk=submission.pk)
        assert isinstance(stored.description, sealing.Sealed)
        with pytest.raises(sealing.Locked):
            str(stored.description)
        # Written back unchanged (a worker saving the row): still the same sealed value.
        stored.save()
    assert Submission.objects.get(pk=submission.pk).description == STORY


def test_the_receipt_opens_its_own_case_only():
    mine, other = with_receipt(a_case()), a_case(description="Another story of another family")
    ring = services.receipt_authenticate(reference=mine.reference, passphrase=PASSPHRASE).receipt_keyring

    with sealing.using(ring):
        assert Submission.objects.get(pk=mine.pk).description == STORY
        assert isinstance(Submission.objects.get(pk=other.pk).description, sealing.Sealed)


def test_what_a_keyring_opened_stays_with_it():
    mine, other = with_receipt(a_case()), with_receipt(a_case(description="Another story of another family"))
    ring = services.receipt_authenticate(reference=mine.reference, passphrase=PASSPHRASE).receipt_keyring
    with sealing.using(ring):
        assert Submission.objects.get(pk=mine.pk).description == STORY  # opened, and remembered by `ring`
    other_ring = services.receipt_authenticate(reference=other.reference, passphrase=PASSPHRASE).receipt_keyring

    for elsewhere in (None, other_ring):
        with sealing.using(elsewhere):
            assert isinstance(Submission.objects.get(pk=mine.pk).description, sealing.Sealed)
    # What the session keeps of a keyring is its keys, never what they opened.
    assert ring.opened and "Khujand" not in repr(ring) and "Khujand" not in str(ring.dump())


def test_a_new_staff_member_reads_cases_once_a_holder_grants_access(settings, monkeypatch):
    submission = a_case()
    services.submission_screen(submission_id=submission.pk)
    holder = make_rapporteur()
    newcomer = make_desk_officer("central-asia")
    OfficeKeyGrant.objects.filter(holder__user=newcomer).delete()  # a key pair (for their TOTP seed), no access
    page = f"/admin/submissions/submission/{submission.pk}/change/"

    client = Client()
    login_staff(client, newcomer)
    assert client.get(page).status_code == 403
    assert KeyHolder.objects.filter(user=newcomer, grants__isnull=True).exists()

    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", "not the password")
    with pytest.raises(CommandError):
        call_command("keys", "grant", newcomer.username, "--by", holder.username)
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", PASSWORD)
    call_command("keys", "grant", newcomer.username, "--by", holder.username)

    client = Client()
    login_again(client, newcomer)
    assert VICTIM in client.get(page).content.decode()

    call_command("keys", "revoke", newcomer.username)
    client = Client()
    login_again(client, newcomer)
    assert client.get(page).status_code == 403


def test_a_password_change_keeps_access_under_the_new_password():
    submission = a_case()
    services.submission_screen(submission_id=submission.pk)
    officer = make_desk_officer("central-asia")
    client = Client()
    login_staff(client, officer)
    new_password = "a new long passphrase for the desk 42"
    changed = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]

    client = Client()
    login_again(client, officer, password=new_password)
    assert VICTIM in client.get(f"/admin/submissions/submission/{submission.pk}/change/").content.decode()
    assert sealing.holder_keyring(KeyHolder.objects.get(user=officer), PASSWORD) is None  # the old one opens nothing


def test_rotation_seals_every_case_key_to_a_new_office_key(monkeypatch, capsys):
    cases = [a_case() for _ in range(3)]
    officer = make_desk_officer("central-asia")
    old = OfficeKey.objects.current()
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", PASSWORD)

    call_command("keys", "rotate", "--by", officer.username)

    new = OfficeKey.objects.current()
    assert new != old
    old.refresh_from_db()
    assert old.retired_at is not None and not old.grants.exists()
    assert set(CaseKey.objects.values_list("office_key", flat=True)) == {new.pk}
    # The tests' own copy of the old key opens nothing any more; the officer's password opens everything.
    with sealing.using(sealing.Keyring(office=sealing.current().office)):
        assert all(isinstance(Submission.objects.get(pk=c.pk).description, sealing.Sealed) for c in cases)
    with sealing.using(sealing.holder_keyring(KeyHolder.objects.get(user=officer), PASSWORD)):
        assert all(Submission.objects.get(pk=c.pk).description == STORY for c in cases)
    # A new recovery key was printed, and it opens the new key.
    code = re.search(r"RECOVERY KEY.*\n\s+(\S+)", capsys.readouterr().out).group(1)
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", code)
    call_command("keys", "check", "--recovery")


def test_the_recovery_key_opens_the_office_key_and_grants_access(monkeypatch, capsys):
    submission = a_case()
    holder = make_rapporteur()
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", PASSWORD)
    call_command("keys", "new-recovery-key", "--by", holder.username)
    code = re.search(r"RECOVERY KEY.*\n\s+(\S+)", capsys.readouterr().out).group(1)

    recovery = KeyHolder.objects.get(user__isnull=True, label="recovery")
    with sealing.using(sealing.holder_keyring(recovery, sealing.recovery_secret(code.lower()))):
        assert Submission.objects.get(pk=submission.pk).description == STORY
    assert sealing.holder_keyring(recovery, sealing.recovery_secret(sealing.new_recovery_code())) is None

    newcomer = make_desk_officer("central-asia")
    KeyHolder.objects.filter(user=newcomer).update(user=None, label="left")  # their key is gone
    sealing.holder_create(user=newcomer, secret=PASSWORD)
    monkeypatch.setenv("PORTAL_UNLOCK_SECRET", code)
    call_command("keys", "grant", newcomer.username, "--recovery")
    with sealing.using(sealing.holder_keyring(KeyHolder.objects.get(user=newcomer), PASSWORD)):
        assert Submission.objects.get(pk=submission.pk).description == STORY
    call_command("keys", "check", "--recovery")


def test_the_check_names_cases_nobody_can_open(monkeypatch):
    a_case()
    KeyHolder.objects.all().delete()
    with pytest.raises(CommandError):
        call_command("keys", "check")


# --- Shredding ----------------------------------------------------------------------------------------


def raw_sealed_values(submission: Submission) -> list:
    """The stored ciphertext of the case, as a seized backup would hold it."""
    with sealing.using(None):
        rows = [Submission.objects.get(pk=submission.pk), *Defender.objects.filter(submission=submission)]
        rows += [*Message.objects.filter(submission=submission), *Attachment.objects.filter(submission=submission)]
        values = [getattr(row, name) for row in rows for name in sealing.sealed_fields(type(row))]
    return [value for value in values if value is not None]


def case_files(submission: Submission) -> list[Path]:
    files = [
        sealed_files.path_of(name) for a in Attachment.objects.filter(submission=submission) for name in a.file_names()
    ]
    assert files and all(path.exists() for path in files)
    return files


def assert_destroyed(submission: Submission, backup: list, files: list[Path]) -> None:
    assert not any(path.exists() for path in files)  # the attachments' files are deleted once it commits
    submission.refresh_from_db()
    assert submission.shredded_at is not None
    case_key = CaseKey.objects.get(pk=submission.case_key_id)
    assert case_key.sealed_private_key is None and case_key.source_private_key is None
    assert not Message.objects.filter(submission=submission).exists()
    assert not Attachment.objects.filter(submission=submission).exists()
    assert submission.description == "" and Defender.objects.get(submission=submission).name == ""
    # Even with the office private key, yesterday's ciphertext (a backup) opens nothing.
    fresh = sealing.Keyring(office=sealing.current().office)
    with sealing.using(fresh):
        reopened = [sealing.open_text(v.raw) if isinstance(v.raw, str) else sealing.open_bytes(v.raw) for v in backup]
    assert all(isinstance(value, sealing.Sealed) for value in reopened if value not in ("", b""))
    assert any(isinstance(value, sealing.Sealed) for value in reopened)


def test_a_case_past_its_retention_period_is_destroyed(django_capture_on_commit_callbacks):
    kept, due = a_case(), a_case()
    for submission in (kept, due):
        attach_text(submission, text=EVIDENCE)
        services.submission_screen(submission_id=submission.pk)
        services.submission_reject(submission=submission, by=None, reason="outside_mandate")
    StatusChange.objects.filter(submission=due).update(created_at=timezone.now() - datetime.timedelta(days=91))
    backup, files = raw_sealed_values(due), case_files(due)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_sweep() == 1

    assert_destroyed(due, backup, files)
    kept.refresh_from_db()
    assert kept.shredded_at is None and kept.description == STORY
    assert services.retention_sweep() == 0  # once


def test_a_withdrawn_case_is_destroyed_after_its_period_and_an_open_one_never():
    withdrawn, open_case = a_case(), a_case()
    services.consent_withdraw(submission=withdrawn, language="en")
    later = timezone.now() + datetime.timedelta(days=settings.RETENTION_DAYS["withdrawn"] + 1)

    assert services.cases_due_for_shredding(now=later) == [(withdrawn.pk, "withdrawn")]
    assert open_case.pk not in {pk for pk, _rule in services.cases_due_for_shredding(now=later)}


def test_the_source_asks_through_the_receipt_and_the_case_is_destroyed(django_capture_on_commit_callbacks):
    submission = with_receipt(a_case())
    attach_text(submission, text=EVIDENCE)
    services.submission_screen(submission_id=submission.pk)
    backup, files = raw_sealed_values(submission), case_files(submission)
    client = Client()
    assert client.post("/receipt/", {"reference": submission.reference, "passphrase": PASSPHRASE}).status_code == 302

    confirm = client.post("/receipt/delete/", {"action": "ask"})
    assert confirm.status_code == 200 and "Yes, destroy this report" in confirm.content.decode()
    assert Submission.objects.get(pk=submission.pk).shredded_at is None  # asking is not doing
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post("/receipt/delete/", {"action": "confirmed"})

    assert done.status_code == 200 and "destroyed" in done.content.decode()
    assert_destroyed(submission, backup, files)
    assert submission.current_consent().withdrawn
    assert submission.status == Status.CLOSED
    # The receipt opens nothing any more.
    again = Client().post("/receipt/", {"reference": submission.reference, "passphrase": PASSPHRASE})
    assert again.status_code == 400


@pytest.fixture(autouse=True)
def _no_stale_sessions():
    yield
    caches["default"].clear()
