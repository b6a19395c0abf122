"""The kinds of file a citizen may upload, and how each one announces itself."""

from django.db import models

MEGABYTE = 1024 * 1024
KILOBYTE = 1024


class FileKind(models.TextChoices):
    """The kinds of file a citizen may upload, named by their usual extension.

    Labels are format names, identical in every language, so they are not
    translated.
    """

    PDF = "pdf", "PDF"
    JPG = "jpg", "JPG"
    PNG = "png", "PNG"

    @property
    def mime_type(self) -> str:
        return _MIME_TYPES[self]

    @property
    def extension(self) -> str:
        """The extension a stored file gets, with its dot: ``.pdf``."""
        return f".{self.value}"


_MIME_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.JPG: "image/jpeg",
    FileKind.PNG: "image/png",
}
