"""The agency's answer to each theme of a consultation (採納 / 部分採納 / 不採納 / 研議中), its
publication ("what you said, what we did") and the notices to the people whose comments are in
the theme. Responses are keyed by the stable theme key of the latest finished analysis run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import plan_rules
from ..errors import Forbidden, NotAuthenticated, NotFound, ValidationError
from ..models import (
    AnalysisRun,
    Comment,
    CommentStatus,
    Consultation,
    Theme,
    ThemeMember,
    ThemeResponse,
    User,
    utcnow,
)
from ..notifications import operations as notifications
from ..notifications.rules import Kind
from ..opendata.refresh import dataset_changed
from ..sanitize import clean_line, plain_text, render_markdown
from ..webhooks import operations as webhooks
from . import analysis_runs
from .plans import plan_agency_ids_for_consultation

MAX_REASONING = 10_000
MAX_UNIT = 120
NOTICE_KIND = "theme_response"
QUOTES_PER_THEME = 3


@dataclass
class ThemeView:
    """A theme of the latest run as the responses page and the public partial show it."""

    key: str
    label: str
    position: int
    size: int  # visible member comments now (hidden or pending ones never count)
    stance: dict[str, int]
    keywords: list[str]
    quotes: list[Comment] = field(default_factory=list)
    response: ThemeResponse | None = None
    overdue: bool = False


@dataclass
class Mail:
    """An e-mail to send after the commit (the web layer sends it)."""

    to: str
    name: str
    consultation_id: int
    consultation_title: str
    theme_label: str
    disposition: str


@dataclass
class PublishResult:
    responses: list[ThemeResponse]
    notified_user_ids: list[int]
    mails: list[Mail]


# ---- reading ----------------------------------------------------------------------------------


def is_overdue(response: ThemeResponse, now: datetime | None = None) -> bool:
    return plan_rules.is_overdue(
        response.disposition, response.due_date, response.done_at, now or utcnow()
    )


def visible_sizes(session: Session, theme_ids: Sequence[int]) -> dict[int, int]:
    """Visible member comments per theme, in one query."""
    if not theme_ids:
        return {}
    rows = session.execute(
        select(ThemeMember.theme_id, func.count(ThemeMember.id))
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.theme_id.in_(theme_ids), Comment.status == CommentStatus.VISIBLE.value)
        .group_by(ThemeMember.theme_id)
    )
    return {tid: n for tid, n in rows}


def live_themes(session: Session, run: AnalysisRun) -> list[Theme]:
    """The run's themes the curator kept (not discarded), in order."""
    return list(
        session.scalars(
            select(Theme)
            .where(Theme.run_id == run.id, Theme.discarded.is_(False))
            .order_by(Theme.position, Theme.id)
        )
    )


def responses_by_key(session: Session, consultation_id: int) -> dict[str, ThemeResponse]:
    return {
        r.theme_key: r
        for r in session.scalars(
            select(ThemeResponse).where(ThemeResponse.consultation_id == consultation_id)
        )
    }


def can_see_drafts(session: Session, consultation: Consultation, actor: User | None) -> bool:
    """`plan_rules.can_read_consultation_work` with the agencies whose plans link it (each
    link consented to by the consultation's agency)."""
    if actor is None:
        return False
    if plan_rules.can_read_consultation_work(actor, consultation.agency_id):
        return True
    return plan_rules.can_read_consultation_work(
        actor, consultation.agency_id, plan_agency_ids_for_consultation(session, consultation.id)
    )


def theme_views(
    session: Session,
    consultation: Consultation,
    *,
    with_quotes: bool = True,
    now: datetime | None = None,
) -> tuple[AnalysisRun | None, list[ThemeView]]:
    """The latest finished run and its kept themes, each with its response (draft or not) and
    representative quotes from visible comments only. A fixed number of queries."""
    now = now or utcnow()
    run = analysis_runs.latest_run(session, consultation.id)
    if run is None:
        return None, []
    themes = live_themes(session, run)
    sizes = visible_sizes(session, [t.id for t in themes])
    answers = responses_by_key(session, consultation.id)
    quotes: dict[int, Comment] = {}
    if with_quotes:
        wanted = {cid for t in themes for cid in [*t.pinned_ids, *t.representative_ids]}
        if wanted:
            quotes = {
                c.id: c
                for c in session.scalars(
                    select(Comment).where(
                        Comment.id.in_(wanted), Comment.status == CommentStatus.VISIBLE.value
                    )
                )
            }
    out = []
    for t in themes:
        ids = list(dict.fromkeys([*t.pinned_ids, *t.representative_ids]))
        response = answers.get(t.key)
        out.append(
            ThemeView(
                key=t.key,
                label=t.label,
                position=t.position,
                size=sizes.get(t.id, 0),
                stance={k: int(v) for k, v in (t.stance or {}).items()},
                keywords=list(t.keywords or []),
                quotes=[quotes[i] for i in ids if i in quotes][:QUOTES_PER_THEME],
                response=response,
                overdue=response is not None and is_overdue(response, now),
            )
        )
    return run, out


@dataclass
class PublicTheme:
    key: str
    label: str
    size: int | None  # None: the theme is not in the latest run any more
    response: ThemeResponse
    overdue: bool


def public_outcome(
    session: Session, consultation_id: int, *, now: datetime | None = None
) -> list[PublicTheme]:
    """Published responses of a consultation, per theme, in theme order: four queries whatever
    the number of themes."""
    now = now or utcnow()
    published = [
        r
        for r in session.scalars(
            select(ThemeResponse).where(
                ThemeResponse.consultation_id == consultation_id,
                ThemeResponse.published_at.is_not(None),
            )
        )
    ]
    if not published:
        return []
    run = analysis_runs.latest_run(session, consultation_id)
    themes = {t.key: t for t in live_themes(session, run)} if run is not None else {}
    sizes = visible_sizes(session, [t.id for t in themes.values()])
    out = []
    for r in published:
        theme = themes.get(r.theme_key)
        out.append(
            PublicTheme(
                key=r.theme_key,
                label=r.published_label or (theme.label if theme else r.theme_key),
                size=sizes.get(theme.id, 0) if theme is not None else None,
                response=r,
                overdue=is_overdue(r, now),
            )
        )
    order = {key: i for i, key in enumerate(themes)}
    out.sort(key=lambda p: (order.get(p.key, len(order)), p.key))
    return out


def overdue_responses(
    session: Session, consultation_ids: Sequence[int], *, now: datetime | None = None
) -> list[ThemeResponse]:
    """Follow-ups past their due date and not done, drafts included (for staff and reviewers)."""
    now = now or utcnow()
    if not consultation_ids:
        return []
    rows = session.scalars(
        select(ThemeResponse)
        .where(
            ThemeResponse.consultation_id.in_(consultation_ids),
            ThemeResponse.due_date.is_not(None),
            ThemeResponse.due_date < now,
            ThemeResponse.done_at.is_(None),
            ThemeResponse.disposition.in_(plan_rules.FOLLOW_UP),
        )
        .order_by(ThemeResponse.due_date)
    )
    return [r for r in rows if is_overdue(r, now)]


# ---- writing ----------------------------------------------------------------------------------


def _require_responder(consultation: Consultation, actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    if not plan_rules.can_respond(actor, consultation.agency_id):
        raise Forbidden("not_agency_staff")
    return actor


def _latest_theme(session: Session, consultation: Consultation, theme_key: str) -> Theme:
    run = analysis_runs.latest_run(session, consultation.id)
    if run is None:
        raise NotFound("no_analysis_run")
    theme = session.scalar(
        select(Theme).where(
            Theme.run_id == run.id, Theme.key == theme_key, Theme.discarded.is_(False)
        )
    )
    if theme is None:
        raise NotFound("theme_not_found", key=clean_line(theme_key)[:32])
    return theme


def upsert_response(
    session: Session,
    consultation: Consultation,
    theme_key: str,
    *,
    actor: User | None,
    disposition: str,
    reasoning: str = "",
    responsible_unit: str = "",
    due_date: datetime | None = None,
) -> ThemeResponse:
    """Save the answer to one theme of the latest run. A draft stays unseen by the public until
    published; editing a published answer changes the public text (reasoning stays required)."""
    actor = _require_responder(consultation, actor)
    theme = _latest_theme(session, consultation, theme_key)
    if disposition not in plan_rules.DISPOSITIONS:
        raise ValidationError("invalid_disposition", field="disposition")
    reasoning = (reasoning or "").strip()
    if len(reasoning) > MAX_REASONING:
        raise ValidationError("reasoning_too_long", field="reasoning", max=MAX_REASONING)
    unit = clean_line(responsible_unit or "")
    if len(unit) > MAX_UNIT:
        raise ValidationError("unit_too_long", field="responsible_unit", max=MAX_UNIT)
    if due_date is not None and due_date.tzinfo is None:
        raise ValidationError("invalid_date", field="due_date")
    response = session.scalar(
        select(ThemeResponse).where(
            ThemeResponse.consultation_id == consultation.id,
            ThemeResponse.theme_key == theme.key,
        )
    )
    if response is not None and response.published_at is not None and not plain_text(reasoning):
        raise ValidationError("reasoning_required", field="reasoning", label=theme.label)
    now = utcnow()
    if response is None:
        response = ThemeResponse(
            consultation_id=consultation.id, theme_key=theme.key, created_at=now
        )
        session.add(response)
    response.disposition = disposition
    response.reasoning = reasoning
    response.reasoning_html = render_markdown(reasoning)
    response.responsible_unit = unit
    response.due_date = due_date
    response.updated_by_id = actor.id
    response.updated_at = now
    if response.published_at is not None:
        response.published_label = theme.label
    session.flush()
    return response


def set_done(
    session: Session, consultation: Consultation, theme_key: str, *, actor: User | None, done: bool
) -> ThemeResponse:
    """Mark a follow-up done (no longer overdue), or open it again."""
    actor = _require_responder(consultation, actor)
    response = session.scalar(
        select(ThemeResponse).where(
            ThemeResponse.consultation_id == consultation.id, ThemeResponse.theme_key == theme_key
        )
    )
    if response is None:
        raise NotFound("response_not_found")
    response.done_at = utcnow() if done else None
    response.updated_by_id = actor.id
    response.updated_at = utcnow()
    session.flush()
    return response


def publish(
    session: Session,
    consultation: Consultation,
    theme_keys: Sequence[str] | None = None,
    *,
    actor: User | None,
) -> PublishResult:
    """Publish the answers to these themes (all answered themes when None). Each needs its
    reasoning; one missing refuses the whole publish. Each distinct registered author of a
    visible comment in a published theme gets one notice (and one e-mail) per publish."""
    actor = _require_responder(consultation, actor)
    run = analysis_runs.latest_run(session, consultation.id)
    if run is None:
        raise NotFound("no_analysis_run")
    themes = {t.key: t for t in live_themes(session, run)}
    answers = responses_by_key(session, consultation.id)
    if theme_keys is None:
        keys = [k for k in themes if k in answers]
        if not keys:
            raise ValidationError("nothing_to_publish")
    else:
        keys = list(dict.fromkeys(theme_keys))
        for key in keys:
            if key not in themes:
                raise NotFound("theme_not_found", key=clean_line(key)[:32])
            if key not in answers:
                raise ValidationError("response_missing", label=themes[key].label)
    for key in keys:
        if not plain_text(answers[key].reasoning or ""):
            raise ValidationError("reasoning_required", field="reasoning", label=themes[key].label)

    now = utcnow()
    published = []
    for key in keys:
        response = answers[key]
        response.published_at = now
        response.published_label = themes[key].label
        response.updated_by_id = actor.id
        published.append(response)
    webhooks.responses_published(session, consultation, published)  # sent after the commit
    dataset_changed(session, consultation)  # responses.csv, rebuilt after the commit

    # Authors of visible member comments; imported pseudonymous participants have no inbox.
    theme_ids = {themes[k].id: k for k in keys}
    rows = session.execute(
        select(ThemeMember.theme_id, Comment.id, User)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .join(User, User.id == Comment.author_id)
        .where(
            ThemeMember.theme_id.in_(list(theme_ids)),
            Comment.status == CommentStatus.VISIBLE.value,
            User.origin.is_(None),
            User.is_active.is_(True),
        )
        .order_by(Comment.id)
    ).all()
    first: dict[tuple[int, str], int] = {}  # (user, theme key) -> their first comment in it
    users: dict[int, User] = {}
    for theme_id, comment_id, user in rows:
        first.setdefault((user.id, theme_ids[theme_id]), comment_id)
        users[user.id] = user
    mails: list[Mail] = []
    notified: list[int] = []
    seen: set[int] = set()
    for (user_id, key), comment_id in first.items():
        if user_id in seen:
            continue  # one notice per person per publish, whatever the number of themes
        seen.add(user_id)
        notified.append(user_id)
        notifications.notify(
            session,
            user_id,
            NOTICE_KIND,
            comment_id=comment_id,
            consultation_id=consultation.id,
            reason=answers[key].disposition,
            note=themes[key].label,
        )
        mails.append(
            Mail(
                to=users[user_id].email,
                name=users[user_id].display_name,
                consultation_id=consultation.id,
                consultation_title=consultation.title,
                theme_label=themes[key].label,
                disposition=answers[key].disposition,
            )
        )
    session.flush()
    notifications.consultation_news(session, consultation.id, Kind.OUTCOME_PUBLISHED)
    return PublishResult(responses=published, notified_user_ids=notified, mails=mails)
