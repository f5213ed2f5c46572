"""An upload handler that keeps files in memory, within the attachment limits.

Evidence must never touch the disk unencrypted, so uploads are not spooled to
temporary files. A file over the per-file or per-request limit is skipped, not
fatal: the rest of the form is still read, so nothing the person typed is lost,
and the view reports the skipped file with a clear message.
"""

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from submissions.attachments import MAX_FILE_BYTES, MAX_TOTAL_BYTES, MESSAGES, AttachmentRejected, megabytes


def upload_rejections(request) -> list[AttachmentRejected]:
    return getattr(request, "upload_rejections", [])


class BoundedMemoryUploadHandler(FileUploadHandler):
    # Django's 64 KB chunks make the parser's Python loop turn some 340 times for three 7 MB files,
    # holding the interpreter's lock that the other requests of the same gunicorn process wait for.
    chunk_size = 1024 * 1024

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request.upload_rejections = []
        self.total = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = BytesIO()

    def receive_data_chunk(self, raw_data, start):
        size = self.buffer.tell() + len(raw_data)
        if size > MAX_FILE_BYTES:
            self._skip("too_large", limit=megabytes(MAX_FILE_BYTES))
        if self.total + size > MAX_TOTAL_BYTES:
            self._skip("total_too_large", total=megabytes(self.total + size), limit=megabytes(MAX_TOTAL_BYTES))
        self.buffer.write(raw_data)
        return None

    def _skip(self, code: str, **params) -> None:
        self.request.upload_rejections.append(
            AttachmentRejected(MESSAGES[code], code=code, params={"name": self.file_name, **params})
        )
        raise SkipFile

    def file_complete(self, file_size):
        self.total += file_size
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            self.buffer,
            self.field_name,
            self.file_name,
            self.content_type,
            file_size,
            self.charset,
            self.content_type_extra,
        )
