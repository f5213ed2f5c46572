"""Receipt references and passphrases.

A reference is random (50 bits, Crockford base32) so it reveals neither the
order nor the number of submissions. A passphrase is six words drawn from the
EFF long list of 7,776 words: 77.5 bits. With that much entropy a slow
password hash adds cost, not safety, so only an HMAC under the server's key
is stored, and compared in constant time.
"""

import hmac
import re
import secrets
from functools import cache

from xkcdpass import xkcd_password

from portal.crypto import keyed_hash

PASSPHRASE_WORDS = 6
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_REFERENCE_CHARS = 10
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


@cache
def wordlist() -> tuple[str, ...]:
    path = xkcd_password.locate_wordfile("eff-long")
    return tuple(xkcd_password.generate_wordlist(path, min_length=1, max_length=20))


def new_reference() -> str:
    code = "".join(secrets.choice(_CROCKFORD) for _ in range(_REFERENCE_CHARS))
    return f"HRD-{code[:5]}-{code[5:]}"


def normalise_reference(text: str) -> str:
    """What a person typed, as stored: case, spaces, dashes and look-alikes forgiven."""
    code = re.sub(r"[^0-9A-Z]", "", text.upper().translate(_CONFUSABLE))
    code = code.removeprefix("HRD")
    if len(code) != _REFERENCE_CHARS:
        return ""
    return f"HRD-{code[:5]}-{code[5:]}"


def new_passphrase() -> str:
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(PASSPHRASE_WORDS))


def normalise_passphrase(text: str) -> str:
    return " ".join(re.split(r"[\s\-_.,]+", text.strip().lower())).strip()


def passphrase_hash(reference: str, passphrase: str) -> str:
    return keyed_hash(f"{reference}\x00{normalise_passphrase(passphrase)}", purpose="receipt-passphrase")


def passphrase_matches(stored_hash: str, reference: str, passphrase: str) -> bool:
    return hmac.compare_digest(stored_hash, passphrase_hash(reference, passphrase))
