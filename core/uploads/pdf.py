"""Checking that a PDF is whole and only shows pages.

A PDF can do much more than show pages: run JavaScript, launch programs, open
other files, carry attachments, post form data to a server. None of that
belongs in a citizen's supporting document, and an officer opening the file
should run no risk, so such PDFs are refused with advice to print them to PDF
again (printing keeps the pages and drops everything else).

The check has two parts. ``check_pdf_structure`` only reads the first and last
few kilobytes. ``check_pdf_content`` parses the file with pyHanko, walks every
object listed in the cross-reference data (including objects packed inside
object streams) and looks at every name, so it finds actions wherever they
hang: OpenAction, /AA on pages and fields, annotations, the JavaScript name
tree. Names are compared after pyHanko has undone #xx escapes (/J#53 is /JS).

Compressed streams are decoded here, not by pyHanko, a step at a time with
``zlib.decompressobj(max_length)``, so a small stream that inflates to
gigabytes (a "flate bomb") is refused once it passes the per-stream or
per-document limit, without ever being held in memory. Decoded data is
scanned for hidden web pages, scripts and programs (``markers``); picture data
is only measured, as its pixels cannot do anything.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import (
    DecodeLimits,
    DocumentDecodeBudget,
    StreamDecodeLimits,
)
from pyhanko.pdf_utils.filters import ASCII85Decode, ASCIIHexDecode
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import ObjStreamRef

from core.uploads import messages
from core.uploads.kinds import MEGABYTE, FileKind
from core.uploads.markers import PDF_DENIED_NAMES, SCRIPT, Finding, Scanner

# A PDF ends with "startxref <offset> %%EOF"; producers may add a little after
# it, and readers look for %%EOF within the last 1024 bytes (ISO 32000 7.5.5).
PDF_EOF_WINDOW = 1024
# The tail we read must hold the startxref line before that window.
_PDF_TAIL_READ = 2048
# The header must be the file's first line: %PDF-1.0 … %PDF-1.7 or %PDF-2.0.
_PDF_HEADER_RE = re.compile(rb"%PDF-(?:1\.[0-7]|2\.0)\s")
_PDF_STARTXREF_RE = re.compile(rb"startxref\s+(\d+)\s+%%EOF")

# A long, tagged report has tens of thousands of objects; far more in a file
# small enough to upload means it was built to wear the checker out.
MAX_PDF_OBJECTS = 200_000
# One page scanned at 300 dpi in colour decodes to 26 MB; an A3 page to 52 MB.
MAX_PDF_STREAM_BYTES = 64 * MEGABYTE
# Several such pages are normal, gigabytes are a bomb.
MAX_PDF_DECODED_BYTES = 256 * MEGABYTE
# How much one inflate step may produce: the most held in memory at a time.
_DECODE_STEP = 256 * 1024
# Predictor bytes and padding an image stream may add to its pixel data.
_IMAGE_SLACK = 64 * 1024

# Abbreviations from inline images, which some writers use in streams too.
_FILTER_ALIASES = {
    "/Fl": "/FlateDecode",
    "/AHx": "/ASCIIHexDecode",
    "/A85": "/ASCII85Decode",
    "/DCT": "/DCTDecode",
    "/CCF": "/CCITTFaxDecode",
    "/LZW": "/LZWDecode",
    "/RL": "/RunLengthDecode",
}
# Browsers ignore tabs and newlines inside a URL's scheme.
_URL_IGNORED_RE = re.compile(r"[\x00-\x20]")
_DANGEROUS_URL_PREFIXES = ("javascript:", "vbscript:", "data:", "file:", "\\\\")


def check_pdf_structure(uploaded_file, size: int) -> None:
    """Header with a known version, then "startxref <n> %%EOF" at the end."""
    uploaded_file.seek(0)
    head = uploaded_file.read(32)
    if not _PDF_HEADER_RE.match(head):
        raise messages.corrupt(FileKind.PDF)

    uploaded_file.seek(max(0, size - _PDF_TAIL_READ))
    tail = uploaded_file.read(_PDF_TAIL_READ)
    eof_at = tail.rfind(b"%%EOF")
    if eof_at == -1 or len(tail) - eof_at > PDF_EOF_WINDOW:
        raise messages.corrupt(FileKind.PDF)
    matches = list(_PDF_STARTXREF_RE.finditer(tail))
    # The last cross-reference offset must point inside the file; a file cut
    # short and padded, or glued from pieces, usually fails here.
    if not matches or int(matches[-1].group(1)) >= size:
        raise messages.corrupt(FileKind.PDF)


def check_pdf_content(uploaded_file) -> None:
    """Refuse PDFs that are encrypted, act on their own, or inflate too far."""
    try:
        _walk_document(uploaded_file)
    except ValidationError:
        raise
    except PdfDecodeLimitError as error:
        raise messages.pdf_too_complex() from error
    except Exception as error:
        # pyHanko reports broken files with many exception types (and the odd
        # assert); a PDF we cannot read is a PDF we cannot vouch for.
        raise messages.corrupt(FileKind.PDF) from error


class _Budget:
    def __init__(self):
        self.decoded = 0


def _walk_document(uploaded_file) -> None:
    uploaded_file.seek(0)
    reader = PdfFileReader(
        uploaded_file,
        strict=False,
        # Ours are the real limits (see _decoded); these only bound what
        # pyHanko decodes itself, such as object streams it unpacks.
        decode_limits=DecodeLimits(
            per_stream=StreamDecodeLimits(max_output_size=MAX_PDF_STREAM_BYTES),
            document_budget=DocumentDecodeBudget(base_allowance=MAX_PDF_DECODED_BYTES, max_ratio=0),
        ),
    )
    # Encrypted objects cannot be read without the password, so nothing in
    # them can be vouched for, even when a viewer opens them without asking.
    if "/Encrypt" in reader.trailer:
        raise messages.encrypted()

    refs = set()
    for revision in range(reader.xrefs.total_revisions):
        refs |= reader.xrefs.explicit_refs_in_revision(revision)
        if len(refs) > MAX_PDF_OBJECTS:
            raise messages.pdf_too_complex()

    in_files, in_object_streams = [], []
    for ref in sorted(refs, key=lambda ref: (ref.idnum, ref.generation)):
        try:
            marker = reader.xrefs[ref]
        except KeyError:
            continue  # superseded by a later generation of the same number
        if marker is None:
            continue  # freed
        target = in_object_streams if isinstance(marker, ObjStreamRef) else in_files
        target.append(ref)

    # Streams drawn as page content: their decoded text is what the page
    # shows (a manual may well show "<object>"), never something a browser
    # would sniff, so markup in them is not a threat.
    content_refs: set[tuple[int, int]] = set()
    _check_names(reader.trailer.flatten(), content_refs)
    streams = []
    for ref in in_files:
        obj = reader.get_object(ref)
        _check_names(obj, content_refs)
        if isinstance(obj, generic.StreamObject):
            streams.append((ref, obj))
    budget = _Budget()
    # Object streams first: our bounded decoder must see them before pyHanko
    # unpacks the objects inside.
    for _ref, stream in streams:
        if _get(stream, "/Type") == "/ObjStm":
            _check_stream(stream, budget)
    for ref in in_object_streams:
        _check_names(reader.get_object(ref), content_refs)
    for ref, stream in streams:
        if _get(stream, "/Type") != "/ObjStm":
            is_content = (ref.idnum, ref.generation) in content_refs
            _check_stream(stream, budget, is_content=is_content)


def _check_names(obj, content_refs: set[tuple[int, int]]) -> None:
    """Walk one object's direct contents (references are walked on their own)."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, generic.NameObject):
            _check_name(item)
        elif isinstance(item, generic.DictionaryObject):
            for key, value in dict.items(item):
                _check_name(key)
                stack.append(value)
            uri = dict.get(item, "/URI")
            if isinstance(uri, (generic.TextStringObject, generic.ByteStringObject)):
                _check_uri(uri)
            _collect_content_refs(item, content_refs)
        elif isinstance(item, generic.ArrayObject):
            stack.extend(list.__iter__(item))


def _collect_content_refs(dictionary, content_refs: set[tuple[int, int]]) -> None:
    # A page's /Contents (one stream or an array) and a Type 3 font's glyphs.
    contents = dict.get(dictionary, "/Contents")
    values = list.__iter__(contents) if isinstance(contents, generic.ArrayObject) else [contents]
    char_procs = dict.get(dictionary, "/CharProcs")
    if isinstance(char_procs, generic.DictionaryObject):
        values = [*values, *dict.values(char_procs)]
    for value in values:
        if isinstance(value, generic.IndirectObject):
            content_refs.add((value.idnum, value.generation))


def _check_name(name: str) -> None:
    reason = PDF_DENIED_NAMES.get(name[1:])
    if reason:
        raise messages.active_content(FileKind.PDF, reason)


def _check_uri(uri) -> None:
    text = uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)
    text = _URL_IGNORED_RE.sub("", text).lower()
    if text.startswith(_DANGEROUS_URL_PREFIXES):
        raise messages.active_content(FileKind.PDF, SCRIPT)


def _check_stream(stream: generic.StreamObject, budget: _Budget, *, is_content=False) -> None:
    filters = _filter_names(stream)
    if not filters:
        return  # the raw bytes were scanned with the rest of the file
    is_image = _get(stream, "/Subtype") == "/Image"
    limit = _image_limit(stream) if is_image else MAX_PDF_STREAM_BYTES
    # Font programs are binary tables in which markup means nothing (colour
    # fonts even carry SVG), and content streams are drawn, not sniffed (see
    # _walk_document); programs and archives count everywhere.
    is_font = "/Length1" in stream or _get(stream, "/Subtype") in (
        "/Type1C",
        "/CIDFontType0C",
        "/OpenType",
    )
    is_content = is_content or _get(stream, "/Subtype") == "/Form" or "/PatternType" in stream
    scanner = None
    if not is_image:
        scanner = Scanner(
            markup=not (is_font or is_content), pdf_names=_get(stream, "/Type") == "/ObjStm"
        )

    produced = 0
    for chunk in _decoded(stream.encoded_data, filters):
        produced += len(chunk)
        budget.decoded += len(chunk)
        if produced > limit or budget.decoded > MAX_PDF_DECODED_BYTES:
            raise messages.pdf_too_complex()
        if scanner:
            _raise_for(scanner.feed(chunk))
    if scanner:
        _raise_for(scanner.finish())


def _raise_for(finding: Finding | None) -> None:
    if finding is None:
        return
    if finding.code == "infected":
        raise messages.infected()
    if finding.code == "disguised":
        raise messages.disguised(FileKind.PDF)
    raise messages.active_content(FileKind.PDF, finding.reason)


def _get(dictionary, key):
    try:
        return dictionary[key]
    except KeyError:
        return None


def _filter_names(stream) -> list[str]:
    filters = _get(stream, "/Filter")
    if filters is None:
        return []
    if isinstance(filters, generic.NameObject):
        filters = [filters]
    names = []
    for name in filters:
        name = str(name.get_object()) if hasattr(name, "get_object") else str(name)
        names.append(_FILTER_ALIASES.get(name, name))
    return names


def _image_limit(stream) -> int:
    """The most an image's declared size lets it decode to, within the stream limit."""
    try:
        width, height = int(stream["/Width"]), int(stream["/Height"])
        bits = int(_get(stream, "/BitsPerComponent") or 8)
    except (KeyError, TypeError, ValueError):
        return MAX_PDF_STREAM_BYTES
    if width <= 0 or height <= 0 or not 1 <= bits <= 16:
        return MAX_PDF_STREAM_BYTES
    # Four components is the most any colour space has (CMYK); one predictor
    # byte starts each row.
    row = (width * 4 * bits + 7) // 8 + 1
    return min(MAX_PDF_STREAM_BYTES, row * height + _IMAGE_SLACK)


def _decoded(data: bytes, filters: list[str]) -> Iterator[bytes]:
    """The stream decoded as far as we can, lazily, up to its first picture filter."""
    chunks: Iterator[bytes] = iter([data])
    applied = False
    for name in filters:
        if name == "/FlateDecode":
            chunks = _inflate(chunks)
        elif name == "/ASCIIHexDecode":
            chunks = _whole(chunks, ASCIIHexDecode())
        elif name == "/ASCII85Decode":
            chunks = _whole(chunks, ASCII85Decode())
        else:
            # Picture filters (DCT, JPX, CCITT, JBIG2) end the chain: their
            # input is what a viewer hands to an image decoder. LZW and
            # run-length (rare since 2001) and unknown filters are not decoded
            # either: what they hide would need a second program to run.
            break
        applied = True
    if applied:
        yield from chunks


def _inflate(chunks: Iterator[bytes]) -> Iterator[bytes]:
    decompressor = zlib.decompressobj()
    try:
        for chunk in chunks:
            while chunk and not decompressor.eof:
                output = decompressor.decompress(chunk, _DECODE_STEP)
                if output:
                    yield output
                chunk = decompressor.unconsumed_tail
            if decompressor.eof:
                return
        # Output zlib still holds after the last input, a step at a time.
        while not decompressor.eof and (output := decompressor.decompress(b"", _DECODE_STEP)):
            yield output
    except zlib.error:
        # Viewers show what decodes before damage in a stream; so do we.
        return


def _whole(chunks: Iterator[bytes], decoder) -> Iterator[bytes]:
    # ASCII encodings only ever shrink their input, which is at most the file.
    data = b"".join(chunks)
    try:
        decoded = decoder.decode(data, {})
    except Exception:
        return
    for start in range(0, len(decoded), _DECODE_STEP):
        yield decoded[start : start + _DECODE_STEP]
