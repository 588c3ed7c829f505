"""Pure rules of attachments: the allowed types, told by their content (never by the name or
the browser's word), and the size limit."""

from __future__ import annotations

import io
import zipfile

from ..errors import ValidationError
from ..sanitize import clean_line

TYPES = {  # kind -> (content type, file name extension)
    "pdf": ("application/pdf", ".pdf"),
    "odt": ("application/vnd.oasis.opendocument.text", ".odt"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ".ods"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
}
MAX_NAME = 200


def sniff(data: bytes) -> str | None:
    """The kind of file these bytes are, from their signature (and, for the zip-based office
    formats, their inner structure), or None if it is none of the allowed kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    for kind in ("odt", "ods"):
                        if mimetype == TYPES[kind][0]:
                            return kind
                if "[Content_Types].xml" in names:
                    if "word/document.xml" in names:
                        return "docx"
                    if "xl/workbook.xml" in names:
                        return "xlsx"
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def size_text(n: int) -> str:
    """A size as people read it: "20 MB", "500 KB"."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.0f} MB" if n % (1024 * 1024) == 0 else f"{n / 1048576:.1f} MB"
    return f"{-(-n // 1024)} KB"


def check_upload(filename: str, data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(kind, clean file name) of an acceptable upload, or a ValidationError."""
    if not data:
        raise ValidationError("attachment_empty", field="file")
    if len(data) > max_bytes:
        raise ValidationError("attachment_too_large", field="file", max=size_text(max_bytes))
    kind = sniff(data)
    if kind is None:
        raise ValidationError("attachment_type", field="file")
    name = clean_line(filename).replace("/", "_").replace("\\", "_").strip(". ")
    extension = TYPES[kind][1]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: MAX_NAME - len(extension)] or "attachment"
    return kind, stem + extension
