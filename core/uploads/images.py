"""Checking that a JPEG or PNG is a whole picture and nothing else.

Pillow decodes the picture, which proves it is whole. Pillow stops at the
picture's end, though, and skips comments and metadata, which is where
polyglots keep their second life: a web page in a JPEG comment or a PNG text
chunk, a ZIP or a program glued after the end. So the segments (JPEG) and
chunks (PNG) are walked here too: text-bearing ones are scanned, also as
UTF-16 since EXIF's XP* fields are UTF-16, compressed PNG text is inflated (a
bounded amount), and what follows the picture's end must be nothing, padding,
or something phones are known to write there.
"""

from __future__ import annotations

import re
import struct
import zlib

from django.core.exceptions import ValidationError
from PIL import Image, ImageFile

from core.uploads import messages
from core.uploads.kinds import MEGABYTE, FileKind
from core.uploads.markers import Finding, scan_text

_PILLOW_FORMATS = {FileKind.JPG: "JPEG", FileKind.PNG: "PNG"}

# Bytes after the end of a picture that are accepted whatever they hold: some
# encoders pad, and anything this short that matters is found by the markers.
IMAGE_TRAILER_SLACK = 32
# Text chunks are short in real files; Pillow stops at 1 MB too.
_MAX_PNG_TEXT = MEGABYTE
_READ_STEP = 64 * 1024

# In JPEG entropy-coded data a 0xFF is followed by 0x00 (stuffing), a restart
# marker or another 0xFF (fill); anything else starts the next segment.
_JPEG_MARKER_RE = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_JPEG_SOI = b"\xff\xd8\xff"
_PNG_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt", b"eXIf")


def check_image(uploaded_file, kind: FileKind, max_pixels: int) -> None:
    """Pillow's structural check, then a full decode to catch truncation."""
    pillow_format = _PILLOW_FORMATS[kind]
    # A process-wide Pillow switch that libraries may flip (WeasyPrint does on
    # import) would let truncated images through; this check needs it off.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        uploaded_file.seek(0)
        # Opening reads only the header, so the pixel limit is enforced before
        # any pixel data is decoded (decompression bombs are small files).
        with Image.open(uploaded_file, formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise messages.image_too_large(max_pixels)
            # verify() checks structure (for PNG, every chunk's checksum) but
            # leaves the image unusable, hence the second open below.
            image.verify()

        uploaded_file.seek(0)
        with Image.open(uploaded_file, formats=[pillow_format]) as image:
            if kind == FileKind.JPG:
                # Decode at 1/8 scale: every byte is still read, so truncation
                # is caught, with a fraction of the memory.
                image.draft(None, (max(1, width // 8), max(1, height // 8)))
            image.load()
    except Image.DecompressionBombError as error:
        # Pillow's own limit, reached before ours could look at the size.
        raise messages.image_too_large(max_pixels) from error
    except ValidationError:
        raise
    except Exception as error:
        # Pillow reports broken files with OSError, SyntaxError, ValueError,
        # EOFError, struct.error and others: for us they all mean "corrupt".
        raise messages.corrupt(kind) from error


def check_image_content(uploaded_file, kind: FileKind, size: int) -> None:
    """Scan metadata for hidden content and refuse data after the picture."""
    try:
        if kind == FileKind.JPG:
            _check_jpeg_content(uploaded_file, size)
        else:
            _check_png_content(uploaded_file, size)
    except (struct.error, ValueError) as error:
        raise messages.corrupt(kind) from error


def raise_for(finding: Finding | None, kind: FileKind) -> None:
    if finding is None:
        return
    if finding.code == "infected":
        raise messages.infected()
    if finding.code == "disguised":
        raise messages.disguised(kind)
    raise messages.active_content(kind, finding.reason)


def _check_jpeg_content(uploaded_file, size: int) -> None:
    end = _walk_jpeg(uploaded_file, 0)
    while size - end > IMAGE_TRAILER_SLACK:
        uploaded_file.seek(end)
        head = uploaded_file.read(8)
        if head.startswith(_JPEG_SOI):
            # Multi-Picture Format: phones store gain maps, depth maps and
            # previews as whole JPEGs after the first one.
            end = _walk_jpeg(uploaded_file, end)
        elif head[4:8] == b"ftyp":
            return  # a motion photo's video (Google, Samsung): no active content
        elif _ends_with(uploaded_file, size, b"SEFT"):
            return  # Samsung's trailer of camera settings
        elif _is_padding(uploaded_file, end, size):
            return
        else:
            raise messages.disguised(FileKind.JPG)


def _walk_jpeg(uploaded_file, start: int) -> int:
    """Check one JPEG's segments from ``start``; return the offset after its EOI."""
    uploaded_file.seek(start)
    if uploaded_file.read(2) != b"\xff\xd8":
        raise messages.corrupt(FileKind.JPG)
    while True:
        byte = uploaded_file.read(1)
        if not byte:
            raise messages.corrupt(FileKind.JPG)
        if byte != b"\xff":
            continue  # stray bytes between segments, which decoders skip too
        marker = uploaded_file.read(1)
        while marker == b"\xff":
            marker = uploaded_file.read(1)
        if not marker:
            raise messages.corrupt(FileKind.JPG)
        code = marker[0]
        if code == 0xD9:
            return uploaded_file.tell()
        if 0xD0 <= code <= 0xD7 or code in (0x00, 0x01):
            continue  # markers without a length
        length_bytes = uploaded_file.read(2)
        if len(length_bytes) < 2 or (length := int.from_bytes(length_bytes, "big")) < 2:
            raise messages.corrupt(FileKind.JPG)
        if 0xE0 <= code <= 0xEF or code == 0xFE:
            # APPn (EXIF, XMP, ICC, MPF...) and COM: where text hides.
            payload = uploaded_file.read(length - 2)
            raise_for(scan_text(payload), FileKind.JPG)
        else:
            uploaded_file.seek(length - 2, 1)
        if code == 0xDA:
            _skip_entropy_coded_data(uploaded_file)


def _skip_entropy_coded_data(uploaded_file) -> None:
    """Leave the file at the 0xFF that starts the segment after a scan."""
    while True:
        position = uploaded_file.tell()
        block = uploaded_file.read(_READ_STEP)
        if not block:
            raise messages.corrupt(FileKind.JPG)
        match = _JPEG_MARKER_RE.search(block)
        if match:
            uploaded_file.seek(position + match.start())
            return
        if len(block) > 1 and block.endswith(b"\xff"):
            # The marker byte may be in the next block.
            uploaded_file.seek(position + len(block) - 1)
        elif len(block) == 1:
            raise messages.corrupt(FileKind.JPG)


def _check_png_content(uploaded_file, size: int) -> None:
    uploaded_file.seek(8)
    while True:
        header = uploaded_file.read(8)
        if len(header) < 8:
            raise messages.corrupt(FileKind.PNG)
        length, chunk_type = struct.unpack(">I4s", header)
        if chunk_type in _PNG_TEXT_CHUNKS:
            if length > _MAX_PNG_TEXT:
                raise messages.corrupt(FileKind.PNG)
            data = uploaded_file.read(length)
            uploaded_file.seek(4, 1)
            raise_for(scan_text(_png_text(chunk_type, data)), FileKind.PNG)
        else:
            uploaded_file.seek(length + 4, 1)
        if chunk_type == b"IEND":
            break
    end = uploaded_file.tell()
    if size - end > IMAGE_TRAILER_SLACK and not _is_padding(uploaded_file, end, size):
        raise messages.disguised(FileKind.PNG)


def _png_text(chunk_type: bytes, data: bytes) -> bytes:
    """The text of a PNG text chunk, inflated when compressed."""
    keyword, _, rest = data.partition(b"\x00")
    if chunk_type == b"zTXt":
        return keyword + b"\x00" + _inflate_bounded(rest[1:])
    if chunk_type == b"iTXt" and len(rest) >= 2:
        compressed = rest[0] == 1
        _language, _, rest = rest[2:].partition(b"\x00")
        translated, _, text = rest.partition(b"\x00")
        if compressed:
            text = _inflate_bounded(text)
        return keyword + b"\x00" + translated + b"\x00" + text
    return data


def _inflate_bounded(data: bytes) -> bytes:
    try:
        return zlib.decompressobj().decompress(data, _MAX_PNG_TEXT)
    except zlib.error:
        return data


def _ends_with(uploaded_file, size: int, suffix: bytes) -> bool:
    uploaded_file.seek(size - len(suffix))
    return uploaded_file.read(len(suffix)) == suffix


def _is_padding(uploaded_file, start: int, size: int) -> bool:
    uploaded_file.seek(start)
    remaining = size - start
    while remaining > 0:
        block = uploaded_file.read(min(_READ_STEP, remaining))
        if not block:
            break
        if block.strip(b"\x00\xff \t\r\n"):
            return False
        remaining -= len(block)
    return True
