"""Result PDFs (being written)."""


def render_result_pdf(result) -> bytes:
    raise NotImplementedError


def stamp_and_sign_pdf(content: bytes, *, token: str, signing_key) -> bytes:
    raise NotImplementedError
