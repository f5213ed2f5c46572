"""The working copy of a JPEG or PNG, and of the pictures inside a document: the pixels alone."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from submissions.attachments import limits
from submissions.attachments.hidden import check_no_hidden_payload
from submissions.attachments.kinds import JPEG_SIGNATURE, KINDS, PNG_SIGNATURE
from submissions.attachments.rejections import reject


class _ImageTooLarge(Exception):
    pass


def image_working_copy(data: bytes, name: str) -> bytes:
    check_no_hidden_payload(data, name)
    kind = "png" if data.startswith(PNG_SIGNATURE) else "jpeg"
    try:
        return _reencode_image(data)
    except _ImageTooLarge:
        raise reject("image_too_large", name, limit=limits.MAX_IMAGE_PIXELS // 1_000_000) from None
    except Exception as error:
        # Pillow reports a broken image as OSError, SyntaxError, ValueError, EOFError...
        raise reject("damaged", name, actual=KINDS[kind].label) from error


def image_quick_check(data: bytes, name: str) -> None:
    """Hidden payloads and the picture's size from its header, without decoding a pixel."""
    check_no_hidden_payload(data, name)
    kind = "png" if data.startswith(PNG_SIGNATURE) else "jpeg"
    try:
        with Image.open(io.BytesIO(data)) as image:
            pixels = image.width * image.height
    except Exception as error:
        raise reject("damaged", name, actual=KINDS[kind].label) from error
    if pixels > limits.MAX_IMAGE_PIXELS:
        raise reject("image_too_large", name, limit=limits.MAX_IMAGE_PIXELS // 1_000_000)


def clean_embedded_image(content: bytes) -> bytes:
    """A photo pasted into a document keeps its EXIF (GPS included): re-encode it where possible."""
    if not content.startswith((JPEG_SIGNATURE, PNG_SIGNATURE)):
        return content
    try:
        return _reencode_image(content)
    except Exception:
        # Office tolerates pictures Pillow cannot read; the document stays usable, the picture as is.
        return content


def _reencode_image(data: bytes) -> bytes:
    """The pixels alone: no EXIF (GPS, camera serial), XMP, comments, text chunks or ICC profile."""
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in {"JPEG", "MPO", "PNG"}:
            raise ValueError(f"unexpected image format {image.format}")
        if image.width * image.height > limits.MAX_IMAGE_PIXELS:
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
