"""Per-consultation theme settings: how many themes, and seed themes for guided mode.

Staff who may curate a consultation's analysis set them in the theme workspace or the API; every
later run of that consultation (by hand, on closing, from the CLI) uses them. They are stored on
the consultation as ``{"n_themes": int | None, "seed_themes": [{"name", "keywords"}], "updated_by",
"updated_at"}``; names and keywords pass through the one sanitizer (``clean_line``).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from .. import analysis_rules
from ..errors import ValidationError
from ..models import Consultation, User, utcnow
from ..sanitize import clean_line

MIN_THEMES, MAX_THEMES = 2, 30
MAX_SEEDS = 30
MAX_KEYWORDS = 20
MAX_NAME = 60
MAX_KEYWORD = 40

# "name: keyword, keyword" with full-width or half-width colon and commas / 、 / semicolons
_NAME_SEP = re.compile(r"[:：]")
_KEYWORD_SEP = re.compile(r"[,，、;；]")


def current(consultation: Consultation) -> dict[str, Any]:
    """The consultation's settings, defaults filled in (automatic k, no seed themes)."""
    stored = consultation.analysis_settings or {}
    return {
        "n_themes": stored.get("n_themes"),
        "seed_themes": [
            {"name": s["name"], "keywords": list(s["keywords"])}
            for s in stored.get("seed_themes") or []
        ],
        "updated_by": stored.get("updated_by"),
        "updated_at": stored.get("updated_at"),
    }


def theme_params(consultation: Consultation) -> dict[str, Any]:
    """ThemeModel parameters from the settings (only those that are set)."""
    settings = current(consultation)
    params: dict[str, Any] = {}
    if settings["seed_themes"]:
        params["seed_themes"] = settings["seed_themes"]
    elif settings["n_themes"] is not None:
        params["n_themes"] = settings["n_themes"]
    return params


def parse_seed_lines(text: str) -> list[dict[str, Any]]:
    """The workspace's text form, one seed theme a line: ``name: keyword, keyword`` (full-width
    ：，、 too). Blank lines are skipped; a line without a colon or keywords is an error."""
    seeds = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = _NAME_SEP.split(line, maxsplit=1)
        if len(parts) != 2:
            raise ValidationError("seed_line_invalid", field="seed_themes", line=number)
        name, rest = parts
        if not clean_line(name):
            raise ValidationError("seed_name_required", field="seed_themes", line=number)
        seeds.append({"name": name, "keywords": _KEYWORD_SEP.split(rest)})
    return seeds


def format_seed_lines(seeds: list[dict[str, Any]]) -> str:
    """The text form of seed themes (what :func:`parse_seed_lines` reads back)."""
    return "\n".join(f"{s['name']}：{'、'.join(s['keywords'])}" for s in seeds)


def _n_themes(raw: Any) -> int | None:
    """Empty (None, "" or blanks) is automatic; else a whole number in range, given as an int or
    as the digits a form sends."""
    if isinstance(raw, str):
        raw = raw.strip()
        raw = int(raw) if raw.isdecimal() else raw or None
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not MIN_THEMES <= raw <= MAX_THEMES:
        raise ValidationError("theme_count_range", field="n_themes", min=MIN_THEMES, max=MAX_THEMES)
    return raw


def _seeds(raw: Any) -> list[dict[str, Any]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError("invalid_field", field="seed_themes")
    if len(raw) > MAX_SEEDS:
        raise ValidationError("too_many_seeds", field="seed_themes", max=MAX_SEEDS)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, seed in enumerate(raw, start=1):
        if not isinstance(seed, dict):
            raise ValidationError("invalid_field", field="seed_themes")
        name_raw, keywords_raw = seed.get("name"), seed.get("keywords")
        if not isinstance(name_raw, str) or not isinstance(keywords_raw, list):
            raise ValidationError("invalid_field", field="seed_themes")
        name = clean_line(name_raw)
        if not name:
            raise ValidationError("seed_name_required", field="seed_themes", line=i)
        if len(name) > MAX_NAME:
            raise ValidationError(
                "seed_name_too_long", field="seed_themes", name=name[:20], max=MAX_NAME
            )
        if name.casefold() in seen:
            raise ValidationError("seed_name_duplicate", field="seed_themes", name=name)
        seen.add(name.casefold())
        keywords: list[str] = []
        seen_keywords: set[str] = set()
        for kw_raw in keywords_raw:
            if not isinstance(kw_raw, str):
                raise ValidationError("invalid_field", field="seed_themes")
            kw = clean_line(kw_raw)
            if len(kw) > MAX_KEYWORD:
                raise ValidationError(
                    "seed_keyword_too_long", field="seed_themes", name=name, max=MAX_KEYWORD
                )
            if kw and kw.casefold() not in seen_keywords:
                seen_keywords.add(kw.casefold())
                keywords.append(kw)
        if not keywords:
            raise ValidationError("seed_keywords_required", field="seed_themes", name=name)
        if len(keywords) > MAX_KEYWORDS:
            raise ValidationError(
                "too_many_keywords", field="seed_themes", name=name, max=MAX_KEYWORDS
            )
        out.append({"name": name, "keywords": keywords})
    return out


def save(
    session: Session,
    consultation: Consultation,
    *,
    actor: User | None,
    n_themes: Any = None,
    seed_themes: Any = None,
) -> bool:
    """Validate and store the settings (all or nothing); True when they changed."""
    analysis_rules.require_curate(actor, consultation)
    assert actor is not None  # require_curate raises without one
    k = _n_themes(n_themes)
    seeds = _seeds(seed_themes)
    before = current(consultation)
    if before["n_themes"] == k and before["seed_themes"] == seeds:
        return False
    consultation.analysis_settings = {
        "n_themes": k,
        "seed_themes": seeds,
        "updated_by": actor.id,
        "updated_at": utcnow().isoformat(timespec="seconds"),
    }
    session.flush()
    return True
