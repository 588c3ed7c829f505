"""The enrolment QR code, drawn here as SVG (no outside service ever sees the secret)."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def svg(data: str) -> Markup:
    """An inline <svg> of `data` (the otpauth:// address)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    text = out.getvalue().decode()
    start = text.find("<svg")
    return Markup(text[start:])
