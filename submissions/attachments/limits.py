"""How large the files of one report may be, on disk and once opened.

Each limit can be set in settings. The checks read them from this module when they run
(`limits.MAX_IMAGE_PIXELS`), so that a test lowers a limit in one place.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from submissions.attachments.rejections import reject

MB = 1024 * 1024

MAX_FILE_BYTES: int = getattr(settings, "ATTACHMENT_MAX_FILE_BYTES", 10 * MB)
MAX_TOTAL_BYTES: int = getattr(settings, "ATTACHMENT_MAX_TOTAL_BYTES", 25 * MB)
MAX_FILES: int = getattr(settings, "ATTACHMENT_MAX_FILES", 10)
# Limits for what is inside a DOCX or ODT.
MAX_UNPACKED_BYTES: int = getattr(settings, "ATTACHMENT_MAX_UNPACKED_BYTES", 100 * MB)
MAX_COMPRESSION_RATIO: int = getattr(settings, "ATTACHMENT_MAX_COMPRESSION_RATIO", 100)
MAX_ARCHIVE_ENTRIES: int = getattr(settings, "ATTACHMENT_MAX_ARCHIVE_ENTRIES", 1000)
# 50 megapixels is a 48 MP phone photo with room to spare, and ~150 MB decoded as RGB.
MAX_IMAGE_PIXELS: int = getattr(settings, "ATTACHMENT_MAX_IMAGE_PIXELS", 50_000_000)
# Pages of a PDF the worker rewrites into a working copy; a longer one is kept as evidence only.
MAX_PDF_PAGES: int = getattr(settings, "ATTACHMENT_MAX_PDF_PAGES", 5000)


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def read_at_most(upload: UploadedFile, name: str, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise reject("too_large", name, limit=megabytes(max_bytes))
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # one byte more tells "too large" without reading the rest
    upload.seek(0)
    if len(data) > max_bytes:
        raise reject("too_large", name, limit=megabytes(max_bytes))
    if not data:
        raise reject("empty", name)
    return data
