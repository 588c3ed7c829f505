"""Every page of the demo, once, with the roles it is checked for (tests/e2e/test_accessibility.py).

A new page: add one `Page` line. The route check (`test_every_html_page_is_listed`) fails with
the endpoint's name when a GET page exists that is neither listed here nor in NOT_PAGES, so a
new page cannot skip the accessibility check unnoticed.

Paths may use the placeholders of `demo_ids` (ids looked up in the demo database).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.content import TITLE
from app.demo.outcome import TITLE as EV_TITLE
from deliberation.models import Comment, Consultation, Plan, Sanction, Theme, Thread, User
from deliberation.services import consultations

ROLES = ("anonymous", "citizen", "moderator", "staff", "reviewer", "admin")
# Demo accounts (app/demo/content.py) that log in as each role.
EMAILS = {
    "citizen": "citizen@demo.zhongyi.tw",
    "moderator": "moderator@demo.zhongyi.tw",
    "staff": "staff@demo.zhongyi.tw",
    "reviewer": "reviewer@demo.zhongyi.tw",
    "admin": "admin@demo.zhongyi.tw",
}
EVERYONE = ROLES
SIGNED_IN = ROLES[1:]
PUBLIC = ("anonymous", "citizen")  # the same page for the others, minus their own controls
MODERATORS = ("moderator", "admin")
STAFF = ("staff",)
PLAN_READERS = ("staff", "reviewer", "admin")


@dataclass(frozen=True)
class Page:
    path: str
    roles: tuple[str, ...]
    endpoint: str  # the Flask endpoint it renders, for the route check
    status: int = 200  # what the page answers (a refusal page is checked too)
    shot: str = ""  # a phone screenshot (tests/e2e/artifacts/phone-<shot>.png; docs/screenshots)


PAGES: tuple[Page, ...] = (
    Page("/", EVERYONE, "consultations.index", shot="home"),
    Page("/help", ("anonymous", "citizen", "staff"), "consultations.help_page"),
    Page("/help/developers", ("anonymous",), "consultations.developer_help"),
    Page("/api/docs", ("anonymous",), "openapi.docs_page"),
    Page("/rules", PUBLIC, "moderation.rules_page"),
    Page("/login", ("anonymous",), "auth.login"),
    Page("/register", ("anonymous",), "auth.register"),
    Page("/consultations/{draft}", EVERYONE, "consultations.consultation"),
    Page("/consultations/{ev}", PUBLIC, "consultations.consultation"),
    Page(
        "/threads/{general}",
        ("anonymous", "citizen", "moderator", "staff"),
        "consultations.thread",
        shot="thread",
    ),
    Page("/threads/{section}", PUBLIC, "consultations.thread"),
    Page("/comments/{reply}", PUBLIC, "consultations.comment"),
    Page("/comments/{own}/history", PUBLIC, "consultations.history"),
    # The demo's comments are days old: the edit window has passed (a read-only notice, 403).
    Page("/comments/{own}/edit", ("citizen",), "consultations.edit", status=403),
    Page("/consultations/{draft}/transparency", PUBLIC, "moderation.transparency"),
    Page("/embed/consultations/{draft}", ("anonymous",), "social.embed"),
    Page("/me", ("citizen", "moderator"), "auth.profile", shot="me"),
    Page("/me/notices", ("citizen",), "moderation.notices"),
    Page("/moderation/", MODERATORS, "moderation.queue", shot="queue"),
    Page("/moderation/?status=appeals", ("moderator",), "moderation.queue"),
    Page("/moderation/comments/{reply}", MODERATORS, "moderation.comment"),
    Page("/moderation/comments/{hidden}", ("moderator",), "moderation.comment"),
    Page("/moderation/log", MODERATORS, "moderation.log", shot="log"),
    Page("/moderation/users/{muted}", ("moderator",), "moderation.user", shot="user"),
    Page("/moderation/settings", ("admin",), "moderation.site_settings"),
    Page(
        "/moderation/consultations/{draft}/settings",
        ("moderator",),
        "moderation.consultation_settings",
    ),
    Page("/staff/consultations/new", STAFF, "staff.new"),
    Page("/staff/consultations/{draft}/edit", STAFF, "staff.edit"),
    Page("/staff/consultations/{draft}/participation", STAFF, "social.participation"),
    Page("/staff/threads/{general}/import", STAFF, "social.import_page"),
    Page("/staff/consultations/{ev}/themes", STAFF, "analysis_web.workspace", shot="themes"),
    Page("/staff/consultations/{ev}/themes/{theme}", STAFF, "analysis_web.theme_page"),
    Page("/staff/consultations/{ev}/themes/log", STAFF, "analysis_web.edit_log"),
    Page("/staff/consultations/{ev}/responses", STAFF, "plans.responses_page"),
    Page("/plans", PLAN_READERS, "plans.index"),
    Page("/plans/new", STAFF, "plans.new"),
    Page("/plans/{plan}", PLAN_READERS, "plans.detail"),
    Page("/plans/{plan}/edit", STAFF, "plans.edit"),
    Page("/plans/{plan}/outcome", ("reviewer",), "outcome.section"),  # 4 s a visit: once a width
    Page("/transparency", PUBLIC, "moderation.transparency_index"),
    Page("/me/security", ("citizen", "staff"), "trust.security"),
    Page("/me/two-factor/setup", ("citizen",), "trust.my_setup"),
    Page("/me/display-name", ("citizen",), "trust.display_name"),
    Page("/admin/users", ("admin",), "trust_admin.users"),
    Page("/admin/users/{citizen_id}", ("admin",), "trust_admin.user"),
    Page("/admin/reserved-names", ("admin",), "trust_admin.reserved_names"),
    Page("/admin/audit", ("admin",), "trust_admin.audit_log"),
    Page("/forgot-password", ("anonymous",), "accounts.forgot"),
    # A mailed link that is broken or out of date: the refusal page is a page too.
    Page("/reset-password/not-a-token", ("anonymous",), "accounts.reset", status=400),
    Page("/verify-email/not-a-token", ("anonymous",), "accounts.verify", status=400),
    Page("/confirm-email/not-a-token", ("citizen",), "accounts.confirm_email", status=400),
    Page("/privacy", PUBLIC, "accounts.privacy"),
    Page("/privacy/notice", ("anonymous",), "accounts.notice"),
    Page("/me/account", ("citizen",), "accounts.settings"),
    Page("/admin/privacy/policy", ("admin",), "accounts.edit"),
    Page("/plan-link-requests", ("staff",), "plan_links.index"),
    Page("/staff/webhooks", ("staff", "admin"), "webhooks.index"),
    Page("/notifications", ("citizen", "moderator"), "notifications.index"),
    Page("/notifications/settings", ("citizen",), "notifications.settings"),
    # A broken one-click unsubscribe link: its refusal page is a page too.
    Page(
        "/notifications/unsubscribe/not-a-token",
        ("anonymous",),
        "notifications.unsubscribe",
        status=404,
    ),
    Page("/search?q=電動機車", PUBLIC, "search.results"),
    Page("/open-data", PUBLIC, "opendata.index"),
    Page("/open-data/{ev}", PUBLIC, "opendata.dataset"),
    Page("/focus-groups/lottery", PUBLIC, "focus_groups.explain"),
    Page("/consultations/{draft}/focus-group", PUBLIC, "focus_groups.volunteer_page"),
    Page("/staff/consultations/{draft}/focus-group", STAFF, "focus_groups.staff_page"),
    Page("/consultations/{draft}/poll", PUBLIC, "polls.answer_page"),
    Page("/staff/consultations/{draft}/poll", STAFF, "polls.staff_page"),
    Page("/consultations/{draft}/poll/results", ("staff",), "polls.results_page"),
    # A drawn panel with a session and an invitation (tests/focus_groups/helpers.py seeds them).
    Page(
        "/staff/consultations/{draft}/focus-group/sessions/{focus_session}",
        STAFF,
        "focus_groups.session_page",
    ),
    Page("/focus-groups/invitation/{focus_link}", PUBLIC, "focus_groups.invitation_page"),
    Page("/focus-groups/invitation/changed", PUBLIC, "focus_groups.invitation_page", status=400),
)

# GET endpoints that are not HTML pages (files, redirects, exports).
NOT_PAGES = frozenset(
    {
        "static",
        "set_language",
        "links.card_image",
        "moderation.static",
        "moderation.log_csv",
        "outcome.export",
        "outcome.chart",
        "opendata.download",  # the dataset ZIP
        "focus_groups.audit",  # the audit record, JSON
        # Reachable only halfway through a log-in (a password accepted, the code not yet given);
        # the enrolment template is checked as trust.my_setup, and both steps run in Chromium in
        # tests/e2e/test_two_factor_badge.py.
        "trust.login_code",
        "accounts.download",  # the personal-data JSON file
        "attachments.download",  # a file, downloaded
        "notifications.open_notification",  # marks it read and redirects to what it is about
        "trust.setup",
    }
)


def pages_for(role: str) -> list[Page]:
    return [p for p in PAGES if role in p.roles]


def demo_ids(session: Session) -> dict[str, object]:
    """The ids the paths above need, read from the demo database."""
    draft = session.scalar(select(Consultation).where(Consultation.title == TITLE))
    ev = session.scalar(select(Consultation).where(Consultation.title == EV_TITLE))
    assert draft is not None and ev is not None
    threads: list[Thread] = consultations.ordered_threads(draft)
    citizen = session.scalar(select(User).where(User.email == EMAILS["citizen"]))
    assert citizen is not None
    own = session.scalar(
        select(Comment.id).where(Comment.author_id == citizen.id, Comment.parent_id.is_(None))
    )
    reply = session.scalar(
        select(Comment.id)
        .where(Comment.thread_id == threads[0].id, Comment.parent_id.is_not(None))
        .order_by(Comment.id)
    )
    hidden = session.scalar(select(Comment.id).where(Comment.status == "hidden"))
    muted = session.scalar(select(Sanction.user_id))
    theme = session.scalar(select(Theme.key).order_by(Theme.id))
    plan = session.scalar(select(Plan.id))
    return {
        "draft": draft.id,
        "citizen_id": citizen.id,
        "ev": ev.id,
        "general": threads[0].id,
        "section": threads[1].id,
        "own": own,
        "reply": reply,
        "hidden": hidden,
        "muted": muted,
        "theme": theme,
        "plan": plan,
    }
