"""The text of a PDF the portal produced, for assertions (pure Python: pypdf)."""

import io

from pypdf import PdfReader


def pdf_text(content: bytes) -> str:
    """All pages' text, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
