"""The kind of a file, from its content alone: never from its name or the browser's content type.

Signatures first, then a structural check per format; what is left must be plain UTF-8 text.
"""

from __future__ import annotations

import re
import struct

import puremagic

from submissions.attachments.archives import sniff_archive
from submissions.attachments.kinds import JPEG_SIGNATURE, KINDS, PNG_SIGNATURE
from submissions.attachments.rejections import not_accepted, reject


def sniff(data: bytes, name: str) -> tuple[str, str]:
    """(kind, content type) from the content alone."""
    kind = _sniff_kind(data, name)
    if kind == "mp4":
        return kind, _mp4_content_type(data, name)
    return kind, KINDS[kind].content_type


def _sniff_kind(data: bytes, name: str) -> str:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_SIGNATURE):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        return sniff_archive(data, name)
    if data[4:8] == b"ftyp":
        return "mp4"
    if data.startswith(b"ID3") or is_mp3_frame(data[:4]):
        return "mp3"
    _check_plain_text(data, name)
    return "text"


_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso8", b"iso9",
    b"mp41", b"mp42", b"avc1", b"M4V ", b"M4A ", b"M4B ", b"mmp4", b"dash", b"MSNV", b"f4v ",
}  # fmt: skip
_AUDIO_MP4_BRANDS = {b"M4A ", b"M4B "}


def _mp4_content_type(data: bytes, name: str) -> str:
    (size,) = struct.unpack(">I", data[:4])
    if size < 16 or size > 4096 or size % 4 or len(data) < size:
        raise not_accepted(name)
    major = data[8:12]
    compatible = {data[offset : offset + 4] for offset in range(16, size, 4)}
    # A QuickTime .mov or a bare 3GP is not MP4 unless it declares an MP4 brand as compatible.
    if major not in _MP4_BRANDS and not compatible & _MP4_BRANDS:
        raise not_accepted(name)
    return "audio/mp4" if major in _AUDIO_MP4_BRANDS else "video/mp4"


def is_mp3_frame(header: bytes) -> bool:
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
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# What puremagic may call a text file that we still take as plain text.
_PLAIN_TEXT_MIMES = {"", "text/plain", "message/rfc822"}


def _check_plain_text(data: bytes, name: str) -> None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise reject("not_utf8", name)  # UTF-16, what Windows Notepad calls "Unicode"
    if b"\x00" in data:
        raise not_accepted(name)
    # Before decoding: markup in front of binary data (an HTML page glued to a PDF) is not text either.
    head = data.removeprefix(b"\xef\xbb\xbf").lstrip(b"\t\n\f\r ")[:1024]
    if _TEXT_IMPOSTOR_START.match(head) or _ACTIVE_MARKUP.search(data):
        raise reject("not_plain_text", name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Text in another encoding (often Windows-1251) has no control bytes; a binary file has.
        if not re.search(rb"[\x01-\x08\x0e-\x1f]", data[:8192]):
            raise reject("not_utf8", name) from None
        raise not_accepted(name) from None
    if _CONTROL_CHARACTERS.search(text):
        raise not_accepted(name)
    # The library knows many more formats that are valid UTF-8 (RTF, PostScript, XML dialects,
    # Python, GIF headers...). Its weak guesses (two-byte signatures like "BM") are ignored.
    try:
        guesses = puremagic.magic_string(data)
    except (puremagic.PureError, ValueError):
        return
    if any(guess.confidence >= 0.5 and guess.mime_type not in _PLAIN_TEXT_MIMES for guess in guesses):
        raise reject("not_plain_text", name)
