"""Which links become rich embeds, and the one safe way each is embedded. Pure: no I/O.

`match(url)` turns a URL into an allow-listed provider and our *canonical* embed form — a small
dict of validated identifiers such as ``{"kind": "youtube", "id": "dQw4w9WgXcQ"}``. Nothing the
linked page supplies (its HTML, its oEmbed ``html``) is ever used. `embed_src(embed)` rebuilds
the iframe address from those identifiers alone, re-validating them, so a tampered row cannot
smuggle anything into an ``src``.

Providers with an embed: YouTube (through youtube-nocookie), Vimeo, Facebook posts and videos,
Instagram, Threads, X/Twitter. PTT and Dcard articles are recognised (their cards name the
provider) but get no embed. Everything else gets a plain link card.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

# Origins the iframes come from: the page's CSP frame-src allows exactly these.
EMBED_ORIGINS = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://www.facebook.com",
    "https://www.instagram.com",
    "https://www.threads.net",
    "https://platform.twitter.com",
)

PROVIDERS = ("youtube", "vimeo", "facebook", "instagram", "threads", "x", "ptt", "dcard")

_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_DIGITS = re.compile(r"[0-9]{1,20}")
_FB_NAME = re.compile(r"[A-Za-z0-9.\-]{1,80}")
_FB_POST = re.compile(r"(?:[0-9]{1,25}|pfbid[A-Za-z0-9]{10,80})")
_IG_CODE = re.compile(r"[A-Za-z0-9_-]{5,64}")
_THREADS_USER = re.compile(r"[A-Za-z0-9._]{1,30}")
_X_USER = re.compile(r"[A-Za-z0-9_]{1,15}")
_PTT_BOARD = re.compile(r"[A-Za-z0-9_-]{1,30}")
_PTT_ARTICLE = re.compile(r"[MG]\.[0-9]{1,12}\.A\.[0-9A-F]{3}\.html")
_DCARD_FORUM = re.compile(r"[a-z0-9_]{1,40}")

_HOSTS = {
    "youtube": {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"},
    "youtu.be": {"youtu.be"},
    "youtube-nocookie": {"www.youtube-nocookie.com", "youtube-nocookie.com"},
    "vimeo": {"vimeo.com", "www.vimeo.com", "player.vimeo.com"},
    "facebook": {"facebook.com", "www.facebook.com", "m.facebook.com", "web.facebook.com"},
    "instagram": {"instagram.com", "www.instagram.com"},
    "threads": {"threads.net", "www.threads.net", "threads.com", "www.threads.com"},
    "x": {"twitter.com", "www.twitter.com", "mobile.twitter.com", "x.com", "www.x.com"},
    "ptt": {"www.ptt.cc", "ptt.cc"},
    "dcard": {"www.dcard.tw", "dcard.tw"},
}


@dataclass(frozen=True)
class Match:
    """A recognised provider; `embed` is None for providers that only get a card."""

    provider: str
    embed: dict[str, Any] | None = None


def _full(pattern: re.Pattern[str], value: str | None) -> bool:
    return value is not None and pattern.fullmatch(value) is not None


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _first(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _seconds(value: str | None) -> int | None:
    """YouTube start times: "90", "90s", "1m30s", "1h2m3s"."""
    if not value:
        return None
    m = re.fullmatch(r"(?:(\d{1,2})h)?(?:(\d{1,4})m)?(?:(\d{1,6})s?)?", value)
    if not m or not any(m.groups()):
        return None
    h, mi, s = (int(g) if g else 0 for g in m.groups())
    total = h * 3600 + mi * 60 + s
    return total if 0 < total < 86400 else None


def _youtube(host: str, parts: list[str], query: dict[str, list[str]]) -> Match | None:
    video = None
    if host in _HOSTS["youtu.be"]:
        video = parts[0] if parts else None
    elif parts[:1] == ["watch"]:
        video = _first(query, "v")
    elif len(parts) >= 2 and parts[0] in {"embed", "shorts", "live", "v"}:
        video = parts[1]
    if not _full(_YOUTUBE_ID, video):
        return Match("youtube")
    embed: dict[str, Any] = {"kind": "youtube", "id": video}
    start = _seconds(_first(query, "t") or _first(query, "start"))
    if start:
        embed["start"] = start
    return Match("youtube", embed)


def _vimeo(host: str, parts: list[str]) -> Match:
    video = None
    if host == "player.vimeo.com" and parts[:1] == ["video"] and len(parts) >= 2:
        video = parts[1]
    elif parts and _full(_DIGITS, parts[0]):
        video = parts[0]
    elif len(parts) >= 2 and parts[0] in {"video", "channels", "groups"} and parts[-1].isdigit():
        video = parts[-1]
    if not _full(_DIGITS, video):
        return Match("vimeo")
    return Match("vimeo", {"kind": "vimeo", "id": video})


def _facebook(parts: list[str], query: dict[str, list[str]]) -> Match:
    # /{page}/posts/{id}, /{page}/videos/{id}, /{page}/videos/{slug}/{id}, /watch/?v={id},
    # /reel/{id}, /permalink.php?story_fbid={id}&id={page id}
    named = len(parts) >= 3 and _full(_FB_NAME, parts[0])
    if named and parts[1] == "posts" and _full(_FB_POST, parts[2]):
        return Match(
            "facebook", {"kind": "facebook", "type": "post", "page": parts[0], "id": parts[2]}
        )
    if named and parts[1] == "videos" and _full(_DIGITS, parts[-1]):
        return Match(
            "facebook", {"kind": "facebook", "type": "video", "page": parts[0], "id": parts[-1]}
        )
    if parts[:1] == ["watch"] and _full(_DIGITS, _first(query, "v")):
        return Match("facebook", {"kind": "facebook", "type": "video", "id": _first(query, "v")})
    if len(parts) == 2 and parts[0] == "reel" and _full(_DIGITS, parts[1]):
        return Match("facebook", {"kind": "facebook", "type": "video", "id": parts[1]})
    if parts == ["permalink.php"]:
        story, page = _first(query, "story_fbid"), _first(query, "id")
        if _full(_FB_POST, story) and _full(_DIGITS, page):
            return Match(
                "facebook", {"kind": "facebook", "type": "post", "page": page, "id": story}
            )
    return Match("facebook")


def _instagram(parts: list[str]) -> Match:
    if len(parts) >= 2 and parts[0] in {"p", "reel", "tv"} and _full(_IG_CODE, parts[1]):
        return Match("instagram", {"kind": "instagram", "id": parts[1]})
    return Match("instagram")


def _threads(parts: list[str]) -> Match:
    if len(parts) >= 3 and parts[0].startswith("@") and parts[1] == "post":
        user, code = parts[0][1:], parts[2]
        if _full(_THREADS_USER, user) and _full(_IG_CODE, code):
            return Match("threads", {"kind": "threads", "user": user, "id": code})
    return Match("threads")


def _x(parts: list[str]) -> Match:
    if (
        len(parts) >= 3
        and parts[1] == "status"
        and _full(_X_USER, parts[0])
        and _full(_DIGITS, parts[2])
    ):
        return Match("x", {"kind": "x", "user": parts[0], "id": parts[2]})
    if len(parts) >= 4 and parts[:3] == ["i", "web", "status"] and _full(_DIGITS, parts[3]):
        return Match("x", {"kind": "x", "id": parts[3]})
    return Match("x")


def match(url: str) -> Match | None:
    """The allow-listed provider of an http(s) URL and its canonical embed, or None."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or port not in (None, 80, 443):
        return None
    path = _segments(parts.path)
    query = parse_qs(parts.query)
    if host in _HOSTS["youtube"] | _HOSTS["youtu.be"] | _HOSTS["youtube-nocookie"]:
        return _youtube(host, path, query)
    if host in _HOSTS["vimeo"]:
        return _vimeo(host, path)
    if host in _HOSTS["facebook"] or host == "fb.watch":
        return _facebook(path, query)
    if host in _HOSTS["instagram"]:
        return _instagram(path)
    if host in _HOSTS["threads"]:
        return _threads(path)
    if host in _HOSTS["x"]:
        return _x(path)
    if host in _HOSTS["ptt"]:
        ok = len(path) == 3 and path[0] == "bbs" and _full(_PTT_BOARD, path[1])
        return Match("ptt") if ok and _full(_PTT_ARTICLE, path[2]) else None
    if host in _HOSTS["dcard"]:
        ok = len(path) >= 4 and path[0] == "f" and path[2] == "p" and _full(_DIGITS, path[3])
        return Match("dcard") if ok and _full(_DCARD_FORUM, path[1]) else None
    return None


def embed_src(embed: dict[str, Any] | None) -> str | None:
    """The iframe address for a canonical embed, rebuilt from its validated ids only."""
    if not isinstance(embed, dict):
        return None
    kind = embed.get("kind")
    ident = embed.get("id")
    if not isinstance(ident, str):
        return None
    if kind == "youtube" and _full(_YOUTUBE_ID, ident):
        start = embed.get("start")
        suffix = f"?start={start}" if isinstance(start, int) and 0 < start < 86400 else ""
        return f"https://www.youtube-nocookie.com/embed/{ident}{suffix}"
    if kind == "vimeo" and _full(_DIGITS, ident):
        return f"https://player.vimeo.com/video/{ident}?dnt=1"
    if kind == "facebook" and embed.get("type") in {"post", "video"}:
        href = facebook_href(embed)
        if href is None:
            return None
        plugin = "post.php" if embed["type"] == "post" else "video.php"
        return f"https://www.facebook.com/plugins/{plugin}?href={quote(href, safe='')}&show_text=true&width=500"
    if kind == "instagram" and _full(_IG_CODE, ident):
        return f"https://www.instagram.com/p/{ident}/embed/"
    if kind == "threads" and _full(_IG_CODE, ident) and _full(_THREADS_USER, embed.get("user")):
        return f"https://www.threads.net/@{embed['user']}/post/{ident}/embed"
    if kind == "x" and _full(_DIGITS, ident):
        return f"https://platform.twitter.com/embed/Tweet.html?id={ident}&dnt=true"
    return None


def facebook_href(embed: dict[str, Any]) -> str | None:
    """The canonical facebook.com address of a post or video embed (the plugin's `href`)."""
    ident, page = embed.get("id"), embed.get("page")
    if embed.get("type") == "post" and _full(_FB_POST, ident) and _full(_FB_NAME, page):
        return f"https://www.facebook.com/{page}/posts/{ident}"
    if embed.get("type") == "video" and _full(_DIGITS, ident):
        if page is None:
            return f"https://www.facebook.com/watch/?v={ident}"
        if _full(_FB_NAME, page):
            return f"https://www.facebook.com/{page}/videos/{ident}"
    return None


# Known oEmbed endpoints (JSON) for providers whose pages need a browser to show metadata.
# Only title, author and thumbnail are read from them, never their `html`.
OEMBED_ENDPOINTS = {
    "youtube": "https://www.youtube.com/oembed?format=json&url=",
    "vimeo": "https://vimeo.com/api/oembed.json?url=",
    "x": "https://publish.twitter.com/oembed?omit_script=true&dnt=true&url=",
}


def oembed_url(provider: str, url: str) -> str | None:
    """The provider's own oEmbed JSON address for `url`, when it has a public one."""
    base = OEMBED_ENDPOINTS.get(provider)
    return base + quote(url, safe="") if base else None
