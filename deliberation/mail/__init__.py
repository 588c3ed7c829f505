"""Composing account e-mail: one message per kind, in the recipient's language (zh-TW or
English), as plain text plus HTML. Sending is the web side's job (app/mail.py); this package
only writes the words, so a script or a worker can compose the same messages."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

KINDS = (
    "verify_email",
    "already_registered",
    "reset_password",
    "change_email",
    "email_changed",
    "password_changed",
)
LANGUAGES = ("zh_TW", "en")
DEFAULT_LANGUAGE = "zh_TW"

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,  # a missing link is a bug, never an empty mail
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str

    def as_dict(self) -> dict[str, str]:
        """JSON- and pickle-safe, for the background job."""
        return asdict(self)


def language_of(value: str | None) -> str:
    """The mail language for a stored preference: English if asked for, else zh-TW."""
    return "en" if (value or "").lower().startswith("en") else DEFAULT_LANGUAGE


def compose(kind: str, *, to: str, language: str | None, **context: Any) -> Message:
    """The message of this kind for this recipient. The text template's first line is
    "Subject: ..."; the HTML template holds the same words."""
    if kind not in KINDS:
        raise ValueError(f"unknown mail kind {kind!r}")
    lang = language_of(language)
    text = _env.get_template(f"{kind}.{lang}.txt").render(**context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"{kind}.{lang}.txt must start with a Subject: line")
    html = _env.get_template(f"{kind}.{lang}.html").render(
        subject=first[len("Subject: ") :], lang=lang, **context
    )
    return Message(
        to=to, subject=first[len("Subject: ") :].strip(), text=body.lstrip("\n"), html=html
    )
