"""The name a file is stored under: cleaned, and with an extension that matches its content."""

from __future__ import annotations

import posixpath
import re
import unicodedata

from submissions.attachments.kinds import KINDS
from submissions.attachments.rejections import reject


def clean_file_name(name: str) -> str:
    """The last path component, without control or bidi characters (which can fake an extension)."""
    name = re.split(r"[/\\]", name)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cc", "Cf", "Zl", "Zp"})
    name = name.strip()
    if len(name) > 200:
        stem, extension = posixpath.splitext(name)
        name = stem[: 200 - len(extension)] + extension
    return name or "attachment"


def name_matching(name: str, kind: str) -> str:
    """The name, with an extension appended if it had none; rejected if its extension lies."""
    extension = _extension(name)
    expected = KINDS[kind].extensions
    if extension is None:
        return f"{name}.{expected[0]}"
    if extension not in expected:
        raise reject("name_mismatch", name, actual=KINDS[kind].label, extension=expected[0])
    return name


def _extension(name: str) -> str | None:
    extension = posixpath.splitext(name)[1][1:].lower()
    if 1 <= len(extension) <= 5 and extension.isascii() and extension.isalnum() and not extension.isdigit():
        return extension
    return None
