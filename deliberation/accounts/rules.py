"""Pure account rules: what a password must be, and what a deletion may withdraw."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..models import CommentStatus

# The text left in place of a comment its author withdrew when deleting the account; analysis
# leaves such comments out (services/moderation.visible_comments_for_analysis).
WITHDRAWN_TEXT = "（作者刪除帳號時撤回了這則留言。）"

MIN_PASSWORD = 8
MAX_PASSWORD = 200  # scrypt hashes any length; this only stops absurd bodies

# The 10,000 most common passwords, most common first: the head of the "passwords" frequency
# list shipped in the zxcvbn package (zxcvbn-python 4.5.0, MIT licence; the list itself comes
# from Mark Burnett's / Xato's 10 million password corpus). One per line, lower case.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, read once."""
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def password_refusal(password: str | None, *, email: str = "") -> str | None:
    """Why this password is refused (a stable error code), or None if it is acceptable."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        return "password_too_short"
    if len(password) > MAX_PASSWORD:
        return "password_too_long"
    folded = password.strip().lower()
    if folded in common_passwords():
        return "password_too_common"
    if email and folded in {email.lower(), email.lower().split("@")[0]}:
        return "password_is_email"
    return None


def can_withdraw(status: str, open_flags: int, under_appeal: bool) -> bool:
    """A deleted account's comment may be withdrawn (its text removed) only while no moderation
    process holds it: visible, no open flag, no appeal. Otherwise its text stays for the record."""
    return status == CommentStatus.VISIBLE and open_flags == 0 and not under_appeal
