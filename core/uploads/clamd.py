"""Asking a ClamAV daemon (clamd) whether an upload carries known malware.

Our own checks refuse whole classes of dangerous content; clamd knows
individual pieces of malware by signature, including ones inside an otherwise
ordinary picture or PDF. It is optional: it is used when ``CLAMD_SOCKET`` (a
unix socket path) or ``CLAMD_HOST`` (with ``CLAMD_PORT``, 3310 by default) is
set. Once configured it is required: if it cannot answer, uploads are refused
("try again later") rather than stored unchecked.

The client speaks clamd's INSTREAM command itself (a few lines, no extra
dependency): the file goes in chunks, each preceded by its length as four
big-endian bytes, ending with a zero length; clamd answers
``stream: OK`` or ``stream: <signature> FOUND``.
"""

from __future__ import annotations

import logging
import socket
import struct

from django.conf import settings

from core.uploads import messages
from core.uploads.markers import read_chunks

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3310
# A 10 MB upload takes well under a second; a busy daemon gets some leeway.
DEFAULT_TIMEOUT = 30.0
# clamd's StreamMaxLength is checked per stream, not per chunk; 64 KB chunks
# keep the socket buffers busy without holding much in memory.
CHUNK_SIZE = 64 * 1024
_MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or did not give a verdict."""


def clamd_configured() -> bool:
    return bool(getattr(settings, "CLAMD_SOCKET", "") or getattr(settings, "CLAMD_HOST", ""))


def check_with_clamd(uploaded_file) -> None:
    """Raise ``ValidationError`` (infected, scanner_unavailable) unless clamd says OK."""
    if not clamd_configured():
        return
    try:
        signature = clamd_instream(uploaded_file)
    except ScannerUnavailable as error:
        logger.error("Virus scanner unavailable, upload refused: %s", error)
        raise messages.scanner_unavailable() from error
    finally:
        uploaded_file.seek(0)
    if signature:
        # The signature name helps whoever looks at the logs; the file name
        # is left out, it often holds a citizen's name.
        logger.warning("Virus scanner found %s in an upload; refused.", signature)
        raise messages.infected()


def clamd_instream(fileobj, *, chunk_size: int = CHUNK_SIZE) -> str | None:
    """Stream ``fileobj`` to clamd; return the signature found, or None if clean.

    Raises ``ScannerUnavailable`` when clamd cannot be reached, times out, or
    answers anything but a verdict (for example its size-limit error).
    """
    try:
        with _connect() as connection:
            try:
                connection.sendall(b"zINSTREAM\x00")
                for chunk in read_chunks(fileobj, chunk_size):
                    connection.sendall(struct.pack(">I", len(chunk)) + chunk)
                connection.sendall(struct.pack(">I", 0))
            except (BrokenPipeError, ConnectionResetError):
                # clamd hangs up early when a stream passes its size limit;
                # its reply, if any, says why.
                pass
            reply = _read_reply(connection)
    except (OSError, ValueError) as error:
        raise ScannerUnavailable(f"{type(error).__name__}: {error}") from error
    return _parse_reply(reply)


def _connect() -> socket.socket:
    timeout = float(getattr(settings, "CLAMD_TIMEOUT", "") or DEFAULT_TIMEOUT)
    path = getattr(settings, "CLAMD_SOCKET", "")
    if path:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(timeout)
        try:
            connection.connect(path)
        except BaseException:
            connection.close()
            raise
        return connection
    host = getattr(settings, "CLAMD_HOST", "")
    port = int(getattr(settings, "CLAMD_PORT", "") or DEFAULT_PORT)
    return socket.create_connection((host, port), timeout=timeout)


def _read_reply(connection: socket.socket) -> bytes:
    reply = b""
    while b"\x00" not in reply and len(reply) < _MAX_REPLY:
        try:
            data = connection.recv(_MAX_REPLY)
        except ConnectionResetError:
            break
        if not data:
            break
        reply += data
    return reply.split(b"\x00", 1)[0]


def _parse_reply(reply: bytes) -> str | None:
    text = reply.decode("utf-8", "replace").strip()
    if text == "stream: OK":
        return None
    if text.startswith("stream: ") and text.endswith(" FOUND"):
        return text[len("stream: ") : -len(" FOUND")].strip() or "unknown"
    raise ScannerUnavailable(f"unexpected reply {text[:200]!r}")
