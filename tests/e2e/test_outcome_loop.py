"""The outcome loop in a browser, from the demo's raw comments to a reviewer's decision.

Staff run the analysis (a real background thread, as `make run` does), curate a theme, answer
and publish every theme, download the DOCX outcome section and send the plan for review; the
reviewer sees every checklist item pass and accepts; the public page shows what was done.
"""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document

from app.demo import DEMO_PASSWORD

ARTIFACTS = Path(__file__).parent / "artifacts"
EV_TITLE = "電動機車購車補助與充電設施推動方案（草案）"
RENAMED = "購車補助：金額與申請資格"


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.content()[:500]


def _shot(page, name: str) -> None:
    """A CI artefact; docs/screenshots/ holds copies of good ones (copied by hand)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_staff_go_from_raw_comments_to_a_docx_outcome_and_a_reviewer_accepts(
    browser, threaded_live_server
):
    base = threaded_live_server
    staff = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-TW"
    )
    page = staff.new_page()
    _login(page, base, "staff@demo.zhongyi.tw")

    # The consultation page leads staff to the theme workspace.
    page.goto(base + "/")
    page.click(f"text={EV_TITLE}")
    page.click("text=意見主題（分析）")
    page.wait_for_selector("text=開始分析")

    # Run the analysis: it runs outside the request; the page follows its progress and shows
    # the snapshot when it is done.
    page.click("form button:has-text('開始分析')")
    page.wait_for_selector("li.aw-theme", timeout=90_000)
    themes = page.locator("li.aw-theme")
    assert themes.count() >= 3
    _shot(page, "workspace.png")

    # Curate: rename the biggest theme and pin one of its comments as a quote.
    first_key = themes.first.locator(".aw-key").inner_text().strip()
    themes.first.locator("h3 a").click()
    page.fill("#aw-label", RENAMED)
    with page.expect_navigation():
        page.click("form:has(#aw-label) button[type=submit]")
    assert RENAMED in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.locator("button:has-text('釘選為引文')").first.click()
    assert page.locator("h2:has-text('釘選引文')").count() == 1, page.locator("main").inner_text()[
        :800
    ]
    _shot(page, "theme.png")

    # Respond to every theme and publish.
    page.goto(base + "/")
    page.click(f"text={EV_TITLE}")
    page.click("text=主題回應")
    page.wait_for_selector("form.response-form")
    keys = [
        (el.get_attribute("id") or "").removeprefix("theme-")
        for el in page.locator("article.theme").element_handles()
    ]
    assert first_key in keys and len(keys) >= 3
    for i, key in enumerate(keys):
        card = page.locator(f"article#theme-{key}")
        card.locator(
            "input[name=disposition][value=%s]" % ("adopted" if i == 0 else "not_adopted")
        ).check()
        card.locator("textarea[name=reasoning]").fill(
            "將提高中低收入戶補助並簡化申請。" if i == 0 else "經評估暫不納入，理由詳見計畫書。"
        )
        card.locator("input[name=responsible_unit]").fill("產業發展處")
        with page.expect_navigation():
            card.locator("button[name=publish]").click()
        assert page.locator(f"article#theme-{key} .badge.published").count() == 1, key
    _shot(page, "responses.png")

    # The plan: section 4 is still empty, and the checklist says so; write it.
    page.click("nav.main-nav >> text=計畫")
    page.click("text=電動機車產業推動中長程個案計畫")
    assert page.locator("#check-plan_changes.fail").count() == 1
    with page.expect_navigation():
        page.click("a.button:has-text('編輯')")
    page.fill(
        "textarea#changes", "- 補助對象納入中低收入戶並簡化申請\n- 充電設施布建列入第二期工作"
    )
    with page.expect_navigation():
        page.click("button:has-text('儲存計畫')")
    assert page.locator("#check-plan_changes.pass").count() == 1
    # Download the DOCX outcome section, then send the plan for review.
    with page.expect_download() as info:
        page.click("text=下載 DOCX")
    docx_path = info.value.path()
    text = "\n".join(p.text for p in Document(docx_path).paragraphs)
    tables = Document(docx_path).tables
    cells = "\n".join(c.text for t in tables for row in t.rows for c in row.cells)
    assert "政策溝通成效" in text
    assert RENAMED in cells or RENAMED in text
    assert "採納" in cells + text and "產業發展處" in cells + text
    assert "充電設施布建列入第二期工作" in text  # section 4, as written
    assert "僅供計畫機關內部參考" not in text  # every response is published
    assert "一、參與概況" in text and "圖1　" in text  # numbered headings, captioned charts
    page.click("summary:has-text('送交審議')")  # the confirmation step
    with page.expect_navigation():
        page.click("button:has-text('確定送交審議')")

    # The reviewer: every checklist item passes; the decision is recorded with its history.
    reviewer = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="zh-TW")
    rpage = reviewer.new_page()
    _login(rpage, base, "reviewer@demo.zhongyi.tw")
    rpage.click("nav.main-nav >> text=計畫")
    with rpage.expect_navigation(wait_until="load"):
        rpage.click("text=電動機車產業推動中長程個案計畫")
    items = rpage.locator("#checklist li.check-item")
    assert items.count() >= 6
    failed = rpage.locator("#checklist li.fail")
    assert failed.count() == 0, failed.all_inner_texts()
    rpage.locator("#checklist").scroll_into_view_if_needed()
    _shot(rpage, "checklist.png")
    rpage.check("input[name=decision][value=accept]")
    with rpage.expect_navigation():
        rpage.click("button:has-text('登錄決定')")
    assert re.search("核定|通過|接受", rpage.locator("main").inner_text())

    # Everyone: the consultation page says what was said and what was done.
    public = browser.new_context(locale="zh-TW").new_page()
    public.goto(base + "/")
    with public.expect_navigation(wait_until="load"):
        public.click(f"text={EV_TITLE}")
    body = public.locator("main").inner_text()
    assert RENAMED in body and "將提高中低收入戶補助並簡化申請。" in body
    staff.close()
    reviewer.close()
