"""Finding web pages, scripts, programs and archives hidden in an upload's bytes.

Browsers that sniff content, servers that include files, unzip tools and
Windows each look for their own signature anywhere in a file, not only at its
start, so a photo or a PDF can at the same time be a web page, a script, a
program or an archive (a "polyglot"). These checks look for those signatures
in the raw bytes of every upload, and in the decoded parts that the structural
checks hand over (PDF streams, image text chunks and comments).

Compressed data looks random, so every signature is either long or checked
further before it counts: "MZ" turns up every 64 KB of random bytes, a "MZ"
whose header points at "PE\\0\\0" practically never does. Text markers are
matched case-insensitively, as browsers and PHP do.

Scanning is incremental (``Scanner.feed``): data arrives in chunks of up to
``CHUNK_SIZE`` and consecutive chunks overlap, so a signature split across a
chunk boundary is still found, and a file is never held in memory whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from core.uploads.messages import ATTACHMENT, FORM, SCRIPT

CHUNK_SIZE = 1024 * 1024

ACTIVE_CONTENT = "active_content"
DISGUISED = "disguised"
INFECTED = "infected"

# Real linkers put the PE header within the first few hundred bytes; following
# e_lfanew further would only add chances of a match in random data.
_PE_HEADER_MAX_OFFSET = 4096
# Enough lookahead for the PE check and for the longest text marker.
OVERLAP = _PE_HEADER_MAX_OFFSET + 64

# Matched in lowercased data. Scripts run on their own; markup makes a file a
# web page to a browser that sniffs it.
_SCRIPT_MARKERS = (b"<script", b"<?php", b"javascript:", b"vbscript:")
_MARKUP_MARKERS = (
    b"<html",
    b"<!doctype",
    b"<svg",
    b"<iframe",
    b"<body",
    b"<object",
    b"<embed",
)
# ASP "<% ... %>" and PHP "<?= ... ?>": two-byte openers are common in random
# data, so only a closed tag around printable text counts.
_SERVER_TAG_RE = re.compile(rb"<(?:%[\t\n\r\x20-\x7e]{1,512}?%|\?=[\t\n\r\x20-\x7e]{1,512}?\?)>")

# Matched as they are. Each also gets a plausibility check on the bytes after it.
_EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!"
_DOS_STUB_MARKERS = (b"This program cannot be run in DOS mode", b"This program must be run under")
_ARCHIVE_MARKERS = (
    b"Rar!\x1a\x07",  # RAR
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE2: .doc/.xls with macros, .msi
)

# PDF names that make a document do something beyond showing pages, with the
# kind of advice a citizen gets. /URI links are allowed on purpose.
PDF_DENIED_NAMES = {
    "JavaScript": SCRIPT,
    "JS": SCRIPT,
    "Launch": SCRIPT,
    "GoToR": SCRIPT,  # opens another file, also over the network (NTLM leaks)
    "GoToE": SCRIPT,
    "EmbeddedFile": ATTACHMENT,
    "EmbeddedFiles": ATTACHMENT,
    "FileAttachment": ATTACHMENT,
    "RichMedia": ATTACHMENT,
    "XFA": FORM,
    "SubmitForm": FORM,
    "ImportData": FORM,
}


def _name_pattern(name: str) -> bytes:
    # Any character of a name may be written as #xx (ISO 32000 7.3.5).
    parts = []
    for char in name:
        code = f"{ord(char):02X}"
        hex_digits = "".join(f"[{d.lower()}{d.upper()}]" if d.isalpha() else d for d in code)
        parts.append(f"(?:{re.escape(char)}|#{hex_digits})")
    return "".join(parts).encode("ascii")


# A name ends at whitespace, a delimiter or the end of data.
_PDF_NAME_RE = re.compile(
    rb"/("
    + b"|".join(_name_pattern(n) for n in sorted(PDF_DENIED_NAMES, key=len, reverse=True))
    # The lookahead stops /JS from matching the start of /JSomething.
    + rb")(?![^\s()<>\[\]{}/%\x00])"
)
_PDF_HEX_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Finding:
    """What was found: ``code`` is the ValidationError code, ``what`` is for logs."""

    code: str
    what: str
    reason: str = SCRIPT


def normalise_pdf_name(raw: bytes) -> str:
    return _PDF_HEX_ESCAPE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("latin-1")


def scan_buffer(
    buffer: bytes, *, markup: bool = True, pdf_names: bool = False, at_start: bool = False
) -> Finding | None:
    """Look for every signature in one piece of data held in memory."""
    if _EICAR_MARKER in buffer:
        return Finding(INFECTED, "EICAR test file")
    if at_start and buffer.startswith(b"#!"):
        return Finding(ACTIVE_CONTENT, "shell script")
    if markup:
        lowered = buffer.lower()
        for marker in _SCRIPT_MARKERS:
            if marker in lowered:
                return Finding(ACTIVE_CONTENT, marker.decode())
        for marker in _MARKUP_MARKERS:
            if marker in lowered:
                return Finding(DISGUISED, marker.decode())
        if _SERVER_TAG_RE.search(buffer):
            return Finding(ACTIVE_CONTENT, "server-side script tag")
    if pdf_names:
        match = _PDF_NAME_RE.search(buffer)
        if match:
            name = normalise_pdf_name(match.group(1))
            return Finding(ACTIVE_CONTENT, f"/{name}", PDF_DENIED_NAMES[name])
    for marker in _DOS_STUB_MARKERS:
        if marker in buffer:
            return Finding(DISGUISED, "Windows program")
    if _has_pe_header(buffer):
        return Finding(DISGUISED, "Windows program")
    if _has_elf_header(buffer):
        return Finding(DISGUISED, "Linux program")
    if _has_zip_header(buffer):
        return Finding(DISGUISED, "ZIP archive")
    for marker in _ARCHIVE_MARKERS:
        if marker in buffer:
            return Finding(DISGUISED, "archive")
    return None


def scan_text(data: bytes) -> Finding | None:
    """Scan a piece of metadata, also read as UTF-16 (EXIF XPComment is UTF-16LE)."""
    finding = scan_buffer(data, at_start=True)
    if finding is None and b"\x00" in data:
        finding = scan_buffer(data.replace(b"\x00", b""), at_start=True)
    return finding


class Scanner:
    """Scans data fed in pieces of any size, in overlapping chunks."""

    def __init__(self, *, markup: bool = True, pdf_names: bool = False):
        self.markup = markup
        self.pdf_names = pdf_names
        self._pending = bytearray()
        self._at_start = True

    def feed(self, data: bytes) -> Finding | None:
        self._pending += data
        if len(self._pending) < CHUNK_SIZE + OVERLAP:
            return None
        return self._scan_pending(final=False)

    def finish(self) -> Finding | None:
        if not self._pending:
            return None
        return self._scan_pending(final=True)

    def _scan_pending(self, *, final: bool) -> Finding | None:
        buffer = bytes(self._pending)
        finding = scan_buffer(
            buffer, markup=self.markup, pdf_names=self.pdf_names, at_start=self._at_start
        )
        self._at_start = False
        # Keep the end, so a signature cut by the chunk boundary (or a "MZ"
        # whose header lies beyond it) is seen whole next time.
        self._pending = bytearray() if final else bytearray(buffer[-OVERLAP:])
        return finding


def scan_file(fileobj: IO[bytes], *, pdf_names: bool = False) -> Finding | None:
    scanner = Scanner(pdf_names=pdf_names)
    for chunk in read_chunks(fileobj):
        finding = scanner.feed(chunk)
        if finding:
            return finding
    return scanner.finish()


def read_chunks(fileobj: IO[bytes], chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """The file's bytes from the start, ``chunk_size`` at a time."""
    fileobj.seek(0)
    while chunk := fileobj.read(chunk_size):
        yield chunk


def _occurrences(buffer: bytes, marker: bytes) -> Iterator[int]:
    position = buffer.find(marker)
    while position != -1:
        yield position
        position = buffer.find(marker, position + 1)


def _has_pe_header(buffer: bytes) -> bool:
    for start in _occurrences(buffer, b"MZ"):
        pointer = buffer[start + 0x3C : start + 0x40]
        if len(pointer) < 4:
            continue
        offset = int.from_bytes(pointer, "little")
        header = buffer[start + offset : start + offset + 4]
        if 4 <= offset <= _PE_HEADER_MAX_OFFSET and header == b"PE\x00\x00":
            return True
    return False


def _has_elf_header(buffer: bytes) -> bool:
    for start in _occurrences(buffer, b"\x7fELF"):
        ident = buffer[start + 4 : start + 7]
        # 32/64-bit, little/big-endian, ELF version 1.
        if len(ident) == 3 and ident[0] in (1, 2) and ident[1] in (1, 2) and ident[2] == 1:
            return True
    return False


def _has_zip_header(buffer: bytes) -> bool:
    for start in _occurrences(buffer, b"PK\x03\x04"):
        version = buffer[start + 4 : start + 6]
        # "Version needed to extract": 1.0 to 6.3 in every real archive.
        if len(version) == 2 and version[0] <= 63 and version[1] == 0:
            return True
    for start in _occurrences(buffer, b"PK\x05\x06"):
        # End of central directory on disk 0: what unzip tools look for at the end.
        if buffer[start + 4 : start + 8] == b"\x00\x00\x00\x00":
            return True
    return False
