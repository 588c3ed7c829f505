"""Pure rules of search: the terms of a query, its limits, and highlighting."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

from ..errors import ValidationError

MAX_QUERY = 200  # characters
MAX_TERMS = 10
SNIPPET = 120  # characters of context shown around the first match
PER_PAGE = 20
CANDIDATES = 200  # the newest matches that are ranked; a larger count is shown as "more than"

Segment = tuple[str, bool]  # a piece of text, and whether it is a match


def _is_word(term: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in term)


def query_terms(q: str, tokenize: Callable[[str], str | None]) -> list[str]:
    """The words to look for: the query cut with the same tokenizer as the stored text
    (punctuation dropped, each word once, at most MAX_TERMS). Refuses an empty or long query."""
    q = " ".join((q or "").split())
    if not q:
        raise ValidationError("search_query_required", field="q")
    if len(q) > MAX_QUERY:
        raise ValidationError("search_query_too_long", field="q", max=MAX_QUERY)
    tokens = (tokenize(q) or q).split()
    terms: list[str] = []
    for token in tokens:
        token = token.lower()
        if _is_word(token) and token not in terms:
            terms.append(token)
    if not terms:
        raise ValidationError("search_query_required", field="q")
    return terms[:MAX_TERMS]


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every term, each a quoted string (implicit AND)."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def highlight(text: str, terms: Sequence[str], width: int = SNIPPET) -> list[Segment]:
    """A window of `text` around its first match, cut into plain and matching pieces.

    The pieces are text, not HTML: the page escapes them and marks the matches."""
    text = " ".join(text.split())
    if not text:
        return []
    wanted = sorted({t for t in terms if t}, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE) if wanted else None
    first = pattern.search(text) if pattern else None
    start = max(0, (first.start() if first else 0) - width // 3)
    end = min(len(text), start + width)
    window = text[start:end]
    pieces: list[Segment] = []
    if start > 0:
        pieces.append(("…", False))
    position = 0
    for match in pattern.finditer(window) if pattern else []:
        if match.start() > position:
            pieces.append((window[position : match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(window):
        pieces.append((window[position:], False))
    if end < len(text):
        pieces.append(("…", False))
    return pieces
