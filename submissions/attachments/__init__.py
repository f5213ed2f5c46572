"""Check and prepare the evidence files a source attaches to a report.

Pure package: no models, no database. `check_files()` takes the uploads of one report and returns one
`CheckedFile` per upload, or raises `AttachmentRejected` (a form ValidationError) that names each
file and says why it was refused.

Decisions worth knowing:

- The type is decided by the content (signatures plus structural checks per format, in `sniffing`),
  never by the file name or the browser's content type. Accepted: PDF, JPEG, PNG, DOCX, ODT, UTF-8
  plain text, MP3, MP4 (including M4A/M4V).
- A name whose extension contradicts the content (a PNG called report.pdf) is rejected, not
  renamed: the source may have picked the wrong file, and only they can tell. A name without an
  extension gets the right one appended. A trailing ".2022" in "protest 12.05.2022" is not taken as
  an extension.
- The original bytes are kept untouched as evidence (with their SHA-256). Staff get a working copy
  with personal metadata removed; see `_WORKING_COPY`.
- Archives (DOCX, ODT) are screened entry by entry from their central directory first, so nothing
  is unpacked before the size, ratio, count and path limits have passed (see `archives`).

The modules, one concern each: `kinds` (what is accepted), `rejections` (the messages), `limits`,
`names`, `sniffing`, `hidden` (polyglots), and one per format for its working copy or check: `pdf`,
`images`, `docx` and `odt` (on `archives`), `media` (MP3, MP4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile

from submissions.attachments.docx import docx_working_copy
from submissions.attachments.hidden import check_no_hidden_payload
from submissions.attachments.images import image_quick_check, image_working_copy
from submissions.attachments.limits import MAX_FILE_BYTES, MAX_FILES, MAX_TOTAL_BYTES, megabytes, read_at_most
from submissions.attachments.media import mp3_check, mp4_check
from submissions.attachments.names import clean_file_name, name_matching
from submissions.attachments.odt import odt_working_copy
from submissions.attachments.pdf import pdf_working_copy
from submissions.attachments.rejections import MESSAGES, AttachmentRejected, reject
from submissions.attachments.sniffing import sniff

# What the rest of the portal uses. A test that lowers a limit patches it in `limits`, where the checks read it.
__all__ = [
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_BYTES",
    "MESSAGES",
    "AttachmentRejected",
    "CheckedFile",
    "check_file",
    "check_files",
    "megabytes",
]


@dataclass(frozen=True)
class CheckedFile:
    name: str  # cleaned, with the extension that matches the content
    kind: str  # a key of KINDS
    content_type: str
    size: int
    sha256: str  # hex digest of `original`
    original: bytes = field(repr=False)  # exactly as uploaded: the evidence
    working_copy: bytes | None = field(repr=False)  # metadata removed, for staff; None where not made


def check_files(
    uploads: Iterable[UploadedFile],
    *,
    max_files: int = MAX_FILES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
    working_copies: bool = True,
) -> list[CheckedFile]:
    """Check every upload of one report; report all rejected files at once.

    `working_copies=False` (the web requests) runs only the quick checks and leaves the working
    copies to the worker (`cleaning`), so that no request spends long on a file.
    """
    uploads = list(uploads)
    if len(uploads) > max_files:
        raise reject("too_many_files", count=len(uploads), limit=max_files)
    declared = sum(upload.size or 0 for upload in uploads)
    if declared > max_total_bytes:
        raise reject("total_too_large", total=megabytes(declared), limit=megabytes(max_total_bytes))

    checked: list[CheckedFile] = []
    rejected: list[AttachmentRejected] = []
    for upload in uploads:
        try:
            checked.append(check_file(upload, max_bytes=max_file_bytes, working_copy=working_copies))
        except AttachmentRejected as error:
            rejected.append(error)
    if len(rejected) == 1:
        raise rejected[0]
    if rejected:
        raise AttachmentRejected(rejected)
    total = sum(item.size for item in checked)
    if total > max_total_bytes:
        raise reject("total_too_large", total=megabytes(total), limit=megabytes(max_total_bytes))
    return checked


def check_file(upload: UploadedFile, *, max_bytes: int = MAX_FILE_BYTES, working_copy: bool = True) -> CheckedFile:
    """Check one upload and prepare its working copy (or only the quick checks), or raise AttachmentRejected."""
    name = clean_file_name(upload.name or "")
    data = read_at_most(upload, name, max_bytes)
    kind, content_type = sniff(data, name)
    name = name_matching(name, kind)
    if working_copy:
        working_copy = _WORKING_COPY[kind](data, name)
    else:
        _QUICK_CHECK[kind](data, name)
        working_copy = None
    return CheckedFile(
        name=name,
        kind=kind,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original=data,
        working_copy=working_copy,
    )


def _no_check(data: bytes, name: str) -> None:
    """Nothing beyond the sniffing, which already screened the archive's limits or the text."""


# What a request checks, in milliseconds: the rest (decoding, rewriting) is the worker's.
_QUICK_CHECK: dict[str, Callable[[bytes, str], None]] = {
    "pdf": check_no_hidden_payload,
    "jpeg": image_quick_check,
    "png": image_quick_check,
    "docx": _no_check,
    "odt": _no_check,
    "text": _no_check,
    "mp3": mp3_check,
    "mp4": mp4_check,
}

_WORKING_COPY: dict[str, Callable[[bytes, str], bytes | None]] = {
    "pdf": pdf_working_copy,
    "jpeg": image_working_copy,
    "png": image_working_copy,
    "docx": docx_working_copy,
    "odt": odt_working_copy,
    "text": lambda data, name: None,  # already checked while sniffing; nothing to strip
    "mp3": mp3_check,  # ID3 tags can hold names; stripping them is left to staff tools
    "mp4": mp4_check,
}
