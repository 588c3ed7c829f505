"""Theme settings in a browser: staff give seed themes in the workspace, a malformed line is
refused with their text kept, and the next analysis names its themes after the seeds."""

from __future__ import annotations

from .test_outcome_loop import EV_TITLE, _login, _shot

SEEDS = [
    "購車補助與申請資格：補助、金額、申請資格、排富",
    "換電與充電規格：換電、換電站、充電樁、規格",
    "電池回收與環境：回收、廢電池、環境、污染",
]


def test_staff_guide_the_analysis_with_seed_themes(browser, threaded_live_server):
    base = threaded_live_server
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-TW")
    page = context.new_page()
    _login(page, base, "staff@demo.zhongyi.tw")
    page.goto(base + "/")
    page.click(f"text={EV_TITLE}")
    page.click("text=意見主題（分析）")
    page.wait_for_selector("#theme-settings")

    # A line without a colon: refused, with the line number, and what was typed stays.
    typed = "\n".join([*SEEDS, "電價與電網負載"])
    page.fill("#seed_themes", typed)
    with page.expect_navigation():
        page.click("#theme-settings button[type=submit]")
    assert "預設主題第 4 行" in page.locator("#theme-settings [role=alert]").inner_text()
    assert page.input_value("#seed_themes") == typed

    # Fixed: saved, and the next run is guided by the seeds.
    page.fill("#seed_themes", "\n".join([*SEEDS, "電價與電網負載：電價、電網、台電、離峰"]))
    with page.expect_navigation():
        page.click("#theme-settings button[type=submit]")
    assert "主題設定已儲存" in page.locator("main").inner_text()
    page.locator("#theme-settings").scroll_into_view_if_needed()
    _shot(page, "theme-settings.png")
    page.click("form button:has-text('開始分析')")
    page.wait_for_selector("li.aw-theme", timeout=90_000)
    labels = page.locator("li.aw-theme h3 a").all_inner_texts()
    named = [name.split("：")[0] for name in SEEDS] + ["電價與電網負載"]
    assert len(set(labels) & set(named)) >= 3, labels
    assert "依 4 個預設主題引導" in page.locator(".aw-meta").inner_text()
    context.close()
