import math

from submissions import receipts


def test_a_passphrase_has_at_least_77_bits_of_entropy():
    words = receipts.wordlist()

    assert len(set(words)) == 7776
    assert receipts.PASSPHRASE_WORDS * math.log2(len(set(words))) >= 77


def test_references_are_random_and_well_formed():
    references = {receipts.new_reference() for _ in range(1000)}

    assert len(references) == 1000
    assert all(len(reference) == 15 and reference.startswith("HRD-") for reference in references)


def test_a_reference_is_recognised_however_it_is_typed():
    assert receipts.normalise_reference(" hrd 7kq4m 9txw2 ") == "HRD-7KQ4M-9TXW2"
    assert receipts.normalise_reference("HRD-7KQ4M-9TXWZ") == "HRD-7KQ4M-9TXWZ"
    assert receipts.normalise_reference("HRD-7KQ4O-9TXW2") == "HRD-7KQ40-9TXW2"
    assert receipts.normalise_reference("nonsense") == ""


def test_only_the_right_passphrase_for_the_reference_matches(settings):
    stored = receipts.passphrase_hash("HRD-7KQ4M-9TXW2", "one two three four five six")

    assert receipts.passphrase_matches(stored, "HRD-7KQ4M-9TXW2", "One  two-three four five six ")
    assert not receipts.passphrase_matches(stored, "HRD-7KQ4M-9TXW2", "one two three four five seven")
    assert not receipts.passphrase_matches(stored, "HRD-7KQ4M-9TXW3", "one two three four five six")


def test_the_stored_hash_depends_on_the_server_key(settings):
    before = receipts.passphrase_hash("HRD-7KQ4M-9TXW2", "one two three four five six")
    settings.HMAC_KEY = "another-key"

    assert receipts.passphrase_hash("HRD-7KQ4M-9TXW2", "one two three four five six") != before
