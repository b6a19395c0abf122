"""Serving stored files to the people allowed to see them.

Uploaded files are never served from MEDIA_URL; a view that has checked who
asks streams them through here, inline, never cached by shared caches, and in
a sandbox so a crafted file cannot run script in the portal's origin.
"""

from django.http import FileResponse, Http404

from core.uploads import FileKind


def file_response(field_file, kind: str) -> FileResponse:
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=FileKind(kind).mime_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
