"""Sealed files (portal.sealed_files): a case's attachments on disk, opened by the case's key only."""

import io
import os
import time

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import sealed_files, sealing
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db

EVIDENCE = b"Medical certificate No. 4471-KH: bruises on both arms, " * 50


@pytest.fixture
def case_key():
    return make_submission().case_key


def test_a_file_opens_with_its_case_key_and_without_it_reads_nothing(case_key):
    written = sealed_files.write(EVIDENCE, case_key=case_key)

    assert sealed_files.open_sealed(written.name).read() == EVIDENCE  # as staff, with the office key
    stored = sealed_files.path_of(written.name).read_bytes()
    assert b"4471-KH" not in stored and len(stored) > len(EVIDENCE)
    assert oct(sealed_files.path_of(written.name).stat().st_mode & 0o777) == "0o600"
    with sealing.using(None), pytest.raises(sealing.Locked):  # a worker, or a session without the key
        sealed_files.open_sealed(written.name)
    other = make_submission().case_key
    receipt = sealing.Keyring(cases={other.pk: sealing.current().case(other.pk)})
    with sealing.using(receipt), pytest.raises(sealing.Locked):  # another case's receipt
        sealed_files.open_sealed(written.name)


def test_the_worker_opens_a_file_with_the_key_it_was_given(case_key):
    written = sealed_files.write(EVIDENCE, case_key=case_key)

    with sealing.using(None):
        assert sealed_files.open_with(written.name, written.key).read() == EVIDENCE


def test_a_file_of_a_case_from_before_case_keys_is_under_the_servers_key():
    written = sealed_files.write(EVIDENCE, case_key=None)

    with sealing.using(None):
        assert sealed_files.open_sealed(written.name).read() == EVIDENCE


def test_rotating_the_servers_key_renews_the_file_keys_it_holds(settings):
    old_key, new_key = settings.ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    written = sealed_files.write(EVIDENCE, case_key=None)
    settings.ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_key", stdout=io.StringIO())

    settings.ENCRYPTION_KEYS = [new_key]  # the old key is gone
    assert sealed_files.open_sealed(written.name).read() == EVIDENCE


@pytest.mark.parametrize("damage", ["cut", "altered", "chunk dropped"])
def test_a_cut_or_altered_file_does_not_open(case_key, damage):
    data = os.urandom(3 * sealed_files.CHUNK + 10)
    path = sealed_files.path_of(sealed_files.write(data, case_key=case_key).name)
    stored = bytearray(path.read_bytes())
    chunk = sealed_files.CHUNK + 17
    if damage == "cut":
        stored = stored[:-chunk]  # the last chunk, which alone carries the final tag
    elif damage == "altered":
        stored[-100] ^= 1
    else:
        del stored[len(stored) - 2 * chunk : len(stored) - chunk]
    path.write_bytes(bytes(stored))

    with pytest.raises(sealed_files.Unreadable):
        sealed_files.open_sealed(path.name).read()


EDGES = [0, 1, sealed_files.CHUNK - 1, sealed_files.CHUNK, sealed_files.CHUNK + 1]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.sampled_from(EDGES) | st.integers(0, 300_000))
def test_any_size_comes_back_whole_and_in_chunks_of_bounded_size(case_key, size):
    data = os.urandom(size)
    written = sealed_files.write(data, case_key=case_key)

    chunks = list(sealed_files.open_sealed(written.name).chunks())

    assert b"".join(chunks) == data
    assert all(len(chunk) <= sealed_files.CHUNK for chunk in chunks)
    sealed_files.delete([written.name])


def test_a_files_name_is_random_and_says_nothing_of_its_case_or_content():
    submission = make_submission()
    names = {sealed_files.write(EVIDENCE, case_key=submission.case_key).name for _ in range(3)}

    assert len(names) == 3  # the same content, three names
    assert all(len(name) >= 32 and submission.reference not in name for name in names)


def test_a_missing_file_says_so():
    with pytest.raises(sealed_files.Unreadable):
        sealed_files.open_sealed("no-such-file-0123456789abcdefghijklmn")
    with pytest.raises(ValueError):
        sealed_files.path_of("../secrets.env")


def test_the_sweep_deletes_old_files_that_no_row_names_and_nothing_else(case_key):
    named_old, orphan_old, orphan_new = (sealed_files.write(EVIDENCE, case_key=case_key).name for _ in range(3))
    two_hours_ago = time.time() - 7200
    for name in (named_old, orphan_old):
        os.utime(sealed_files.path_of(name), (two_hours_ago, two_hours_ago))

    removed = sealed_files.sweep(named=lambda names: {named_old} & set(names))

    assert removed >= 1
    assert sealed_files.path_of(named_old).exists()
    assert not sealed_files.path_of(orphan_old).exists()
    assert sealed_files.path_of(orphan_new).exists()  # perhaps its transaction has not committed yet


def test_files_written_in_a_block_that_fails_are_deleted(case_key):
    with pytest.raises(RuntimeError), sealed_files.kept_if_committed() as written:
        written.append(sealed_files.write(EVIDENCE, case_key=case_key).name)
        raise RuntimeError("the transaction rolls back")

    assert not sealed_files.path_of(written[0]).exists()
