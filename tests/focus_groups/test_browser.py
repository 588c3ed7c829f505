"""The whole 座談會 path in a browser, on the demo (issue 18's "done when").

Citizens volunteer (one through a mailed signed link, without an account), staff set the
quotas, draw the panel and download its audit record, which replays to the same panel; staff
schedule a session, mail the panel, record who came and type the notes; citizens answer the
demo's quick poll with its background questions and staff see its unweighted and weighted
results; staff enter the population margins of the focus group's consultation; the analysis puts
the statements in themes marked 座談會, and the outcome DOCX has both subsections of the issue,
（五）民調與代表性 and （六）政策提案座談會.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import create_engine, text

from app.demo import DEMO_PASSWORD
from app.demo.content import TITLE as POLL_CONSULTATION
from app.demo.polls import TITLE as POLL_TITLE
from deliberation.focus_groups import lottery
from tests.e2e.livesite import wait_live
from tests.mailbox import links

pytestmark = pytest.mark.browser

EV_TITLE = "電動機車購車補助與充電設施推動方案（草案）"
PLAN = "電動機車產業推動中長程個案計畫"
QUOTAS = """category,feature,min,max
性別,女,2,2
性別,男,2,2
年齡,18-39,1,3
年齡,40+,1,3
"""
VOLUNTEERS = {  # demo citizens and their answers
    "amei@demo.zhongyi.tw": ("女", "18-39"),
    "jianhong@demo.zhongyi.tw": ("男", "40+"),
    "yuting@demo.zhongyi.tw": ("女", "40+"),
    "citizen@demo.zhongyi.tw": ("男", "18-39"),
    "hao@demo.zhongyi.tw": ("男", "40+"),
}
GUEST = "guest@example.tw"
# The demo poll's answers given here: (account, support, cares about, urgency 1–5, age, gender,
# what the site says). 示範民眾 answers for the first time; 阿美 (who answered in the demo data)
# changes her answers.
RESPONDENTS = [
    ("citizen@demo.zhongyi.tw", "支持", "民眾參與", "5", "65 歲以上", "女", "謝謝您：答案已記錄。"),
    ("amei@demo.zhongyi.tw", "不支持", "跨機關協調", "2", "40-64 歲", "女", "答案已更新。"),
]
# The population of the focus group's consultation, in the categories of its quotas.
MARGINS = """category,feature,percent
性別,女,51
性別,男,49
年齡,18-39,40
年齡,40+,60
"""
SEED = "20261205"
STATEMENTS = [
    "充電站應該設在社區停車場，夜間充電比較方便。",
    "購車補助金額要提高，中低收入戶才買得起電動機車。",
    "電池交換站要普及到偏鄉，不然沒辦法騎遠。",
    "補助申請流程太複雜，應該簡化並且線上辦理。",
]


def _login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "/login" not in page.url, page.content()[:500]


def _choose(page, answers: tuple[str, str]) -> None:
    for value in answers:  # each answer is a choice of exactly one category's list
        page.locator(f"select:has(option[value='{value}'])").select_option(value)
    page.check("input[name=consent]")
    with page.expect_navigation():
        page.click("form.card button[type=submit]")


def set_up(page, base: str) -> str:
    """Staff open the consultation's focus group and set its size, retention and quotas."""
    page.goto(base + "/")
    page.click(f"text={EV_TITLE}")
    with page.expect_navigation():
        page.click(".staff-tools >> text=座談會")
    page.fill("#panel_size", "4")
    page.fill("#retain_until", "2099-12-31")
    with page.expect_navigation():
        page.click("form:has(#panel_size) button[type=submit]")
    page.fill("#quotas_csv", QUOTAS)
    with page.expect_navigation():
        page.click("form:has(#quotas_csv) button[type=submit]")
    assert page.locator("table.figures td:has-text('40+')").count() == 1
    return page.url


def volunteers_register(browser, base: str, staff_page, mailbox) -> None:
    """Five citizens volunteer with their accounts; a guest through a signed link."""
    for email, answers in VOLUNTEERS.items():
        page = browser.new_context(locale="zh-TW").new_page()
        _login(page, base, email)
        page.goto(base + "/")
        page.click(f"text={EV_TITLE}")
        with page.expect_navigation():
            page.click("text=政策提案座談會")
        _choose(page, answers)
        assert page.locator(".focus-status").count() == 1, page.locator("main").inner_text()[:500]
    staff_page.fill("#addresses", GUEST)
    with staff_page.expect_navigation():
        staff_page.click("form:has(#addresses) button[type=submit]")
    [message] = mailbox.wait_for(GUEST)
    link = next(x for x in links(message) if "/focus-groups/invitation/" in x)
    guest = browser.new_context(locale="zh-TW").new_page()  # no account, no log-in
    guest.goto(base + link[link.index("/focus-groups/") :])
    _choose(guest, ("女", "18-39"))
    assert guest.locator(".focus-status").count() == 1


def draw_and_replay(staff_page, database_url: str) -> list[str]:
    """The draw, then its audit record replayed from the pool gives the same panel."""
    staff_page.fill("#seed", SEED)
    with staff_page.expect_navigation():
        staff_page.click("form:has(#seed) button[type=submit]")
    assert staff_page.locator(".min-probability").count() == 1, staff_page.content()[:2000]
    with staff_page.expect_download() as info:
        staff_page.click("text=下載稽核紀錄")
    record = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert record["pool_size"] == 6 and len(record["panel"]) == 4
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT pool_id, attributes FROM focus_volunteers")).all()
    engine.dispose()
    pool = {pid: (json.loads(a) if isinstance(a, str) else a) for pid, a in rows if a is not None}
    panel, differences = lottery.replay(record, pool)
    assert differences == [] and panel == record["panel"]
    return record["panel"]


def _statement_marks(page) -> list[tuple[str, str]]:
    """What a reader sees of each focus-group statement: its origin marker and its no-vote
    line (and no vote buttons)."""
    marks = []
    for article in page.locator("article.comment:has(.badge-focus-group)").all():
        assert article.locator("form.vote-form, .vote-counts").count() == 0
        origin = " ".join(article.locator(".meta > .origin").inner_text().split())
        marks.append((origin, article.locator(".focus-no-vote").inner_text().strip()))
    return marks


def hold_session(browser, base: str, staff_page, mailbox) -> None:
    """Schedule, mail the panel, record attendance, type the notes; a citizen reading the
    thread sees the statements arrive live marked as on a page the server renders."""
    staff_page.fill("#starts_at", "2099-01-05T14:00")
    staff_page.fill("#place", "交通部 5 樓會議室")
    staff_page.fill("#facilitator", "王主持")
    staff_page.fill("#agenda", "一、充電設施\n二、購車補助")
    with staff_page.expect_navigation():
        staff_page.click("form:has(#starts_at) button[type=submit]")
    assert "/sessions/" in staff_page.url
    with staff_page.expect_navigation():
        staff_page.click("text=寄送座談會邀請給成員")
    invited = [m for m in mailbox.messages if "座談會通知" in str(m["Subject"])]
    assert len(invited) == 4  # every member has an address: an account or the link's
    for box in staff_page.locator("table.focus-attendance input[type=checkbox]").all():
        box.check()
    with staff_page.expect_navigation():
        staff_page.click("text=儲存出席紀錄")
    notes = "\n".join(
        f"參與者 {label}：{said}" for label, said in zip("ABCD", STATEMENTS, strict=True)
    )
    thread = staff_page.locator("dd:has(a[href^='/threads/']) a").get_attribute("href")
    reader = browser.new_context(locale="zh-TW").new_page()
    _login(reader, base, "amei@demo.zhongyi.tw")
    reader.goto(f"{base}{thread}?sort=newest")  # the thread has 220 comments: newest first
    wait_live(reader)
    staff_page.fill("#notes", "主持人：歡迎大家。\n" + notes)
    with staff_page.expect_navigation():
        staff_page.click("text=加入發言")
    assert staff_page.locator("ol.focus-statements li").count() == 4
    reader.locator("article.comment .focus-no-vote").nth(3).wait_for(timeout=10_000)
    live = _statement_marks(reader)
    assert len(live) == 4, live
    assert all("座談會" in o and n == "座談會上的發言：不開放投票。" for o, n in live), live
    reader.reload()
    assert _statement_marks(reader) == live


def answer_the_poll(browser, base: str) -> None:
    """Citizens answer the demo consultation's quick poll, background questions and consent."""
    for email, support, cares, urgency, age, gender, thanks in RESPONDENTS:
        page = browser.new_context(locale="zh-TW").new_page()
        _login(page, base, email)
        page.goto(base + "/")
        page.click(f"text={POLL_CONSULTATION}")
        with page.expect_navigation():
            page.click(f"section.poll-card a:has-text('{POLL_TITLE}')")
        questions = page.locator("fieldset")
        questions.nth(0).locator(f"label:has-text('{support}') input").first.check()
        for box in questions.nth(1).locator("input[type=checkbox]").all():
            box.uncheck()  # a changed answer starts from the one given before
        questions.nth(1).locator(f"label:has-text('{cares}') input").check()
        questions.nth(2).locator(f"label:has-text('{urgency}') input").check()
        if page.locator("details.poll-background[open]").count() == 0:  # open if answered
            page.click("details.poll-background summary")
        page.select_option("#demo_0", age)
        page.select_option("#demo_1", gender)
        page.check("input[name=consent]")
        with page.expect_navigation():
            page.click("form.poll-form button[type=submit]")
        assert thanks in page.content(), page.locator("main").inner_text()[:500]
        assert page.locator("p.poll-mine").count() == 1


def see_poll_results(staff_page, base: str) -> None:
    """Staff see the poll's unweighted and weighted shares, design effect and margins of error,
    and the respondents beside the population."""
    staff_page.goto(base + "/")
    staff_page.click(f"text={POLL_CONSULTATION}")
    with staff_page.expect_navigation():
        staff_page.click(".staff-tools >> text=民調")
    results = staff_page.locator("section.poll-results")
    assert "共 6 人填答" in results.inner_text(), results.inner_text()[:500]  # 5 demo + 1 new
    assert results.locator("th:has-text('未加權')").count() == 3
    assert results.locator("th:has-text('加權後')").count() == 3
    assert float(results.locator("dd.poll-deff").inner_text()) >= 1.0
    raw = results.locator("td.raw").first.inner_text()
    weighted = results.locator("td.weighted").first.inner_text()
    assert raw.endswith("%") and weighted.endswith("%") and raw != weighted
    assert results.locator("td.moe").first.inner_text().startswith("±")
    table = staff_page.locator("table.representativeness-table")
    assert table.locator("th:has-text('65 歲以上')").count() == 1


def enter_margins(staff_page, base: str) -> None:
    """Staff enter the population of the focus group's consultation, so the outcome sets the
    panel beside it."""
    staff_page.goto(base + "/")
    staff_page.click(f"text={EV_TITLE}")
    with staff_page.expect_navigation():
        staff_page.click(".staff-tools >> text=民調")
    staff_page.fill("#margins_csv", MARGINS)
    staff_page.fill("#source", "示範資料")
    with staff_page.expect_navigation():
        staff_page.click("text=儲存人口分布")
    assert staff_page.locator("#poll-error").count() == 0, staff_page.locator(
        "#poll-error"
    ).inner_text()
    table = staff_page.locator("table.representativeness-table")
    assert table.locator("th:has-text('40+')").count() == 1
    panel = table.locator("td[data-kind=focus_group]").first.inner_text()
    assert panel.endswith("%"), panel  # the drawn panel, beside the population


def analyse(staff_page, base: str) -> None:
    """The statements join the theme analysis and are marked 座談會 in the workspace."""
    staff_page.goto(base + "/")
    staff_page.click(f"text={EV_TITLE}")
    staff_page.click("text=意見主題（分析）")
    staff_page.click("form button:has-text('開始分析')")
    staff_page.wait_for_selector("li.aw-theme", timeout=120_000)
    marked = staff_page.locator(".aw-focus-count")
    assert marked.count() >= 1, staff_page.locator("main").inner_text()[:1500]
    with staff_page.expect_navigation():
        marked.first.click()  # the theme's members, only what the focus group said
    members = staff_page.locator("#aw-members-form .aw-member-list > li")
    assert members.count() >= 1
    assert members.locator(".badge-focus-group").count() == members.count()
    assert "參與者" in members.first.inner_text()


def outcome_docx(staff_page) -> str:
    staff_page.click("nav.main-nav >> text=計畫")
    staff_page.click(f"text={PLAN}")
    with staff_page.expect_download() as info:
        staff_page.click("text=下載 DOCX")
    doc = Document(info.value.path())
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    return "\n".join(p.text for p in doc.paragraphs) + "\n" + cells


def test_volunteers_to_a_drawn_panel_and_a_weighted_poll_to_both_subsections_of_the_docx(
    browser, live_server, mailbox, demo_database_url
):
    base = live_server
    staff = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="zh-TW"
    )
    page = staff.new_page()
    _login(page, base, "staff@demo.zhongyi.tw")
    staff_url = set_up(page, base)
    volunteers_register(browser, base, page, mailbox)
    page.goto(staff_url)
    draw_and_replay(page, demo_database_url)
    hold_session(browser, base, page, mailbox)
    answer_the_poll(browser, base)
    see_poll_results(page, base)
    enter_margins(page, base)
    analyse(page, base)
    text_of_docx = outcome_docx(page)
    assert "（五）民調與代表性" in text_of_docx
    assert "本諮詢未辦理民調" in text_of_docx and "座談會成員" in text_of_docx
    assert "（六）政策提案座談會" in text_of_docx
    assert "自 6 位報名者中選出 4 位" in text_of_docx
    assert "參與者 A・座談會" in text_of_docx and STATEMENTS[0] in text_of_docx
