"""The one place that turns user text into safe HTML.

Every piece of user text (comments, consultation bodies, display names shown as HTML) goes through
``render_markdown``; stored or third-party HTML is re-sanitised with ``sanitize_html``. Both end in the
same bleach ``Cleaner``, so the output of either is a fixed point of ``sanitize_html``.

Policy decisions:

- Links: only absolute ``http:``, ``https:`` and ``mailto:`` hrefs survive. Relative, fragment and
  protocol-relative (``//host``) links are dropped too: a comment has no business pointing inside the
  site by a path we might later reuse, and "absolute or nothing" leaves no parser ambiguity to exploit.
  A dropped href leaves the link text in place (an inert ``<a>``).
- Every ``<a>`` gets ``rel="nofollow ugc noopener noreferrer"``; ``target`` is not allowed.
- Images are not allowed: a markdown image renders as its alt text (escaped), so the words survive
  and no third-party request is made from a reader's browser.
- Raw HTML typed in markdown is shown as text (escaped), never silently removed.
- Linkify is on for bare ``http://`` and ``https://`` URLs only (linkify-it-py through
  markdown-it-py; no ``www.``-style fuzzy links, no bare e-mail addresses, no ``ftp:`` or ``//``).
  Chinese writers put a URL straight against their text ("請看https://youtu.be/abc，謝謝"), so a
  linkified URL ends at the first full-width punctuation mark, and at the first CJK character
  that follows a Latin one inside a path segment ("…/abc謝謝" ends before 謝謝, while
  "…/wiki/臺灣" keeps 臺灣). The link then goes through the same cleaner as every other link.
- Length limits are not this module's job.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import bleach
import html5lib
from bleach.html5lib_shim import Filter
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"

# C0 controls, space, DEL, C1 controls and the invisible characters people use to split a scheme
# ("java\u200bscript:"). Browsers strip some of these from URLs; removing all of them before the
# check means we never accept something a browser might read differently from us.
_INVISIBLE = re.compile("[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SAFE_HREF = re.compile(r"^(?:https?|mailto):")


def _is_safe_href(value: str) -> bool:
    """Whether an href is an absolute http, https or mailto URL, however it is encoded."""
    # Decode until stable: "&amp;#106;avascript:" must not slip past as "&#106;avascript:".
    previous = None
    while value != previous:
        previous, value = value, html.unescape(value)
    return bool(_SAFE_HREF.match(_INVISIBLE.sub("", value).lower()))


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    # bleach also checks protocols itself, but lets "javascript:1" (parsed as host:port) and
    # "java&#x09;script:" (no scheme to its eyes, "javascript:" to a browser's) through.
    if tag != "a":
        return False
    if name == "href":
        return _is_safe_href(value)
    return name in {"title", "rel"}


class _LinkRelFilter(Filter):
    """Set the one ``rel`` on every link, replacing whatever the input carried."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = {k: v for k, v in token["data"].items() if k != (None, "rel")}
                # Appended last so a second pass yields the same attribute order (idempotence).
                attrs[(None, "rel")] = LINK_REL
                token["data"] = attrs
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_LinkRelFilter],
)


def _render_image_as_alt(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return html.escape(
        self.renderInlineAsText(tokens[idx].children or [], options, env), quote=False
    )


_LINKED_SCHEMAS = ("http:", "https:")
_SEGMENT_START = frozenset("/=?&#")


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and unicodedata.category(ch).startswith("L")


def _is_full_width_mark(ch: str) -> bool:
    return ord(ch) >= 0x2E80 and not unicodedata.category(ch).startswith(("L", "N"))


def url_end(url: str) -> int:
    """Where a URL found in running Chinese text really ends (see the module's policy)."""
    start = url.find("://") + 3
    for i in range(start, len(url)):
        ch, before = url[i], url[i - 1]
        if _is_full_width_mark(ch):
            return len(url[:i].rstrip(".,;:!?'\""))
        if _is_cjk(ch) and before not in _SEGMENT_START and not _is_cjk(before):
            return len(url[:i].rstrip(".,;:!?'\""))
    return len(url)


class _BareUrls(LinkifyIt):
    """linkify-it limited to bare http(s) URLs, cut where Chinese text resumes.

    markdown-it calls `match_at_start` at each "://" (its inline rule) and `match` on text
    tokens (its core rule); both answers go through `_trim`."""

    def __init__(self) -> None:
        super().__init__(options={"fuzzy_email": False, "fuzzy_ip": False})
        for schema in ("ftp:", "//", "mailto:"):
            self.add(schema, None)

    @staticmethod
    def _trim(link: Any) -> Any:
        if link is None or link.schema not in _LINKED_SCHEMAS:
            return None  # fuzzy "example.com" and other schemes stay text
        end = url_end(link.raw)
        if end < len(link.raw):
            link.raw = link.text = link.url = link.raw[:end]
            link.last_index = link.index + end
        return link

    def match_at_start(self, text: str) -> Any:
        return self._trim(super().match_at_start(text))

    def match(self, text: str) -> list[Any] | None:
        kept = [m for m in (self._trim(link) for link in super().match(text) or []) if m]
        return kept or None


# "html": False makes user-typed HTML literal text; "breaks": True turns single newlines into <br>,
# which is how people write Chinese comments (no blank line between thoughts).
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True})
_markdown.linkify = _BareUrls()
_markdown.enable("linkify")
_markdown.add_render_rule("image", _render_image_as_alt)


def sanitize_html(html_text: str) -> str:
    """Clean HTML down to the allow-list, with safe links only; idempotent."""
    return _cleaner.clean(html_text)


def render_markdown(raw: str) -> str:
    """Render user markdown to safe HTML (the path for every user text)."""
    # markdown-it ends every block with "\n"; the last one is only noise in a template.
    return sanitize_html(_markdown.render(raw).removesuffix("\n"))


# Breaking elements get a space so "<p>甲</p><p>乙</p>" does not read as one word to the tokenizer.
_BREAKING = frozenset({"p", "br", "li", "ul", "ol", "blockquote", "pre", "div", "tr", "td", "th"})
_SKIPPED = frozenset({"script", "style", "template", "noscript"})


def plain_text(text: str) -> str:
    """Tags stripped, entities decoded, whitespace collapsed: for previews and analysis.

    The result is text, not HTML: a template must still escape it (Jinja does by default).
    Raw markdown may be passed too; its markup characters are kept as typed.
    """
    root = html5lib.parseFragment(text, treebuilder="etree", namespaceHTMLElements=False)
    parts: list[str] = []

    def walk(element: Any) -> None:
        # Comments (non-str tag) and script-like elements hold code, not content; their tail is content.
        tag = element.tag if isinstance(element.tag, str) else "script"
        if tag in _SKIPPED:
            parts.append(" ")
        else:
            parts.append(element.text or "")
            for child in element:
                walk(child)
        if tag in _BREAKING:
            parts.append(" ")
        parts.append(element.tail or "")

    walk(root)
    return " ".join("".join(parts).split())


_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_line(text: str) -> str:
    """A single-line field (display name, title): invisible and control characters removed,
    whitespace collapsed. Kept as text; Jinja escapes it wherever it is shown."""
    return " ".join(_LINE_CONTROLS.sub(" ", text or "").split())
