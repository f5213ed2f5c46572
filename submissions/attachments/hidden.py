"""Files that are two things at once: a picture, PDF or recording that is also an archive or a page."""

from __future__ import annotations

import io
import re
import zipfile

from submissions.attachments.archives import ZIP_ERRORS
from submissions.attachments.rejections import reject

# The markup of `sniffing._ACTIVE_MARKUP`, for binary formats: without <body>, which PDF comments
# carry as XHTML rich text.
_HIDDEN_MARKUP = re.compile(rb"<(script|iframe|object|embed|svg|html)[\s>/]|<\?php", re.IGNORECASE)


def check_no_hidden_payload(data: bytes, name: str) -> None:
    """Refuse a file that is also a zip archive or carries markup that runs when rendered."""
    if _carries_zip(data) or _HIDDEN_MARKUP.search(data):
        raise reject("hidden_content", name)


def _carries_zip(data: bytes) -> bool:
    # Zip readers find an archive by its end record near the end of the file, whatever precedes it:
    # that is how a zip appended to a PDF or a picture opens as an archive.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.infolist()
    except ZIP_ERRORS:
        return False
    return True
