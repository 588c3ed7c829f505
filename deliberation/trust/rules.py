"""Pure rules of the trust area: who speaks officially, who must use two-factor sign-in, how
display names are compared with the reserved words. No database, no flask."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from ..models import Role

# Roles that speak for an institution: their comments carry the 「官方」 badge, and they must sign
# in with a second factor. Admins run the platform, so they are official too.
OFFICIAL_ROLES = frozenset({Role.STAFF, Role.MODERATOR, Role.REVIEWER, Role.ADMIN})
TWO_FACTOR_ROLES = OFFICIAL_ROLES

SESSION_LIFETIME = timedelta(hours=24)  # an ordinary log-in
REMEMBER_MAX = timedelta(days=30)  # "keep me logged in": never longer than this
PENDING_LOGIN = timedelta(minutes=10)  # between the password and the code
MAX_CODE_ATTEMPTS = 5  # wrong codes in a row before a pause
CODE_LOCK = timedelta(minutes=5)
RECOVERY_CODES = 10

# Reserved whatever the admins add: words that claim an office. Every agency's name and code is
# reserved as well (read from the agencies table).
BUILTIN_RESERVED = (
    "官方",
    "承辦人",
    "承辦",
    "部長",
    "次長",
    "署長",
    "局長",
    "處長",
    "科長",
    "科員",
    "主委",
    "發言人",
    "管理員",
    "管理者",
    "版主",
    "站長",
    "公務員",
    "眾議團隊",
    "moderator",
    "admin",
    "administrator",
    "official",
    "staff",
    "spokesperson",
)

# Simplified forms a name might use to slip past the Traditional word (國 / 国 ...).
_VARIANTS = str.maketrans(
    {
        "国": "國",
        "发": "發",
        "会": "會",
        "员": "員",
        "长": "長",
        "办": "辦",
        "处": "處",
        "务": "務",
        "众": "眾",
        "议": "議",
        "团": "團",
        "队": "隊",
        "门": "門",
        "经": "經",
        "济": "濟",
        "卫": "衛",
        "环": "環",
        "内": "內",
        "财": "財",
        "网": "網",
        "闻": "聞",
        "台": "臺",
    }
)
# Removed before comparing: spaces of every width, punctuation, symbols, invisible characters.
_DROP = frozenset({"Z", "P", "S", "C"})
_LATIN_RUN = re.compile(r"[a-z]+")


class UserLike(Protocol):
    role: str
    agency_id: int | None


@dataclass(frozen=True)
class Official:
    """What the 「官方」 badge says: the role, and the agency for agency staff."""

    role: str
    agency_code: str | None = None
    agency_name: str | None = None

    def as_json(self) -> dict[str, object]:
        agency = {"code": self.agency_code, "name": self.agency_name} if self.agency_code else None
        return {"role": self.role, "agency": agency}


def is_official_role(role: str | None) -> bool:
    return role in OFFICIAL_ROLES


def official_of(user: object) -> Official | None:
    """The badge a user's words carry, or None for a citizen or an imported participant."""
    role = getattr(user, "role", None)
    if not is_official_role(role) or getattr(user, "origin", None) is not None:
        return None
    agency = getattr(user, "agency", None) if role == Role.STAFF else None
    assert role is not None
    if agency is None:
        return Official(role=role)
    return Official(role=role, agency_code=agency.code, agency_name=agency.name)


def requires_two_factor(user: UserLike) -> bool:
    """Staff, moderators, reviewers and admins cannot act on a password alone."""
    return user.role in TWO_FACTOR_ROLES


def can_administer_accounts(user: UserLike | None) -> bool:
    return user is not None and user.role == Role.ADMIN


def remember_for(requested_days: int) -> timedelta:
    """How long "keep me logged in" lasts: as configured, never more than 30 days."""
    return min(timedelta(days=max(requested_days, 1)), REMEMBER_MAX)


def normalize_name(text: str) -> str:
    """A display name as compared with the reserved words: full-width folded (NFKC), lower-case,
    simplified variants mapped, and every space, punctuation mark or invisible character
    removed, so 「國 發 會」, 「ＡＤＭＩＮ」 and 「a.d.m.i.n」 read as what they claim."""
    folded = unicodedata.normalize("NFKC", text or "").casefold().translate(_VARIANTS)
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] not in _DROP)


def _latin_words(text: str) -> set[str]:
    """The Latin words of a name, with letters spelled out one by one ("a d m i n") joined."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    words: set[str] = set()
    singles: list[str] = []
    for token in re.split(r"[^a-z]+", folded):
        if len(token) == 1:
            singles.append(token)
            continue
        if singles:
            words.add("".join(singles))
            singles = []
        if token:
            words.add(token)
    if singles:
        words.add("".join(singles))
    # Latin runs of the squeezed form too (「NDC承辦」 → ndc).
    words.update(_LATIN_RUN.findall(normalize_name(text)))
    return words


def reserved_hit(name: str, words: Iterable[str]) -> str | None:
    """The first reserved word this name claims, or None.

    Chinese words match anywhere in the squeezed name; Latin words match a whole word (or its
    plural), so "badminton" is not "admin" but "ADMIN 小林" and 「ｏｆｆｉｃｉａｌ」 are."""
    squeezed = normalize_name(name)
    latin = _latin_words(name)
    for word in words:
        key = normalize_name(word)
        if not key:
            continue
        if key.isascii() and key.isalpha():
            if key in latin or key + "s" in latin:
                return word
        elif key in squeezed:
            return word
    return None
