"""MP3 and MP4: their structure is checked, and no working copy is made."""

from __future__ import annotations

import struct
from collections.abc import Callable

from submissions.attachments.hidden import check_no_hidden_payload
from submissions.attachments.kinds import KINDS
from submissions.attachments.rejections import reject
from submissions.attachments.sniffing import is_mp3_frame


def mp3_check(data: bytes, name: str) -> None:
    _check(data, name, "mp3", _mp3_frame_follows)


def mp4_check(data: bytes, name: str) -> None:
    _check(data, name, "mp4", _mp4_boxes_chain)


def _check(data: bytes, name: str, kind: str, well_formed: Callable[[bytes], bool]) -> None:
    check_no_hidden_payload(data, name)
    if not well_formed(data):
        raise reject("damaged", name, actual=KINDS[kind].label)


def _mp3_frame_follows(data: bytes) -> bool:
    """An ID3 tag, if any, followed by an MPEG Layer III frame."""
    start = 0
    if data.startswith(b"ID3"):
        header = data[:10]
        if len(header) < 10 or header[3] not in (2, 3, 4) or any(byte & 0x80 for byte in header[6:10]):
            return False
        size = header[6] << 21 | header[7] << 14 | header[8] << 7 | header[9]
        start = 10 + size + (10 if header[5] & 0x10 else 0)
    # Encoders may pad between the tag and the first frame.
    window = data[start : start + 64 * 1024]
    offset = window.find(b"\xff")
    while offset != -1 and not is_mp3_frame(window[offset : offset + 4]):
        offset = window.find(b"\xff", offset + 1)
    return offset != -1


def _mp4_boxes_chain(data: bytes) -> bool:
    """The top-level boxes must chain from the first byte to exactly the last one."""
    position = 0
    while position < len(data):
        if position + 8 > len(data):
            return False
        size, box_type = struct.unpack(">I4s", data[position : position + 8])
        minimum = 8
        if size == 1:
            if position + 16 > len(data):
                return False
            (size,) = struct.unpack(">Q", data[position + 8 : position + 16])
            minimum = 16
        elif size == 0:
            size = len(data) - position  # the last box runs to the end of the file
        if size < minimum or not all(32 <= char < 127 for char in box_type):
            return False
        position += size
    return position == len(data)
