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
- Linkify is off: it needs linkify-it-py (not a dependency), and CommonMark autolinks
  (``<https://example.org>``) already let users link a bare URL on purpose.
- Length limits are not this module's job.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import bleach
import html5lib
from bleach.html5lib_shim import Filter
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


# "html": False makes user-typed HTML literal text; "breaks": True turns single newlines into <br>,
# which is how people write Chinese comments (no blank line between thoughts).
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
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
