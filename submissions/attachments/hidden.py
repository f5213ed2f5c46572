"""Files that are two things at once: a picture, PDF or recording that is also an archive or a page."""

from __future__ import annotations

import io
import re
import zipfile

from submissions.attachments.archives import ZIP_ERRORS
from submissions.attachments.rejections import reject


def _either_case(word: str) -> str:
    # [sS][cC]... rather than re.IGNORECASE, which makes the search over a 7 MB PDF twice as slow.
    return "".join(f"[{letter}{letter.upper()}]" if letter.isalpha() else re.escape(letter) for letter in word)


# The markup of `sniffing._ACTIVE_MARKUP`, for binary formats: without <body>, which PDF comments
# carry as XHTML rich text.
_TAGS = ("script", "iframe", "object", "embed", "svg", "html")
_HIDDEN_MARKUP = re.compile(f"<(?:{'|'.join(map(_either_case, _TAGS))})[\\s>/]|<\\?{_either_case('php')}".encode())


# The scan goes a window at a time: one search over a 7 MB file holds the interpreter's lock for some 10 ms,
# and every other request of the same gunicorn process (a thread) waits that long.
_WINDOW = 512 * 1024
_LONGEST_MATCH = 16  # "<iframe" and the character after it, with room to spare


def check_no_hidden_payload(data: bytes, name: str) -> None:
    """Refuse a file that is also a zip archive or carries markup that runs when rendered."""
    if _carries_zip(data) or _carries_markup(data):
        raise reject("hidden_content", name)


def _carries_markup(data: bytes) -> bool:
    return any(
        _HIDDEN_MARKUP.search(data, start, start + _WINDOW + _LONGEST_MATCH) for start in range(0, len(data), _WINDOW)
    )


def _carries_zip(data: bytes) -> bool:
    # Zip readers find an archive by its end record near the end of the file, whatever precedes it:
    # that is how a zip appended to a PDF or a picture opens as an archive.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
    except ZIP_ERRORS:
        return False
    return True
