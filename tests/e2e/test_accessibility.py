"""Every page of the demo, for every role, at 1280 and 390 px: axe-core finds no serious or
critical violation, and no page scrolls sideways on a phone (docs/accessibility.md).

axe-core is vendored (tests/e2e/vendor/axe-core/, MPL-2.0, from the npm package) and injected
into each page; nothing is fetched from the network. One browser, one context per role and
width, each page visited once per context. The audit runs once per module; the tests below read
its findings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from app import create_app
from app.analysis_web.jobs import execute
from app.demo import DEMO_PASSWORD, load
from app.extensions import db
from config import TestingConfig
from deliberation.models import Consultation, User
from deliberation.services import analysis_runs
from tests.databases import isolated_database_url
from tests.focus_groups.helpers import seed_for_pages

from .a11y_pages import EMAILS, NOT_PAGES, PAGES, ROLES, Page, demo_ids, pages_for
from .livesite import NOT_LOOPBACK, serving

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).parent / "artifacts"  # CI artefacts; docs/screenshots holds copies
WIDTHS = {"desktop": 1280, "phone": 390}
# WCAG 2.2 A/AA (target size included) and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")
# Rules the issue named, kept out at any impact.
ALWAYS_FAIL = ("aria-allowed-role", "select-name", "target-size")

AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
WIDTH_CHECK = """() => {
  const doc = document.documentElement;
  if (doc.scrollWidth <= window.innerWidth) return null;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    const box = el.getBoundingClientRect();
    return box.right > window.innerWidth + 1 && box.width > 0;
  }).slice(0, 4).map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
  return {width: doc.scrollWidth, wide};
}"""


@dataclass
class Audit:
    violations: list[str] = field(default_factory=list)
    overflows: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visited: int = 0


def _login(page, base: str, role: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login")
    page.locator("#email").fill(EMAILS[role])
    page.locator("#password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{role} could not log in"


def _demo_app(database_url: str):  # type: ignore[no-untyped-def]
    app = create_app(
        TestingConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        WTF_CSRF_ENABLED=True,
        PUBLIC_STATE_AUTOCOMMIT=True,
    )
    with app.app_context():
        db.create_all()
        load(db.session)
        db.session.commit()
        ids = demo_ids(db.session)
        # The theme workspace and theme page show a finished analysis of the closed consultation.
        ev = db.session.get(Consultation, ids["ev"])
        run, _created = analysis_runs.start_run(db.session, ev, actor=None, system=True)
        db.session.commit()
        execute(db.session, run.id)
        db.session.commit()
        ids = demo_ids(db.session)
        # The focus group's session and invitation pages need a drawn panel (not in the demo).
        staff = db.session.scalar(select(User).where(User.email == EMAILS["staff"]))
        ids |= seed_for_pages(db.session, ids["draft"], staff, app.config["SECRET_KEY"])
        db.session.commit()
        db.session.remove()
    return app, ids


def _check(page, base: str, item: Page, ids: dict, role: str, width: int, found: Audit) -> None:  # type: ignore[no-untyped-def]
    """Open one page; note its axe violations and, on a phone, whether it scrolls sideways."""
    where = f"{item.path.format(**ids)} as {role} at {width} px"
    response = page.goto(base + item.path.format(**ids))
    found.visited += 1
    if response is None or response.status != item.status:
        found.errors.append(f"{where}: HTTP {response.status if response else 'no response'}")
        return
    for v in page.evaluate(AXE_RUN, AXE_TAGS):
        if v["impact"] in FAILING_IMPACTS or v["id"] in ALWAYS_FAIL:
            found.violations.append(
                f"{where}: {v['impact']} {v['id']} ({v['help']}) at {'; '.join(v['targets'])}"
            )
    if width == WIDTHS["phone"]:
        if item.shot and role == item.roles[-1]:  # one screenshot a page: its last role's view
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"phone-{item.shot}.png"))
        overflow = page.evaluate(WIDTH_CHECK)
        if overflow:
            found.overflows.append(
                f"{where}: {overflow['width']} px wide, past the edge: {', '.join(overflow['wide'])}"
            )


# Session scope: the audit is data once made (the site is gone when it yields). With module
# scope, xdist's loadgroup ran another module's test between these three and the audit
# (about 105 s) was made twice.
@pytest.fixture(scope="session")
def audit(tmp_path_factory, chromium) -> Iterator[Audit]:
    script = AXE.read_text(encoding="utf-8")
    found = Audit()
    with isolated_database_url(tmp_path_factory.mktemp("a11y")) as url:
        app, ids = _demo_app(url)
        with serving(app) as base:
            browser = chromium  # the session's Chromium (tests/plugins/browser.py)
            for role in ROLES:
                state = None  # the login is shared by the role's two widths
                for width in WIDTHS.values():
                    context = browser.new_context(
                        viewport={"width": width, "height": 900},
                        locale="zh-TW",
                        storage_state=state,
                    )
                    context.route(NOT_LOOPBACK, lambda route: route.abort())
                    context.add_init_script(script)  # each page, past its CSP, before its scripts
                    page = context.new_page()
                    if role != "anonymous" and state is None:
                        _login(page, base, role)
                        state = context.storage_state()
                    for item in pages_for(role):
                        _check(page, base, item, ids, role, width, found)
                    context.close()
    yield found


def test_every_listed_page_opens_for_its_roles(audit):
    assert audit.visited >= 2 * len(PAGES)
    assert not audit.errors, "\n".join(audit.errors)


def test_no_page_has_a_serious_or_critical_axe_violation(audit):
    assert not audit.violations, "\n".join(audit.violations)


def test_no_page_scrolls_sideways_on_a_390px_phone(audit):
    assert not audit.overflows, "\n".join(audit.overflows)


def test_every_html_page_is_listed():
    """A new GET page joins PAGES (tests/e2e/a11y_pages.py), or NOT_PAGES if it is no page."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    listed = {p.endpoint for p in PAGES}
    missing = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and not rule.rule.startswith("/api/")
        and rule.endpoint not in listed | NOT_PAGES
    )
    assert not missing, f"add these pages to tests/e2e/a11y_pages.py: {missing}"
