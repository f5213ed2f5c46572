"""The kinds of file a source may attach, decided by content (see `sniffing`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ACCEPTED_TYPES = "PDF, JPEG, PNG, DOCX, ODT, TXT (UTF-8), MP3, MP4"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first one is appended to a name that has none


KINDS: dict[str, Kind] = {
    "pdf": Kind(_("PDF document"), "application/pdf", ("pdf",)),
    "jpeg": Kind(_("JPEG image"), "image/jpeg", ("jpg", "jpeg")),
    "png": Kind(_("PNG image"), "image/png", ("png",)),
    "docx": Kind(
        _("Word document (DOCX)"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
    "odt": Kind(_("OpenDocument text (ODT)"), "application/vnd.oasis.opendocument.text", ("odt",)),
    # .csv is refused on purpose: spreadsheets run formulas from a CSV that staff open.
    "text": Kind(_("plain text"), "text/plain", ("txt", "text")),
    "mp3": Kind(_("MP3 audio"), "audio/mpeg", ("mp3",)),
    "mp4": Kind(_("MP4 video or audio"), "video/mp4", ("mp4", "m4v", "m4a")),
}
