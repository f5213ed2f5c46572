"""DOCX and ODT are zip archives: told apart, screened and rewritten one entry at a time.

Every entry is screened from the central directory first, so nothing is unpacked before the size,
ratio, count and path limits have passed. Python's zipfile never inflates an entry past its declared
size (it fails the CRC instead), so the declared sizes bound memory even when they lie.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from submissions.attachments import limits
from submissions.attachments.kinds import KINDS
from submissions.attachments.rejections import not_accepted, reject

# What zipfile raises for a broken or hostile archive.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error)

_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
_DOCX_MAIN_TYPES = (
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    b"application/vnd.ms-word.document.macroenabled.main+xml",  # refused later, as macros
)
# Signatures of archives, compound (OLE) files and programs, which nothing in a document needs.
_EMBEDDED_SIGNATURES = (
    b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh",
    b"\xfd7zXZ\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe",
    b"\xcf\xfa\xed\xfe", b"MSCF",
)  # fmt: skip
_EMBEDDED_EXTENSIONS = {
    "zip", "rar", "7z", "gz", "tgz", "bz2", "xz", "tar", "cab", "iso", "jar", "apk",
    "docx", "docm", "dotm", "xlsx", "xlsm", "xlsb", "pptx", "pptm", "odt", "ods", "odp", "doc", "xls", "ppt",
    "exe", "dll", "com", "scr", "msi", "bat", "cmd", "ps1", "vbs", "vbe", "js", "jse", "wsf", "hta", "lnk",
    "sh", "htm", "html", "mht", "mhtml", "xhtml",
}  # fmt: skip


def sniff_archive(data: bytes, name: str) -> str:
    """docx or odt, after the archive passed the size, ratio, count and name limits."""
    with _open_archive(data, name) as archive:
        entries = {info.filename.lower(): info for info in archive.infolist()}
        mimetype = entries.get("mimetype")
        if mimetype is not None and _read_small(archive, mimetype, name).strip() == _ODT_MIMETYPE:
            return "odt"
        content_types = entries.get("[content_types].xml")
        if content_types is not None:
            declared = _read_small(archive, content_types, name).lower()
            if any(main_type in declared for main_type in _DOCX_MAIN_TYPES):
                return "docx"
    raise not_accepted(name)


def rewrite_archive(
    data: bytes,
    name: str,
    kind: str,
    *,
    screen: Callable[[str, bytes, str], None],
    clean: Callable[[str, bytes], bytes],
) -> bytes:
    """Screen every entry, then write it back with personal metadata removed.

    One entry at a time, so memory holds the largest entry and the copy, not the whole unpacked
    document. Entry dates and extra fields (which hold timestamps) are not copied. `screen` and
    `clean` take the entry's name in lower case.
    """
    output = io.BytesIO()
    with _open_archive(data, name) as archive, zipfile.ZipFile(output, "w") as copy:
        for info in archive.infolist():
            try:
                content = archive.read(info)
            except ZIP_ERRORS as error:
                raise reject("damaged", name, actual=KINDS[kind].label) from error
            entry = info.filename.lower()
            _screen_any_entry(entry, content, name)
            screen(entry, content, name)
            copied = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            copied.compress_type = info.compress_type  # ODT needs its "mimetype" entry stored
            copy.writestr(copied, clean(entry, content))
    return output.getvalue()


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except ZIP_ERRORS as error:
        raise reject("damaged", name, actual=_("document")) from error
    unpacked = sum(info.file_size for info in entries)
    packed = sum(info.compress_size for info in entries)
    if (
        len(entries) > limits.MAX_ARCHIVE_ENTRIES
        or unpacked > limits.MAX_UNPACKED_BYTES
        or unpacked > limits.MAX_COMPRESSION_RATIO * max(packed, 1)
    ):
        raise reject(
            "archive_too_large",
            name,
            limit=limits.megabytes(limits.MAX_UNPACKED_BYTES),
            entries=limits.MAX_ARCHIVE_ENTRIES,
            ratio=limits.MAX_COMPRESSION_RATIO,
        )
    seen: set[str] = set()
    for info in entries:
        entry = info.filename
        parts = entry.split("/")
        # Part names are case-insensitive in OOXML: two spellings of one name would let two readers
        # see two different documents.
        if (
            entry.startswith("/")
            or "\\" in entry
            or ".." in parts
            or re.match(r"[a-zA-Z]:", entry)
            or any(unicodedata.category(char) in {"Cc", "Cf"} for char in entry)
            or entry.lower() in seen
        ):
            raise reject("unsafe_archive", name)
        seen.add(entry.lower())
        if info.flag_bits & 0x1:
            raise reject("encrypted", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise reject("damaged", name, actual=_("document"))
    return archive


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int = limits.MB) -> bytes:
    try:
        with archive.open(info) as entry:
            content = entry.read(limit + 1)
    except ZIP_ERRORS as error:
        raise reject("damaged", name, actual=_("document")) from error
    if len(content) > limit:
        raise reject("damaged", name, actual=_("document"))
    return content


def _screen_any_entry(entry: str, content: bytes, name: str) -> None:
    extension = posixpath.splitext(entry)[1][1:]
    if extension in _EMBEDDED_EXTENSIONS or content.startswith(_EMBEDDED_SIGNATURES):
        if entry.endswith("vbaproject.bin"):
            raise reject("macros", name)
        raise reject("embedded_file", name)
