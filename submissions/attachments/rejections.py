"""Why a file is refused, in words the source can act on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from submissions.attachments.kinds import ACCEPTED_TYPES

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


def reject(code: str, name: str = "", **params: object) -> AttachmentRejected:
    return AttachmentRejected(MESSAGES[code], code=code, params={"name": name, **params})


def not_accepted(name: str) -> AttachmentRejected:
    """A file of no kind we accept: the message lists the kinds we do."""
    return reject("type_not_accepted", name, types=ACCEPTED_TYPES)
