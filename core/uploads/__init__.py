"""Checking uploaded files by what they contain, not by what they are called.

Citizens upload personal documents to their wallet and supporting documents to
dossiers. A file is accepted only when its bytes say it is a PDF, a JPEG or a
PNG and it survives a structural check; the client's filename and content type
are never trusted. Accepted files are stored under a random name chosen from
the detected kind (``random_upload_name``); the original name is kept only for
display (``safe_display_name``).

Validation only reads the upload: nothing is written to storage until a caller
saves a file that passed, so a rejected file leaves nothing behind (Django
deletes its own temporary upload file at the end of the request).

The order of checks is: empty, size (from ``uploaded_file.size``, without
reading the file), kind (from the leading bytes), then integrity. Images are
decoded by Pillow, which streams from the file; PDFs are first checked by
their first and last few kilobytes, then parsed object by object.

After the kind, every upload is checked for what it might carry besides its
pages or pixels: scripts and actions, hidden web pages, programs and archives
(polyglots), and decompression bombs; clamd is asked last when configured.
The modules of this package hold one concern each: ``pdf`` and ``images`` the
structure of each kind, ``markers`` the byte signatures, ``clamd`` the virus
scanner, ``messages`` what a citizen is told.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import IO
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from core.uploads.clamd import check_with_clamd
from core.uploads.images import check_image, check_image_content, raise_for
from core.uploads.kinds import KILOBYTE, MEGABYTE, FileKind
from core.uploads.markers import scan_file
from core.uploads.pdf import PDF_EOF_WINDOW, check_pdf_content, check_pdf_structure

__all__ = [
    "DEFAULT_ALLOWED",
    "DISPLAY_NAME_MAX_LENGTH",
    "KILOBYTE",
    "MAX_IMAGE_PIXELS",
    "MEGABYTE",
    "PDF_EOF_WINDOW",
    "ContentCheckedFileField",
    "FileKind",
    "detect_kind",
    "format_file_size",
    "random_upload_name",
    "safe_display_name",
    "validate_upload",
]

# Decoding a 50-megapixel image needs up to ~200 MB (RGBA), about the most a
# web worker should spend on one upload; a phone photo is 12-48 megapixels.
# Pillow's own guard (89 megapixels by default) is looser, so we check ours.
MAX_IMAGE_PIXELS = 50_000_000

_MAGIC_LENGTH = 8


# Leading bytes of each kind. JPEG's third byte starts the first marker, which
# is always 0xFF whatever the flavour (JFIF, Exif, raw).
_MAGIC_NUMBERS = (
    (b"%PDF-", FileKind.PDF),
    (b"\xff\xd8\xff", FileKind.JPG),
    (b"\x89PNG\r\n\x1a\n", FileKind.PNG),
)

# The extensions a client's filename may use to claim a kind; used only to
# word the error message when the content does not match the claim.
_CLAIMED_EXTENSIONS = {
    ".pdf": FileKind.PDF,
    ".jpg": FileKind.JPG,
    ".jpeg": FileKind.JPG,
    ".jpe": FileKind.JPG,
    ".jfif": FileKind.JPG,
    ".png": FileKind.PNG,
}

DEFAULT_ALLOWED = (FileKind.PDF, FileKind.JPG, FileKind.PNG)

# Display names: long enough for any real document title, short enough for a
# table cell; extensions longer than this are not worth keeping whole.
DISPLAY_NAME_MAX_LENGTH = 150
_DISPLAY_EXTENSION_MAX_LENGTH = 10


def detect_kind(fileobj: IO[bytes]) -> str | None:
    """Return the ``FileKind`` the leading bytes of ``fileobj`` announce, or None.

    Only the content is looked at, never the name or the client's content type.
    The file position is restored afterwards.
    """
    position = fileobj.tell()
    try:
        fileobj.seek(0)
        head = fileobj.read(_MAGIC_LENGTH)
    finally:
        fileobj.seek(position)
    for magic, kind in _MAGIC_NUMBERS:
        if head.startswith(magic):
            return kind
    return None


def validate_upload(
    uploaded_file,
    *,
    allowed: Iterable[str] = DEFAULT_ALLOWED,
    max_bytes: int,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> str:
    """Return the detected ``FileKind`` of an upload, or raise ``ValidationError``.

    Error codes: ``empty``, ``too_large`` (bytes, pixels for an image, or
    packed data for a PDF), ``unsupported`` (content is none of ``allowed``),
    ``corrupt`` (the content starts like an allowed kind but is broken or
    incomplete), ``encrypted`` (a PDF we cannot look into),
    ``active_content`` (scripts, actions, attachments, forms that send data),
    ``disguised`` (another file hidden inside: a web page, a program, an
    archive, data after the picture), ``infected`` (a virus signature) and
    ``scanner_unavailable`` (clamd is configured but did not answer).
    The file position is back at the start afterwards, ready to be saved.
    """
    allowed_kinds = _allowed_kinds(allowed)
    size = _size_of(uploaded_file)
    if size == 0:
        raise ValidationError(_("The file is empty. Choose the file again."), code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={
                "size": format_file_size(size, round_up=True),
                "limit": format_file_size(max_bytes),
                "max_bytes": max_bytes,
            },
        )

    kind = detect_kind(uploaded_file)
    if kind not in allowed_kinds:
        raise _unsupported(getattr(uploaded_file, "name", "") or "", allowed_kinds)

    try:
        # Cheap structural checks first, then the byte scan, which names a
        # polyglot for what it is even when its structure is also broken
        # elsewhere, then the deep walk, then the (remote) virus scanner.
        if kind == FileKind.PDF:
            check_pdf_structure(uploaded_file, size)
        else:
            check_image(uploaded_file, kind, max_pixels)
        raise_for(scan_file(uploaded_file, pdf_names=kind == FileKind.PDF), kind)
        if kind == FileKind.PDF:
            check_pdf_content(uploaded_file)
        else:
            check_image_content(uploaded_file, kind, size)
        check_with_clamd(uploaded_file)
    finally:
        uploaded_file.seek(0)
    return kind


def random_upload_name(kind: str, folder: str) -> str:
    """A fresh storage name in ``folder`` with the extension of the detected kind.

    The client's filename never reaches storage: it could collide, guess other
    people's paths, or carry an extension the content does not match.
    """
    extension = FileKind(kind).extension
    folder = folder.strip("/")
    name = f"{uuid4().hex}{extension}"
    return f"{folder}/{name}" if folder else name


def safe_display_name(name: str) -> str:
    """A short, harmless version of a client's filename, for display only.

    Keeps the last path component (browsers may send ``C:\\fakepath\\x.pdf``),
    drops control and formatting characters (including right-to-left overrides
    that make ``cod.exe`` look like ``exe.doc``), composes Vietnamese accents to
    NFC, and shortens to ``DISPLAY_NAME_MAX_LENGTH`` keeping the extension.
    Returns an empty string when nothing usable is left.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if char.isspace() else char
        for char in name
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    name = " ".join(name.split())
    if name in {".", ".."}:
        return ""
    if len(name) <= DISPLAY_NAME_MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if stem and len(extension) < _DISPLAY_EXTENSION_MAX_LENGTH:
        keep = DISPLAY_NAME_MAX_LENGTH - len(extension) - 1
        return f"{stem[:keep].rstrip()}{dot}{extension}"
    return name[:DISPLAY_NAME_MAX_LENGTH].rstrip()


def format_file_size(num_bytes: int, *, round_up: bool = False) -> str:
    """A size for people: "12.4 MB", "10 MB", "350 KB", in the active locale.

    The uploaded size is rounded up and the limit down, so a file just over
    the limit never reads as "10 MB; the limit is 10 MB".
    """
    if num_bytes >= MEGABYTE:
        tenths = _divide(num_bytes * 10, MEGABYTE, round_up)
        if tenths % 10 == 0:
            number = number_format(tenths // 10)
        else:
            number = number_format(Decimal(tenths) / 10, decimal_pos=1)
        return _("%(number)s MB") % {"number": number}
    if num_bytes >= KILOBYTE:
        number = number_format(_divide(num_bytes, KILOBYTE, round_up))
        return _("%(number)s KB") % {"number": number}
    return _("%(number)s bytes") % {"number": number_format(num_bytes)}


class ContentCheckedFileField(forms.FileField):
    """A file field that accepts a file by its content.

    The cleaned file carries ``detected_kind`` (a ``FileKind`` value) so the
    caller can store it under ``random_upload_name(file.detected_kind, ...)``.
    """

    def __init__(self, *, allowed: Iterable[str] = DEFAULT_ALLOWED, max_bytes: int, **kwargs):
        # Emptiness is reported by validate_upload, in the same words as everywhere.
        kwargs.setdefault("allow_empty_file", True)
        # Set before Field.__init__, which calls widget_attrs().
        self.allowed = _allowed_kinds(allowed)
        self.max_bytes = max_bytes
        super().__init__(**kwargs)

    def to_python(self, data):
        uploaded_file = super().to_python(data)
        if uploaded_file is None:
            return None
        uploaded_file.detected_kind = validate_upload(
            uploaded_file, allowed=self.allowed, max_bytes=self.max_bytes
        )
        return uploaded_file

    def widget_attrs(self, widget):
        # A hint for the browser's file picker; the server never relies on it.
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.FileInput) and "accept" not in widget.attrs:
            accept = [kind.mime_type for kind in self.allowed]
            accept += [kind.extension for kind in self.allowed]
            if FileKind.JPG in self.allowed:
                accept.append(".jpeg")
            attrs["accept"] = ",".join(accept)
        return attrs


def _allowed_kinds(allowed: Iterable[str]) -> tuple[FileKind, ...]:
    # FileKind(...) raises ValueError on an unknown kind: a programming error.
    kinds = tuple(dict.fromkeys(FileKind(kind) for kind in allowed))
    if not kinds:
        raise ValueError("At least one file kind must be allowed.")
    return kinds


def _size_of(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is not None:
        return size
    position = uploaded_file.tell()
    uploaded_file.seek(0, 2)
    size = uploaded_file.tell()
    uploaded_file.seek(position)
    return size


def _divide(numerator: int, denominator: int, round_up: bool) -> int:
    return -(-numerator // denominator) if round_up else numerator // denominator


def _join_kinds(kinds: tuple[FileKind, ...]) -> str:
    labels = [kind.label for kind in kinds]
    if len(labels) == 1:
        return labels[0]
    return _("%(items)s or %(last)s") % {"items": ", ".join(labels[:-1]), "last": labels[-1]}


def _unsupported(name: str, allowed_kinds: tuple[FileKind, ...]) -> ValidationError:
    allowed_text = _join_kinds(allowed_kinds)
    name = safe_display_name(name)
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = _CLAIMED_EXTENSIONS.get(extension)
    if claimed in allowed_kinds:
        # The name promises an accepted kind but the bytes are something else:
        # often an executable or a renamed document. Say so plainly.
        return ValidationError(
            _(
                "This file is named %(extension)s but is not a %(kind)s. "
                "Only %(allowed)s files are accepted."
            ),
            code="unsupported",
            params={"extension": extension, "kind": claimed.label, "allowed": allowed_text},
        )
    return ValidationError(
        _("Only %(allowed)s files are accepted."),
        code="unsupported",
        params={"allowed": allowed_text},
    )
