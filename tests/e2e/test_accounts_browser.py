"""A newcomer's account in a real browser: register with the privacy notice, read the
verification mail from the loopback SMTP server, verify, comment, forget the password and reset
it through the mailed link (which signs the other browser out)."""

from __future__ import annotations

import re

import pytest

from tests.mailbox import html_of, links

pytestmark = pytest.mark.browser
EMAIL = "reader@example.tw"


def log_in(page, url: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url + "/login")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(password)
    page.locator("form button[type=submit]").click()


def test_register_verify_comment_and_reset_the_password_by_mail(browser, live_server, mailbox):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="zh-TW")
    page = context.new_page()

    page.goto(live_server + "/register")
    assert page.get_by_text("個人資料蒐集告知事項").count() >= 1
    page.locator("#email").fill(EMAIL)
    page.locator("#display_name").fill("認真的讀者")
    page.locator("#password").fill("123456789")  # among the most common: refused, clearly
    page.locator("#consent").check()
    page.locator("form button[type=submit]").click()
    assert page.get_by_text("最常見的密碼之一").count() == 1
    page.locator("#password").fill("a careful passphrase")
    page.locator("#consent").check()
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.get_by_text("驗證").count() >= 1
    log_in(page, live_server, "a careful passphrase")
    page.wait_for_url(live_server + "/")

    # Unverified: the thread reads, but the form explains and offers to resend.
    page.goto(live_server + "/threads/1")
    assert page.locator("#body-new").count() == 0
    assert page.get_by_role("button", name="重新寄送連結").count() >= 1

    [mail] = mailbox.wait_for(EMAIL)
    assert "驗證" in mail["Subject"] and links(mail)[0] in html_of(mail)
    page.goto(links(mail)[0])
    assert page.get_by_text("電子郵件地址已驗證").count() >= 1

    page.goto(live_server + "/threads/1")
    page.locator("#body-new").fill("驗證之後終於可以留言了。")
    page.locator("form.comment-form button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert page.locator("article.comment", has_text="驗證之後終於可以留言了").count() == 1

    # Another browser stays logged in until the password is reset.
    other = browser.new_context(locale="zh-TW").new_page()
    log_in(other, live_server, "a careful passphrase")
    other.wait_for_url(live_server + "/")

    # 忘記密碼, from a logged-out browser.
    page.locator("form[action='/logout'] button").click()
    page.goto(live_server + "/login")
    page.get_by_role("link", name="忘記密碼？").click()
    page.locator("#email").fill(EMAIL)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login"))
    assert page.get_by_text("若此地址有帳號").count() == 1

    reset = mailbox.wait_for(EMAIL, count=2)[-1]
    assert "重設" in reset["Subject"]
    link = links(reset)[0]
    page.goto(link)
    page.locator("#password").fill("a newer passphrase")
    page.locator("#confirm").fill("a newer passphrase")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/login"))

    # The link is single-use, the other browser is signed out, the new password works.
    page.goto(link)
    assert page.get_by_text("此連結已使用過").count() == 1
    other.goto(live_server + "/me")
    assert "/login" in other.url
    log_in(page, live_server, "a newer passphrase")
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/me")
    assert page.get_by_role("heading", name="認真的讀者").count() == 1
    context.close()
