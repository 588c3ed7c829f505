"""The sanitizer: every XSS vector in the shared corpus, and what a commenter would notice."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

import html5lib
import pytest

from deliberation.sanitize import ALLOWED_TAGS, LINK_REL, plain_text, render_markdown, sanitize_html
from tests.datasets import data_path

PAYLOADS_PATH = data_path("xss", "payloads.jsonl")

FORBIDDEN_ELEMENTS = {
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "button",
    "textarea", "select", "link", "meta", "base", "frame", "frameset", "img", "video", "audio",
    "source", "template", "noscript",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset"}
SAFE_URL = re.compile(r"^(?:https?|mailto):")
# Independent of the module's own pattern on purpose: C0, space, DEL, C1 and zero-width characters.
CONTROL = re.compile("[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def _load_payloads() -> list[pytest.param]:
    if not PAYLOADS_PATH.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{PAYLOADS_PATH} is absent"))]
    # split("\n"), not splitlines(): payloads hold raw U+2028 and friends inside JSON strings.
    rows = [
        json.loads(line) for line in PAYLOADS_PATH.read_text("utf-8").split("\n") if line.strip()
    ]
    return [pytest.param(row["payload"], id=row["id"]) for row in rows]


def _normalised_url(value: str) -> str:
    previous = None
    while value != previous:
        previous, value = value, html.unescape(value)
    return CONTROL.sub("", value).lower()


def assert_safe(out: str) -> None:
    """Re-parse as a browser would and check the tree, not the string."""
    fragment = html5lib.parseFragment(out, treebuilder="etree", namespaceHTMLElements=False)
    for element in fragment.iter():
        if not isinstance(element.tag, str):  # comments
            continue
        name = element.tag.rsplit("}", 1)[-1].lower()
        if element is not fragment:
            assert name not in FORBIDDEN_ELEMENTS, out
            assert name in ALLOWED_TAGS, out
        for key, value in element.attrib.items():
            attr = key.rsplit("}", 1)[-1].lower()
            assert not attr.startswith("on"), out
            assert attr in {"href", "title", "rel"}, out
            if attr in URL_ATTRIBUTES or key.lower().endswith("href"):
                assert SAFE_URL.match(_normalised_url(value)), out


# Each payload goes in as a comment body (markdown and raw HTML) and as a link target.
PATHS: dict[str, Callable[[str], str]] = {
    "markdown": render_markdown,
    "html": sanitize_html,
    "markdown-link": lambda p: render_markdown(f"[link]({p})"),
    "html-link": lambda p: sanitize_html(f'<a href="{p}">link</a>'),
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("payload", _load_payloads())
def test_xss_vector_comes_out_inert_and_stable(payload: str, path: str) -> None:
    out = PATHS[path](payload)
    assert_safe(out)
    assert sanitize_html(out) == out


@pytest.mark.parametrize("payload", _load_payloads())
def test_sanitizing_raw_html_twice_gives_the_same_output(payload: str) -> None:
    once = sanitize_html(payload)
    assert sanitize_html(once) == once


def _hrefs(out: str) -> list[str | None]:
    fragment = html5lib.parseFragment(out, treebuilder="etree", namespaceHTMLElements=False)
    return [a.get("href") for a in fragment.iter("a")]


def test_basic_markdown_renders() -> None:
    out = render_markdown(
        "**粗體** *斜體*\n\n- 一\n- 二\n\n1. 甲\n\n> 引用\n\n```\nx = 1\n```\n\n`行內`"
    )
    for fragment in (
        "<strong>粗體</strong>",
        "<em>斜體</em>",
        "<ul>\n<li>一</li>",
        "<ol>\n<li>甲</li>",
        "<blockquote>\n<p>引用</p>\n</blockquote>",
        "<pre><code>x = 1\n</code></pre>",
        "<code>行內</code>",
    ):
        assert fragment in out


def test_a_link_keeps_its_href_and_gets_the_rel() -> None:
    out = render_markdown('[法規](https://law.moj.gov.tw/A?b=1&c=2 "全國法規")')
    assert out == (
        '<p><a href="https://law.moj.gov.tw/A?b=1&amp;c=2" title="全國法規" '
        f'rel="{LINK_REL}">法規</a></p>'
    )


def test_a_mailto_link_is_kept() -> None:
    assert _hrefs(render_markdown("[信箱](mailto:a@example.org)")) == ["mailto:a@example.org"]


def test_rel_and_target_from_raw_html_are_replaced() -> None:
    out = sanitize_html('<a href="https://x.org" rel="opener" target="_blank">x</a>')
    assert out == f'<a href="https://x.org" rel="{LINK_REL}">x</a>'


@pytest.mark.parametrize(
    "raw",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](javascript:1)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_unsafe_markdown_link_loses_its_href_but_keeps_its_text(raw: str) -> None:
    out = render_markdown(raw)
    assert all(href is None for href in _hrefs(out))
    assert "x" in plain_text(out)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:1",  # bleach reads this as host:port and lets it through
        "javascript:123//comment",
        "java&#x09;script:alert(1)",  # bleach sees no scheme; a browser strips the tab
        "java&#x0A;script:alert(1)",
        "&#106;avascript:alert(1)",
        "&amp;#106;avascript:alert(1)",
        "java\u200bscript:alert(1)",
        " \x01javascript:alert(1)",
        "//evil.example/",
        "/relative/path",
        "#fragment",
    ],
)
def test_raw_html_link_with_anything_but_an_absolute_safe_url_loses_its_href(href: str) -> None:
    out = sanitize_html(f'<a href="{href}">x</a>')
    assert out == f'<a rel="{LINK_REL}">x</a>'


def test_script_typed_in_a_comment_is_shown_as_text() -> None:
    out = render_markdown("我覺得 <script>alert(1)</script> 很危險")
    assert out == "<p>我覺得 &lt;script&gt;alert(1)&lt;/script&gt; 很危險</p>"
    assert plain_text(out) == "我覺得 <script>alert(1)</script> 很危險"


def test_markdown_image_becomes_its_alt_text() -> None:
    assert render_markdown("![路線圖 <b>](https://x.org/a.png)") == "<p>路線圖 &lt;b&gt;</p>"


def test_chinese_text_and_emoji_pass_through_unharmed() -> None:
    text = "我支持這項草案，但「第三條」應再議！（附議）😀👍🏽 ——謝謝。"
    assert render_markdown(text) == f"<p>{text}</p>"
    assert sanitize_html(text) == text
    assert plain_text(render_markdown(text)) == text


def test_single_newline_becomes_a_line_break() -> None:
    assert render_markdown("第一行\n第二行") == "<p>第一行<br>\n第二行</p>"


def test_rendered_markdown_is_a_fixed_point_of_sanitize_html() -> None:
    out = render_markdown("**a** [b](https://x.org) <i>c</i>\n> d")
    assert sanitize_html(out) == out


def test_plain_text_strips_tags_decodes_entities_and_collapses_whitespace() -> None:
    html_text = (
        "<p>甲 &amp; 乙<!-- note --></p>\n\n<p>丙<script>x()</script>丁</p><ul><li>戊</li></ul>"
    )
    assert plain_text(html_text) == "甲 & 乙 丙 丁 戊"
