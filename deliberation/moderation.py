"""Pure moderation rules: who may moderate, what each action does to a comment's state, and the
automatic hold checks (personal data, keywords, link spam).

Nothing here touches the database; the services in ``deliberation/services/moderation/`` (and the
checks before a post in ``deliberation/services/screening.py``) load the objects, ask these
functions, and write the result together with its log row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from . import rules
from .models import CommentStatus, FlagReason, Role, SanctionKind

# ---- the published rules -------------------------------------------------------------------

# Reasons a moderator may give (the public rules page lists them; the transparency page counts
# hidden comments by them). Flag reasons are a subset, plus "duplicate".
RULE_CODES: tuple[str, ...] = (
    FlagReason.SPAM.value,
    FlagReason.HARASSMENT.value,
    FlagReason.HATE.value,
    FlagReason.PERSONAL_DATA.value,
    FlagReason.OFF_TOPIC.value,
    FlagReason.MISINFORMATION.value,
    "duplicate",
    FlagReason.OTHER.value,
)
FLAG_REASONS: tuple[str, ...] = tuple(r.value for r in FlagReason)
COMMENT_ACTIONS: tuple[str, ...] = (
    "approve",
    "hide",
    "restore",
    "redact",
    "pin",
    "unpin",
    "mark_duplicate",
)
THREAD_ACTIONS: tuple[str, ...] = ("lock", "unlock", "slow_mode")
SANCTION_KINDS: tuple[str, ...] = tuple(k.value for k in SanctionKind)
# Actions whose hold/hide reason must be one of the rules; the others may give one.
REASON_REQUIRED = frozenset({"hide", "mute", "suspend"})
# The event type each comment action records (real-time clients and the page cache key on it).
EVENT_TYPES = {
    "approve": "comment_approved",
    "hide": "comment_hidden",
    "restore": "comment_restored",
    "redact": "comment_redacted",
    "pin": "comment_pinned",
    "unpin": "comment_unpinned",
    "mark_duplicate": "comment_hidden",
    "hold": "comment_held",
}
MAX_NOTE = 1000
MAX_APPEAL = 2000
MAX_SLOW_MODE = 24 * 3600
MAX_MUTE_DAYS = 365
REDACTION_MARK = "████"


def is_moderator(user: rules.Actor | None) -> bool:
    """Moderators and admins work the queue and act on comments, threads and accounts."""
    return rules.is_moderator(user)


def can_export_log(user: rules.Actor | None) -> bool:
    """Moderators, admins, and agency staff (for their own consultations)."""
    return user is not None and user.role in (Role.MODERATOR, Role.ADMIN, Role.STAFF)


def can_see_original(user: rules.Actor | None) -> bool:
    """The text a redaction removed is kept in the log for admins only."""
    return user is not None and user.role == Role.ADMIN


def can_configure(user: rules.Actor | None, consultation: rules.ConsultationLike | None) -> bool:
    """Site settings: moderators and admins. A consultation's: also its agency's staff."""
    if is_moderator(user):
        return True
    return consultation is not None and rules.can_manage_consultation(user, consultation)


def moderator_refusal(user: rules.Actor | None) -> str | None:
    if user is None:
        return "not_authenticated"
    if not is_moderator(user):
        return "moderators_only"
    return None


# ---- state transitions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an action does to a comment: its status afterwards, and whether anything changes."""

    status: str
    changed: bool
    pinned: bool


def comment_outcome(
    action: str,
    status: str,
    *,
    pinned: bool,
    flag_count: int,
    duplicate_of_id: int | None = None,
    new_duplicate_of_id: int | None = None,
) -> Outcome | str:
    """The outcome of an action on a comment in this state, or the refusal code.

    Repeating an action is harmless: an action whose result already holds is `changed=False`.
    """
    visible, pending, hidden = (
        CommentStatus.VISIBLE.value,
        CommentStatus.PENDING.value,
        CommentStatus.HIDDEN.value,
    )
    if action not in COMMENT_ACTIONS:
        return "invalid_action"
    if action == "approve":
        if status == pending:
            return Outcome(visible, True, pinned)
        if status == visible:
            return Outcome(visible, flag_count > 0, pinned)  # dismisses the open flags
        return "use_restore"
    if action == "hide":
        return Outcome(hidden, status != hidden, False)
    if action == "restore":
        if status == hidden:
            return Outcome(visible, True, pinned)
        if status == visible:
            return Outcome(visible, False, pinned)
        return "use_approve"
    if action == "pin":
        if status != visible:
            return "pin_visible_only"
        return Outcome(visible, not pinned, True)
    if action == "unpin":
        return Outcome(status, pinned, False)
    if action == "mark_duplicate":
        same = status == hidden and duplicate_of_id == new_duplicate_of_id
        return Outcome(hidden, not same, False)
    # redact: the text changes, the status does not (whether it changes depends on the spans).
    return Outcome(status, True, pinned)


def is_public(status: str) -> bool:
    """Statuses the public list shows (hidden ones as a placeholder); these count as replies."""
    return status in (CommentStatus.VISIBLE.value, CommentStatus.HIDDEN.value)


# ---- settings ---------------------------------------------------------------------------------

DEFAULT_KEYWORDS: tuple[str, ...] = (
    # zh-TW: threats and slurs moderators asked to see before publication.
    "去死",
    "殺了你",
    "幹你娘",
    "支那豬",
    # English
    "kill yourself",
    "fuck you",
)


@dataclass(frozen=True)
class Settings:
    """The automatic-hold settings in force for one consultation."""

    premoderation: bool = False
    flag_threshold: int = 3
    hold_personal_data: bool = True
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    link_limit: int = 2
    new_account_days: int = 7


class SettingsLike(Protocol):
    @property
    def premoderation(self) -> bool | None: ...
    @property
    def flag_threshold(self) -> int | None: ...
    @property
    def hold_personal_data(self) -> bool | None: ...
    @property
    def keywords(self) -> str | None: ...
    @property
    def link_limit(self) -> int | None: ...
    @property
    def new_account_days(self) -> int | None: ...


def parse_keywords(text: str | None) -> tuple[str, ...]:
    """One keyword per line (commas also separate); blank lines and duplicates dropped."""
    out: list[str] = []
    for raw in re.split(r"[\n,，]", text or ""):
        word = " ".join(raw.split())
        if word and word not in out:
            out.append(word)
    return tuple(out)


def effective_settings(site: SettingsLike | None, local: SettingsLike | None) -> Settings:
    """Built-in defaults, overridden by the site row, overridden by the consultation's row.

    Keywords add up: the site list (which replaces the built-in one when set) plus the
    consultation's own words.
    """
    base = Settings()
    values = {
        "premoderation": base.premoderation,
        "flag_threshold": base.flag_threshold,
        "hold_personal_data": base.hold_personal_data,
        "link_limit": base.link_limit,
        "new_account_days": base.new_account_days,
    }
    keywords = list(base.keywords)
    for row in (site, local):
        if row is None:
            continue
        for name in values:
            value = getattr(row, name)
            if value is not None:
                values[name] = value
    if site is not None and site.keywords is not None:
        keywords = list(parse_keywords(site.keywords))
    if local is not None and local.keywords:
        keywords += [w for w in parse_keywords(local.keywords) if w not in keywords]
    return Settings(keywords=tuple(keywords), **values)  # type: ignore[arg-type]


# ---- automatic holds --------------------------------------------------------------------------

# Characters people insert to split a word or number ("A1234\u200b56789"): dropped before matching.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def _fold(text: str) -> tuple[str, list[int]]:
    """Full-width ASCII folded to ASCII and invisible characters dropped, with each folded
    character's index in the original (so a match can be replaced in the original text)."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if _INVISIBLE.match(ch):
            continue
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        chars.append(ch)
        index.append(i)
    return "".join(chars), index


# Letter values of the national ID / resident certificate checksum (A=10 ... with I, O, W-Z apart).
_ID_LETTERS = {
    letter: value
    for letter, value in zip(
        "ABCDEFGHJKLMNPQRSTUVXYWZIO",
        list(range(10, 36)),
        strict=True,
    )
}
_TW_ID = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])[ \-]?([1289](?:[ \-]?\d){8})(?!\d)")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?886[ \-]?|0)9\d{2}[ \-]?\d{3}[ \-]?\d{3}(?!\d)")
_LANDLINE = re.compile(
    r"(?<![\d+])(?:\+886[ \-]?\(?[2-8]\d?\)?|\(0[2-8]\d{0,2}\)|0[2-8]\d{0,2})"
    r"[ \-]?\d{3,4}[ \-]?\d{3,4}(?!\d)"
)
_TOLL_FREE = re.compile(r"(?<!\d)0800[ \-]?\d{3}[ \-]?\d{3}(?!\d)")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def tw_id_valid(value: str) -> bool:
    """A Taiwan national ID (or new-style resident certificate) with a correct checksum:
    a letter, 1/2 (8/9 for residents), eight more digits."""
    value = re.sub(r"[ \-]", "", value).upper()
    if not re.fullmatch(r"[A-Z][1289]\d{8}", value):
        return False
    code = _ID_LETTERS[value[0]]
    total = code // 10 + (code % 10) * 9
    weights = (8, 7, 6, 5, 4, 3, 2, 1, 1)
    total += sum(int(d) * w for d, w in zip(value[1:], weights, strict=True))
    return total % 10 == 0


@dataclass(frozen=True)
class Span:
    kind: str  # tw_national_id, mobile_phone, landline_phone, email
    start: int  # in the original text
    end: int


def find_personal_data(text: str) -> list[Span]:
    """Personal data in the text: national IDs (checksum-valid), phone numbers, e-mail addresses."""
    folded, index = _fold(text)
    found: list[Span] = []

    def add(kind: str, start: int, end: int) -> None:
        span = Span(kind, index[start], index[end - 1] + 1)
        if not any(s.start < span.end and span.start < s.end for s in found):
            found.append(span)

    for m in _TW_ID.finditer(folded):
        if tw_id_valid(m.group(1) + m.group(2)):
            add("tw_national_id", m.start(), m.end())
    for m in _EMAIL.finditer(folded):
        add("email", m.start(), m.end())
    for m in _MOBILE.finditer(folded):
        add("mobile_phone", m.start(), m.end())
    for pattern in (_TOLL_FREE, _LANDLINE):
        for m in pattern.finditer(folded):
            add("landline_phone", m.start(), m.end())
    return sorted(found, key=lambda s: s.start)


def redact(text: str, spans: Sequence[Span], extra: Iterable[str] = ()) -> tuple[str, int]:
    """The text with the spans and every occurrence of the extra strings replaced, and how many
    replacements were made."""
    pieces: list[tuple[int, int]] = [(s.start, s.end) for s in spans]
    for needle in extra:
        if not needle:
            continue
        start = text.find(needle)
        while start != -1:
            pieces.append((start, start + len(needle)))
            start = text.find(needle, start + len(needle))
    merged: list[list[int]] = []
    for start, end in sorted(pieces):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, last = [], 0
    for start, end in merged:
        out.append(text[last:start])
        out.append(REDACTION_MARK)
        last = end
    out.append(text[last:])
    return "".join(out), len(merged)


def normalise_for_keywords(text: str) -> str:
    """Case, width and compatibility forms folded; spaces, punctuation, symbols and invisible
    characters removed, so "去 死", "去。死" and "Ｋ.i.l.l" compare like the plain words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in ("L", "N"))


def _is_latin(word: str) -> bool:
    return all(ord(ch) < 0x250 for ch in word)


def _latin_pattern(word: str) -> re.Pattern[str]:
    # Separators may be spread between the letters ("f.u.c.k", "k i l l"), but the word must
    # stand alone, so "ass" does not fire inside "class".
    letters = [re.escape(ch) for ch in word]
    return re.compile(r"(?<![a-z0-9])" + r"[\W_]*".join(letters) + r"(?![a-z0-9])")


def keyword_hits(
    text: str, keywords: Iterable[str], tokens: Sequence[str] | None = None
) -> list[str]:
    """The keywords found in the text: on the normalised raw text, and on the segmented tokens
    (which also drop filler words: "去的死" still reads as 去死 there)."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    plain = normalise_for_keywords(text)
    joined = normalise_for_keywords("".join(tokens)) if tokens else ""
    hits = []
    for keyword in keywords:
        word = normalise_for_keywords(keyword)
        if not word:
            continue
        if _is_latin(word):
            hit = bool(_latin_pattern(word).search(folded))
        else:
            hit = word in plain or (bool(joined) and word in joined)
        if hit:
            hits.append(keyword)
    return hits


def count_links(text: str) -> int:
    folded, _ = _fold(text)
    return len(_LINK.findall(folded))


@dataclass(frozen=True)
class Hold:
    """Why a new or edited comment waits for review: the rule (the published reason code) and
    the check that fired, with a detail that names no personal data."""

    reason: str
    rule: str
    detail: str = ""
    kinds: tuple[str, ...] = field(default=())


def hold_for(
    text: str,
    settings: Settings,
    *,
    author_joined: datetime,
    now: datetime,
    tokens: Sequence[str] | None = None,
    author_is_moderator: bool = False,
) -> Hold | None:
    """The first automatic hold that applies to this text, or None."""
    if author_is_moderator:
        return None
    if settings.hold_personal_data:
        spans = find_personal_data(text)
        if spans:
            kinds = tuple(sorted({s.kind for s in spans}))
            return Hold("personal_data", "personal_data", ", ".join(kinds), kinds)
    hits = keyword_hits(text, settings.keywords, tokens)
    if hits:
        return Hold("harassment", "keyword", ", ".join(hits))
    links = count_links(text)
    if links > settings.link_limit and now - author_joined < timedelta(
        days=settings.new_account_days
    ):
        return Hold("spam", "link_spam", str(links))
    if settings.premoderation:
        return Hold("", "premoderation")
    return None


# ---- sanctions ------------------------------------------------------------------------------


class SanctionLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def ends_at(self) -> datetime | None: ...


def participation_refusal(active: Sequence[SanctionLike]) -> tuple[str, datetime | None] | None:
    """Why a sanctioned account may not post, vote, edit or flag: suspension before mute."""
    for kind in (SanctionKind.SUSPEND.value, SanctionKind.MUTE.value):
        matching = [s for s in active if s.kind == kind]
        if matching:
            ends = [s.ends_at for s in matching]
            until = None if any(e is None for e in ends) else max(e for e in ends if e)
            return ("suspended" if kind == SanctionKind.SUSPEND.value else "muted", until)
    return None


def slow_mode_wait(last_post: datetime | None, seconds: int, now: datetime) -> int:
    """Seconds this account must still wait before posting in a slow-mode thread (0: may post)."""
    if seconds <= 0 or last_post is None:
        return 0
    remaining = seconds - (now - last_post).total_seconds()
    return max(0, int(remaining + 0.999))
