"""Check and prepare the evidence files a source attaches to a report.

Pure module: no models, no database. `check_files()` takes the uploads of one report and returns one
`CheckedFile` per upload, or raises `AttachmentRejected` (a form ValidationError) that names each
file and says why it was refused.

Decisions worth knowing:

- The type is decided by the content (signatures plus structural checks per format), never by the
  file name or the browser's content type. Accepted: PDF, JPEG, PNG, DOCX, ODT, UTF-8 plain text,
  MP3, MP4 (including M4A/M4V).
- A name whose extension contradicts the content (a PNG called report.pdf) is rejected, not
  renamed: the source may have picked the wrong file, and only they can tell. A name without an
  extension gets the right one appended. A trailing ".2022" in "protest 12.05.2022" is not taken as
  an extension.
- The original bytes are kept untouched as evidence (with their SHA-256). Staff get a working copy
  with personal metadata removed; see `_WORKING_COPY`.
- Archives (DOCX, ODT) are screened entry by entry from their central directory first, so nothing
  is unpacked before the size, ratio, count and path limits have passed. Python's zipfile never
  inflates an entry past its declared size (it fails the CRC instead), so the declared sizes bound
  memory even when they lie.
"""

from __future__ import annotations

import hashlib
import html
import io
import posixpath
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import puremagic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

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

ACCEPTED_TYPES = "PDF, JPEG, PNG, DOCX, ODT, TXT (UTF-8), MP3, MP4"


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

# Every message names the file as the source gave it and never quotes its content.
MESSAGES = {
    "empty": _("“%(name)s” is empty."),
    "too_large": _("“%(name)s” is larger than %(limit)s MB. Each file can be at most %(limit)s MB."),
    "too_many_files": _("You attached %(count)s files. At most %(limit)s files can be attached to one report."),
    "total_too_large": _("Your files add up to %(total)s MB. Together they can be at most %(limit)s MB."),
    "type_not_accepted": _("“%(name)s” is not a type of file we accept. Accepted types: %(types)s."),
    "not_utf8": _("“%(name)s” is not UTF-8 text. Save it as UTF-8 text or as PDF and upload it again."),
    "not_plain_text": _(
        "“%(name)s” looks like a web page, a script or another formatted file, not plain text. "
        "Save it as PDF and upload it again."
    ),
    "name_mismatch": _(
        "The content of “%(name)s” (%(actual)s) does not match its name. "
        "Check that this is the file you meant, and name it with .%(extension)s at the end."
    ),
    "damaged": _("The %(actual)s “%(name)s” could not be read. It may be damaged."),
    "hidden_content": _("“%(name)s” carries another file or a script hidden inside it, so it is not accepted."),
    "image_too_large": _(
        "“%(name)s” has more than %(limit)s megapixels. Make the picture smaller and upload it again."
    ),
    "archive_too_large": _(
        "“%(name)s” is too large when unpacked (more than %(limit)s MB, or more than %(entries)s parts, "
        "or compressed more than %(ratio)s times). Save it as PDF and upload it again."
    ),
    "unsafe_archive": _("“%(name)s” contains parts with unsafe names, so it is not accepted."),
    "embedded_file": _(
        "“%(name)s” contains an embedded archive, program or web page. Save it as PDF and upload it again."
    ),
    "macros": _(
        "“%(name)s” contains macros or other active content, which we do not accept. "
        "Save it as PDF, or as a document without macros, and upload it again."
    ),
    "external_content": _(
        "“%(name)s” loads content from the internet or the network when it is opened. "
        "Save it as PDF and upload it again."
    ),
    "encrypted": _("“%(name)s” is protected with a password. Remove the password and upload it again."),
}


class AttachmentRejected(ValidationError):
    """A file (or the set of files) cannot be accepted; the message says which and why.

    One rejection has `.code` (a key of MESSAGES) and `.params["name"]`; when several files of one
    report are rejected, `check_files` raises one AttachmentRejected whose `.error_list` holds them.
    """


def _reject(code: str, name: str = "", **params: object) -> AttachmentRejected:
    return AttachmentRejected(MESSAGES[code], code=code, params={"name": name, **params})


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
) -> list[CheckedFile]:
    """Check every upload of one report; report all rejected files at once."""
    uploads = list(uploads)
    if len(uploads) > max_files:
        raise _reject("too_many_files", count=len(uploads), limit=max_files)
    declared = sum(upload.size or 0 for upload in uploads)
    if declared > max_total_bytes:
        raise _reject("total_too_large", total=megabytes(declared), limit=megabytes(max_total_bytes))

    checked: list[CheckedFile] = []
    rejected: list[AttachmentRejected] = []
    for upload in uploads:
        try:
            checked.append(check_file(upload, max_bytes=max_file_bytes))
        except AttachmentRejected as error:
            rejected.append(error)
    if len(rejected) == 1:
        raise rejected[0]
    if rejected:
        raise AttachmentRejected(rejected)
    total = sum(item.size for item in checked)
    if total > max_total_bytes:
        raise _reject("total_too_large", total=megabytes(total), limit=megabytes(max_total_bytes))
    return checked


def check_file(upload: UploadedFile, *, max_bytes: int = MAX_FILE_BYTES) -> CheckedFile:
    """Check one upload and prepare its working copy, or raise AttachmentRejected."""
    name = clean_file_name(upload.name or "")
    data = _read_at_most(upload, name, max_bytes)
    kind, content_type = _sniff(data, name)
    name = _name_matching(name, kind)
    working_copy = _WORKING_COPY[kind](data, name)
    return CheckedFile(
        name=name,
        kind=kind,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        original=data,
        working_copy=working_copy,
    )


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


def megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def _read_at_most(upload: UploadedFile, name: str, max_bytes: int) -> bytes:
    if upload.size is not None and upload.size > max_bytes:
        raise _reject("too_large", name, limit=megabytes(max_bytes))
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # one byte more tells "too large" without reading the rest
    upload.seek(0)
    if len(data) > max_bytes:
        raise _reject("too_large", name, limit=megabytes(max_bytes))
    if not data:
        raise _reject("empty", name)
    return data


# Sniffing ------------------------------------------------------------------------------------------


def _sniff(data: bytes, name: str) -> tuple[str, str]:
    """(kind, content type) from the content alone."""
    if data.startswith(b"%PDF-"):
        return "pdf", KINDS["pdf"].content_type
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png", KINDS["png"].content_type
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg", KINDS["jpeg"].content_type
    if data.startswith(b"PK\x03\x04"):
        kind = _sniff_archive(data, name)
        return kind, KINDS[kind].content_type
    if data[4:8] == b"ftyp":
        return "mp4", _sniff_mp4(data, name)
    if data.startswith(b"ID3") or _is_mp3_frame(data[:4]):
        return "mp3", KINDS["mp3"].content_type
    _check_plain_text(data, name)
    return "text", KINDS["text"].content_type


_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9",
    b"mp41", b"mp42", b"avc1", b"M4V ", b"M4A ", b"M4B ", b"mmp4", b"dash", b"MSNV", b"f4v ",
}  # fmt: skip
_AUDIO_MP4_BRANDS = {b"M4A ", b"M4B "}


def _sniff_mp4(data: bytes, name: str) -> str:
    (size,) = struct.unpack(">I", data[:4])
    if size < 16 or size > 4096 or size % 4 or len(data) < size:
        raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES)
    major = data[8:12]
    compatible = {data[offset : offset + 4] for offset in range(16, size, 4)}
    # A QuickTime .mov or a bare 3GP is not MP4 unless it declares an MP4 brand as compatible.
    if major not in _MP4_BRANDS and not compatible & _MP4_BRANDS:
        raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES)
    return "audio/mp4" if major in _AUDIO_MP4_BRANDS else "video/mp4"


def _is_mp3_frame(header: bytes) -> bool:
    """An MPEG-1/2/2.5 Layer III frame header with no reserved or invalid field."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return False
    version = header[1] >> 3 & 3
    layer = header[1] >> 1 & 3
    bitrate = header[2] >> 4
    sample_rate = header[2] >> 2 & 3
    emphasis = header[3] & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and sample_rate != 3 and emphasis != 2


# The start of a page that browsers sniff as HTML (WHATWG MIME Sniffing, "text/html" patterns), and
# other markup, script and document formats that are text but not plain text.
_TEXT_IMPOSTOR_START = re.compile(
    rb"""(<!doctype\s+html|<(html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg|meta|object
    |embed|form|img|link|base|xml)[\s>/]|<!--|<\?xml|<\?php|<%|\#!|\{\\rtf|%!)""",
    re.IGNORECASE | re.VERBOSE,
)
# Markup that runs wherever it appears in a file that a browser or viewer might render as a page.
_ACTIVE_MARKUP = re.compile(
    rb"<(script|iframe|object|embed|svg|html|body|meta\s+http-equiv)[\s>/]|<\?php",
    re.IGNORECASE,
)
# The same, for binary formats: without <body>, which PDF comments carry as XHTML rich text.
_HIDDEN_MARKUP = re.compile(rb"<(script|iframe|object|embed|svg|html)[\s>/]|<\?php", re.IGNORECASE)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# What puremagic may call a text file that we still take as plain text.
_PLAIN_TEXT_MIMES = {"", "text/plain", "message/rfc822"}


def _check_plain_text(data: bytes, name: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _reject("not_utf8", name)  # UTF-16, what Windows Notepad calls "Unicode"
    if b"\x00" in data:
        raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES)
    # Before decoding: markup in front of binary data (an HTML page glued to a PDF) is not text either.
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip(b"\t\n\f\r ")[:1024]
    if _TEXT_IMPOSTOR_START.match(head) or _ACTIVE_MARKUP.search(data):
        raise _reject("not_plain_text", name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Text in another encoding (often Windows-1251) has no control bytes; a binary file has.
        if not re.search(rb"[\x01-\x08\x0e-\x1f]", data[:8192]):
            raise _reject("not_utf8", name) from None
        raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES) from None
    if _CONTROL_CHARACTERS.search(text):
        raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES)
    # The library knows many more formats that are valid UTF-8 (RTF, PostScript, XML dialects,
    # Python, GIF headers...). Its weak guesses (two-byte signatures like "BM") are ignored.
    try:
        guesses = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return
    if any(guess.confidence >= 0.5 and guess.mime_type not in _PLAIN_TEXT_MIMES for guess in guesses):
        raise _reject("not_plain_text", name)


def _name_matching(name: str, kind: str) -> str:
    """The name, with an extension appended if it had none; rejected if its extension lies."""
    extension = _extension(name)
    expected = KINDS[kind].extensions
    if extension is None:
        return f"{name}.{expected[0]}"
    if extension not in expected:
        raise _reject("name_mismatch", name, actual=KINDS[kind].label, extension=expected[0])
    return name


def _extension(name: str) -> str | None:
    extension = posixpath.splitext(name)[1][1:].lower()
    if 1 <= len(extension) <= 5 and extension.isascii() and extension.isalnum() and not extension.isdigit():
        return extension
    return None


# Hidden payloads -----------------------------------------------------------------------------------


def _check_no_hidden_payload(data: bytes, name: str) -> None:
    """Refuse a file that is also a zip archive or carries markup that runs when rendered."""
    if _carries_zip(data) or _HIDDEN_MARKUP.search(data):
        raise _reject("hidden_content", name)


def _carries_zip(data: bytes) -> bool:
    # Zip readers find an archive by its end record near the end of the file, whatever precedes it:
    # that is how a zip appended to a PDF or a picture opens as an archive.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        return False
    return True


# PDF -----------------------------------------------------------------------------------------------

# Actions that stay in the working copy; any other (JavaScript, Launch, SubmitForm...) is removed.
_HARMLESS_PDF_ACTIONS = {"/GoTo", "/URI", "/Named"}
# Annotations that carry a file or play media.
_ACTIVE_PDF_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}


def _pdf_working_copy(data: bytes, name: str) -> bytes:
    """The pages alone, without metadata, scripts, embedded files or media.

    The copy is a new document the stripped pages are added to, so it holds only what the pages
    refer to: the information dictionary, XMP metadata, document scripts, embedded files, outlines
    and forms of the original are left behind rather than removed one by one.
    """
    _check_no_hidden_payload(data, name)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # Documents "secured" with only an owner password open with an empty user password.
        if reader.is_encrypted and not reader.decrypt(""):
            raise _reject("encrypted", name)
        pages = list(reader.pages)
        # Strip every page before copying any: copying follows references to other pages.
        for page in pages:
            _strip_pdf_page(page)
        writer = PdfWriter()
        for page in pages:
            writer.add_page(page)
        writer.metadata = None
        output = io.BytesIO()
        writer.write(output)
    except AttachmentRejected:
        raise
    except Exception as error:
        # pypdf reports broken or hostile files with many exception types; all mean "unreadable".
        raise _reject("damaged", name, actual=KINDS["pdf"].label) from error
    return output.getvalue()


def _strip_pdf_page(page: DictionaryObject) -> None:
    for key in ("/AA", "/Metadata", "/PieceInfo"):
        page.pop(key, None)
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = ArrayObject()
    for reference in annotations.get_object():
        annotation = reference.get_object()
        if not isinstance(annotation, DictionaryObject) or annotation.get("/Subtype") in _ACTIVE_PDF_ANNOTATIONS:
            continue
        action = annotation.get("/A")
        if action is not None and not _is_harmless_pdf_action(action.get_object()):
            del annotation["/A"]
        # A form field runs scripts from its own /AA and from those of the fields above it.
        field, depth = annotation, 0
        while isinstance(field, DictionaryObject) and depth < 32:
            field.pop("/AA", None)
            parent = field.get("/Parent")
            field, depth = (parent.get_object() if parent is not None else None), depth + 1
        kept.append(reference)
    page[NameObject("/Annots")] = kept


def _is_harmless_pdf_action(action: object) -> bool:
    if not isinstance(action, dict) or action.get("/S") not in _HARMLESS_PDF_ACTIONS:
        return False
    # /Next chains further actions: one dictionary or an array of them.
    following = action.get("/Next")
    if following is None:
        return True
    following = following.get_object()
    chained = following if isinstance(following, list) else [following]
    return all(_is_harmless_pdf_action(item.get_object()) for item in chained)


# Images --------------------------------------------------------------------------------------------


class _ImageTooLarge(Exception):
    pass


def _image_working_copy(data: bytes, name: str) -> bytes:
    _check_no_hidden_payload(data, name)
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    try:
        return _reencode_image(data)
    except _ImageTooLarge:
        raise _reject("image_too_large", name, limit=MAX_IMAGE_PIXELS // 1_000_000) from None
    except Exception as error:
        # Pillow reports a broken image as OSError, SyntaxError, ValueError, EOFError...
        raise _reject("damaged", name, actual=KINDS[kind].label) from error


def _reencode_image(data: bytes) -> bytes:
    """The pixels alone: no EXIF (GPS, camera serial), XMP, comments, text chunks or ICC profile."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in {"JPEG", "MPO", "PNG"}:
            raise ValueError(f"unexpected image format {image.format}")
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise _ImageTooLarge
        image.load()
        # Turn the picture the way the EXIF orientation said, since that tag goes with the rest.
        clean = ImageOps.exif_transpose(image)
        clean.info = {key: value for key, value in clean.info.items() if key == "transparency"}
        output = io.BytesIO()
        if image.format == "PNG":
            clean.save(output, "PNG", optimize=False)
        else:
            if clean.mode not in {"L", "RGB", "CMYK"}:
                clean = clean.convert("RGB")
            clean.save(output, "JPEG", quality=90)
    return output.getvalue()


# Audio and video -----------------------------------------------------------------------------------


def _mp3_check(data: bytes, name: str) -> None:
    """An ID3 tag, if any, followed by an MPEG Layer III frame."""
    _check_no_hidden_payload(data, name)
    start = 0
    if data.startswith(b"ID3"):
        header = data[:10]
        if len(header) < 10 or header[3] not in (2, 3, 4) or any(byte & 0x80 for byte in header[6:10]):
            raise _reject("damaged", name, actual=KINDS["mp3"].label)
        size = header[6] << 21 | header[7] << 14 | header[8] << 7 | header[9]
        start = 10 + size + (10 if header[5] & 0x10 else 0)
    # Encoders may pad between the tag and the first frame.
    window = data[start : start + 64 * 1024]
    offset = window.find(b"\xff")
    while offset != -1 and not _is_mp3_frame(window[offset : offset + 4]):
        offset = window.find(b"\xff", offset + 1)
    if offset == -1:
        raise _reject("damaged", name, actual=KINDS["mp3"].label)


def _mp4_check(data: bytes, name: str) -> None:
    """The top-level boxes must chain from the first byte to exactly the last one."""
    _check_no_hidden_payload(data, name)
    position = 0
    while position < len(data):
        if position + 8 > len(data):
            raise _reject("damaged", name, actual=KINDS["mp4"].label)
        size, box_type = struct.unpack(">I4s", data[position : position + 8])
        minimum = 8
        if size == 1:
            if position + 16 > len(data):
                raise _reject("damaged", name, actual=KINDS["mp4"].label)
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
            minimum = 16
        elif size == 0:
            size = len(data) - position  # the last box runs to the end of the file
        if size < minimum or not all(32 <= char < 127 for char in box_type):
            raise _reject("damaged", name, actual=KINDS["mp4"].label)
        position += size
    if position != len(data):
        raise _reject("damaged", name, actual=KINDS["mp4"].label)


# Archives: DOCX and ODT ----------------------------------------------------------------------------

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


def _sniff_archive(data: bytes, name: str) -> str:
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
    raise _reject("type_not_accepted", name, types=ACCEPTED_TYPES)


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as error:
        raise _reject("damaged", name, actual=_("document")) from error
    unpacked = sum(info.file_size for info in entries)
    packed = sum(info.compress_size for info in entries)
    if (
        len(entries) > MAX_ARCHIVE_ENTRIES
        or unpacked > MAX_UNPACKED_BYTES
        or unpacked > MAX_COMPRESSION_RATIO * max(packed, 1)
    ):
        raise _reject(
            "archive_too_large",
            name,
            limit=megabytes(MAX_UNPACKED_BYTES),
            entries=MAX_ARCHIVE_ENTRIES,
            ratio=MAX_COMPRESSION_RATIO,
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
            raise _reject("unsafe_archive", name)
        seen.add(entry.lower())
        if info.flag_bits & 0x1:
            raise _reject("encrypted", name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _reject("damaged", name, actual=_("document"))
    return archive


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limit: int = MB) -> bytes:
    try:
        with archive.open(info) as entry:
            content = entry.read(limit + 1)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error) as error:
        raise _reject("damaged", name, actual=_("document")) from error
    if len(content) > limit:
        raise _reject("damaged", name, actual=_("document"))
    return content


def _docx_working_copy(data: bytes, name: str) -> bytes:
    return _rewrite_archive(data, name, "docx")


def _odt_working_copy(data: bytes, name: str) -> bytes:
    return _rewrite_archive(data, name, "odt")


def _rewrite_archive(data: bytes, name: str, kind: str) -> bytes:
    """Screen every entry, then write it back with personal metadata removed.

    One entry at a time, so memory holds the largest entry and the copy, not the whole unpacked
    document. Entry dates and extra fields (which hold timestamps) are not copied.
    """
    screen, clean = (_screen_docx_entry, _clean_docx_entry) if kind == "docx" else (_screen_odt_entry, _clean_odt_entry)
    output = io.BytesIO()
    with _open_archive(data, name) as archive, zipfile.ZipFile(output, "w") as copy:
        for info in archive.infolist():
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, struct.error) as error:
                raise _reject("damaged", name, actual=KINDS[kind].label) from error
            entry = info.filename.lower()
            _screen_any_entry(entry, content, name)
            screen(entry, content, name)
            copied = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            copied.compress_type = info.compress_type  # ODT needs its "mimetype" entry stored
            copy.writestr(copied, clean(entry, content))
    return output.getvalue()


def _screen_any_entry(entry: str, content: bytes, name: str) -> None:
    extension = posixpath.splitext(entry)[1][1:]
    if extension in _EMBEDDED_EXTENSIONS or content.startswith(_EMBEDDED_SIGNATURES):
        if entry.endswith("vbaproject.bin"):
            raise _reject("macros", name)
        raise _reject("embedded_file", name)


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_FIELD_PIECE = re.compile(
    rb"<(?:\w+:)?fldChar\b[^>]*fldCharType\s*=\s*[\"']begin[\"']"  # a complex field begins
    rb"|<(?:\w+:)?instrText\b[^>]*>([^<]*)<"  # a piece of its instruction
    rb"|<(?:\w+:)?fldSimple\b[^>]*\binstr\s*=\s*\"([^\"]*)\""  # a simple field
)
_ACTIVE_FIELDS = {"DDE", "DDEAUTO"}  # run a program
_EXTERNAL_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "LINK", "IMPORT"}  # fetch from a path or URL
_LOCAL_PATH = re.compile(r"(file:///)?[a-zA-Z]:[\\/]")


def _screen_docx_entry(entry: str, content: bytes, name: str) -> None:
    if (
        entry.endswith(("vbaproject.bin", "vbadata.xml"))
        or "/activex/" in entry
        or (entry == "[content_types].xml" and re.search(rb"macroenabled|vbaproject|activex", content.lower()))
    ):
        raise _reject("macros", name)
    if entry.endswith(".rels"):
        for attributes in _RELATIONSHIP.findall(content):
            if _attribute(attributes, b"TargetMode").lower() != "external":
                continue
            relation = _attribute(attributes, b"Type").rsplit("/", 1)[-1]
            target = _attribute(attributes, b"Target")
            # Links the reader clicks are fine; what Word fetches by itself on opening is not (remote
            # templates, pictures and OLE links: tracking and exploits such as CVE-2022-30190). A
            # template on the author's own disk is the usual case for letterhead documents.
            if relation == "hyperlink" or (relation == "attachedTemplate" and _LOCAL_PATH.match(target)):
                continue
            raise _reject("external_content", name)
    if entry.startswith("word/") and entry.endswith(".xml"):
        keywords = _field_keywords(content)
        if keywords & _ACTIVE_FIELDS:
            raise _reject("macros", name)
        if keywords & _EXTERNAL_FIELDS:
            raise _reject("external_content", name)


def _attribute(attributes: bytes, attribute: bytes) -> str:
    match = re.search(rb"\b" + attribute + rb"\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", attributes)
    if match is None:
        return ""
    return html.unescape((match.group(1) or match.group(2) or b"").decode("utf-8", "replace")).strip()


def _field_keywords(xml: bytes) -> set[str]:
    """The first word of every field instruction, joined across the runs Word splits it into."""
    instructions: list[bytes] = []
    for match in _FIELD_PIECE.finditer(xml):
        piece, simple = match.groups()
        if simple is not None:
            instructions.append(simple)
        elif piece is None:
            instructions.append(b"")
        elif instructions:
            instructions[-1] += piece
    keywords = set()
    for instruction in instructions:
        words = html.unescape(instruction.decode("utf-8", "replace")).split()
        if words:
            keywords.add(words[0].upper())
    return keywords


_ODT_SCRIPT = re.compile(rb"vnd\.sun\.star\.script:|[\"']macro:|<draw:(applet|plugin)\b")
_ODT_EXTERNAL = re.compile(
    rb"<draw:(image|object|object-ole|floating-frame)\b[^>]*\bxlink:href\s*=\s*[\"']"
    rb"([a-zA-Z][a-zA-Z0-9+.-]*:|\\\\|//)"
)


def _screen_odt_entry(entry: str, content: bytes, name: str) -> None:
    if entry.startswith(("basic/", "scripts/")) or (entry.endswith(".xml") and _ODT_SCRIPT.search(content)):
        raise _reject("macros", name)
    if entry == "meta-inf/manifest.xml" and b"encryption-data" in content:
        raise _reject("encrypted", name)
    if entry.endswith(".xml") and _ODT_EXTERNAL.search(content):
        raise _reject("external_content", name)


_EMPTY_DOCX_PARTS = {
    "docprops/core.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        b' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'
    ),
    "docprops/app.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
    "docprops/custom.xml": (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        b' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"/>'
    ),
}
# Who wrote a comment or a tracked change, and the account behind it (word/people.xml).
_DOCX_PERSON_ATTRIBUTES = re.compile(rb"(\s(?:\w+:)?(?:author|initials|userId|providerId)\s*=\s*)(\"[^\"]*\"|'[^']*')")


def _clean_docx_entry(entry: str, content: bytes) -> bytes:
    if entry in _EMPTY_DOCX_PARTS:
        return _EMPTY_DOCX_PARTS[entry]
    if entry.startswith("word/") and entry.endswith(".xml"):
        return _DOCX_PERSON_ATTRIBUTES.sub(rb'\1""', content)
    return _clean_embedded_image(content)


_ODT_VERSION = re.compile(rb"office:version\s*=\s*[\"']([0-9.]{1,10})[\"']")
_ODT_CREATOR = re.compile(rb"<dc:creator>[^<]*</dc:creator>")


def _clean_odt_entry(entry: str, content: bytes) -> bytes:
    if entry == "meta.xml":
        version = _ODT_VERSION.search(content)
        version_attribute = b' office:version="' + version.group(1) + b'"' if version else b""
        return (
            b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
            b' xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
            b' xmlns:dc="http://purl.org/dc/elements/1.1/"' + version_attribute + b"><office:meta/>"
            b"</office:document-meta>"
        )
    if entry.endswith(".xml"):
        # Authors of annotations and tracked changes.
        return _ODT_CREATOR.sub(b"<dc:creator></dc:creator>", content)
    return _clean_embedded_image(content)


def _clean_embedded_image(content: bytes) -> bytes:
    """A photo pasted into a document keeps its EXIF (GPS included): re-encode it where possible."""
    if not content.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")):
        return content
    try:
        return _reencode_image(content)
    except Exception:
        # Office tolerates pictures Pillow cannot read; the document stays usable, the picture as is.
        return content


_WORKING_COPY: dict[str, Callable[[bytes, str], bytes | None]] = {
    "pdf": _pdf_working_copy,
    "jpeg": _image_working_copy,
    "png": _image_working_copy,
    "docx": _docx_working_copy,
    "odt": _odt_working_copy,
    "text": lambda data, name: None,  # already checked while sniffing; nothing to strip
    "mp3": _mp3_check,  # ID3 tags can hold names; stripping them is left to staff tools
    "mp4": _mp4_check,
}
