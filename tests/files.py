"""Real files for upload tests, made on the spot."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_bytes(size=(40, 30), color=(11, 79, 138)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(buffer, "PDF")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Hand-built files for the threat tests ---------------------------------
#
# Malicious samples are assembled from parts at test time, so no file in the
# repository is itself something a virus scanner or a mail filter would catch.

# The EICAR anti-virus test file, split so this source file does not match it.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

PDF_BINARY_COMMENT = b"%\xe2\xe3\xcf\xd3\n"


def pdf_stream(dictionary: bytes, data: bytes) -> bytes:
    """The body of a stream object; ``dictionary`` holds entries without << >>."""
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def pdf_from_objects(objects: list[bytes], *, trailer: bytes = b"", header=b"%PDF-1.7\n") -> bytes:
    """A PDF whose object n is ``objects[n - 1]``, with a correct xref table.

    Object 1 must be the catalog.
    """
    out = bytearray(header + PDF_BINARY_COMMENT)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def pdf_document(
    *, catalog: bytes = b"", page: bytes = b"", extra: list[bytes] = (), header=b"%PDF-1.7\n"
) -> bytes:
    """A one-page PDF; ``extra`` objects are numbered from 5 and may be referenced."""
    content = pdf_stream(b"", b"0 0 m 200 200 l S")
    return pdf_from_objects(
        [
            b"<< /Type /Catalog /Pages 2 0 R %s>>" % catalog,
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R %s>>" % page,
            content,
            *extra,
        ],
        header=header,
    )


def pdf_with_object_stream(objects: list[bytes], packed: set[int]) -> bytes:
    """A PDF 1.5+ file: the objects numbered in ``packed`` go into a compressed
    object stream, and the cross-reference data is a stream too."""
    objstm_number, xref_number = len(objects) + 1, len(objects) + 2
    entries = {}
    index, body = [], bytearray()
    for position, number in enumerate(sorted(packed)):
        index.append(b"%d %d" % (number, len(body)))
        body += objects[number - 1] + b"\n"
        entries[number] = (2, objstm_number, position)
    first = b" ".join(index) + b"\n"
    compressed = zlib.compress(first + bytes(body))

    out = bytearray(b"%PDF-1.7\n" + PDF_BINARY_COMMENT)
    for number, obj in enumerate(objects, start=1):
        if number not in packed:
            entries[number] = (1, len(out), 0)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, obj)
    entries[objstm_number] = (1, len(out), 0)
    objstm = pdf_stream(
        b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(packed), len(first)),
        compressed,
    )
    out += b"%d 0 obj\n%s\nendobj\n" % (objstm_number, objstm)
    xref_at = len(out)
    entries[xref_number] = (1, xref_at, 0)
    rows = struct.pack(">BIH", 0, 0, 65535)
    rows += b"".join(struct.pack(">BIH", *entries[n]) for n in range(1, xref_number + 1))
    xref = pdf_stream(b"/Type /XRef /Size %d /W [1 4 2] /Root 1 0 R" % (xref_number + 1), rows)
    out += b"%d 0 obj\n%s\nendobj\n" % (xref_number, xref)
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims huge dimensions: a decompression bomb's shape."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def png_with_chunk(tag: bytes, data: bytes, base: bytes | None = None) -> bytes:
    """A PNG with one more chunk just before IEND."""
    base = base or png_bytes()
    iend = base.rindex(b"IEND") - 4
    return base[:iend] + png_chunk(tag, data) + base[iend:]


def jpeg_with_segment(marker: int, payload: bytes, base: bytes | None = None) -> bytes:
    """A JPEG with one more segment (APPn, COM) right after its start marker."""
    base = base or jpeg_bytes()
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return base[:2] + segment + base[2:]
