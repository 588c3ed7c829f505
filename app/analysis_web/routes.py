"""The theme workspace (staff, reviewers, admins): runs, themes, curation, the edit log."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from deliberation import analysis_rules, participation
from deliberation.errors import Conflict, DomainError, NotFound, ValidationError
from deliberation.focus_groups import outcome as focus_outcome
from deliberation.models import AnalysisStatus, Comment, Consultation, Theme, ThemeMember, User
from deliberation.outbox import after_commit
from deliberation.services import analysis_runs, curation, theme_learning, theme_settings

from ..errors import message_for
from ..extensions import db
from ..security import current_actor
from ..transaction import discard_changes
from . import RUN, bp, views

PER_PAGE = 25
ACTIONS = ("rename", "merge", "split", "move", "discard", "pin", "confirm")


@bp.app_context_processor
def analysis_helpers() -> dict[str, Any]:
    return {"run_error_text": views.error_text, "run_stage_label": views.stage_label}


@bp.get("/staff/consultations/<int:consultation_id>/themes")
def workspace(consultation_id: int):
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor)
    return _workspace_page(consultation, actor)


def _workspace_page(
    consultation: Consultation,
    actor: User | None,
    *,
    settings_form: dict[str, str] | None = None,
    settings_error: str | None = None,
) -> Any:
    """The workspace; after a rejected settings form, with what was typed and why."""
    settings = theme_settings.current(consultation)
    if settings_form is None:
        settings_form = {
            "n_themes": "" if settings["n_themes"] is None else str(settings["n_themes"]),
            "seed_themes": theme_settings.format_seed_lines(settings["seed_themes"]),
        }
    updated = None
    if settings["updated_at"]:
        who = db.session.get(User, settings["updated_by"]) if settings["updated_by"] else None
        updated = {
            "at": datetime.fromisoformat(settings["updated_at"]),
            "by": who.display_name if who is not None else "—",
        }
    snapshot = analysis_runs.latest_run(db.session, consultation.id)
    active = analysis_runs.active_run(db.session, consultation.id)
    newest = analysis_runs.newest_run(db.session, consultation.id)
    failed = (
        newest
        if newest is not None
        and newest.status == AnalysisStatus.FAILED.value
        and (snapshot is None or newest.id > snapshot.id)
        else None
    )
    themes = views.themes_of(snapshot) if snapshot is not None else []
    groups = (snapshot.groups or {}) if snapshot is not None else {}
    review = theme_learning.to_review(db.session, snapshot) if snapshot is not None else []
    wanted: set[int] = {entry["comment_id"] for entry in review}
    for theme in themes:
        wanted.update(theme.representative_ids or [])
        wanted.update(theme.pinned_ids or [])
        wanted.update(group[0] for group in theme.duplicate_groups or [] if group)
    for group in groups.get("groups", []):
        wanted.update(e["comment_id"] for e in group.get("representative", []))
    wanted.update(e["comment_id"] for e in groups.get("consensus", []))
    return render_template(
        "analysis_web/workspace.html",
        consultation=consultation,
        snapshot=snapshot,
        active=active,
        failed=failed,
        stale=snapshot is not None and analysis_runs.is_stale(db.session, snapshot),
        edits_since=views.edits_since(snapshot) if snapshot is not None else 0,
        participation=participation.figures(db.session, [consultation.id]),
        themes=themes,
        extras=((snapshot.working or {}).get("themes", {}) if snapshot is not None else {}),
        review=review,
        confirmed=theme_learning.confirmed_count(db.session, consultation.id),
        groups=groups,
        texts=views.visible_comments(wanted),
        focus_counts=(
            focus_outcome.theme_counts(db.session, snapshot) if snapshot is not None else {}
        ),
        can_curate=analysis_rules.can_curate(actor, consultation),
        settings_form=settings_form,
        settings_error=settings_error,
        settings_updated=updated,
        settings_limits={"min": theme_settings.MIN_THEMES, "max": theme_settings.MAX_THEMES},
    ), (400 if settings_error else 200)


@bp.post("/staff/consultations/<int:consultation_id>/themes/settings")
def save_settings(consultation_id: int):
    """Save the theme settings; a rejected form comes back with what was typed (nothing saved)."""
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    form = {
        "n_themes": request.form.get("n_themes", ""),
        "seed_themes": request.form.get("seed_themes", ""),
    }
    try:
        changed = theme_settings.save(
            db.session,
            consultation,
            actor=actor,
            n_themes=form["n_themes"],
            seed_themes=theme_settings.parse_seed_lines(form["seed_themes"]),
        )
    except ValidationError as err:
        discard_changes()
        return _workspace_page(
            consultation,
            actor,
            settings_form=form,
            settings_error=message_for(err.code, **err.params),
        )
    if changed:
        flash(_("Theme settings saved. Re-run the analysis to apply them."), "success")
    else:
        flash(_("Nothing to change."), "info")
    return redirect(
        url_for(".workspace", consultation_id=consultation.id) + "#theme-settings", code=303
    )


@bp.post("/staff/consultations/<int:consultation_id>/themes/run")
def start(consultation_id: int):
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    run, created = analysis_runs.start_run(db.session, consultation, actor=actor)
    if created:
        after_commit(db.session, RUN, run.id)
    if created:
        flash(_("The analysis was started. This page shows its progress."), "success")
    else:
        flash(_("An analysis of this consultation is already running."), "info")
    return redirect(url_for(".workspace", consultation_id=consultation.id), code=303)


@bp.get("/staff/consultations/<int:consultation_id>/themes/log")
def edit_log(consultation_id: int):
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor)
    edits = curation.edit_log(db.session, consultation, actor=actor)
    actors = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({e.actor_id for e in edits})))
    }
    return render_template(
        "analysis_web/log.html", consultation=consultation, edits=edits, actors=actors
    )


def _theme_or_404(run_id: int, key: str) -> Theme:
    theme = db.session.scalar(select(Theme).where(Theme.run_id == run_id, Theme.key == key))
    if theme is None:
        raise NotFound("theme_not_found", key=key)
    return theme


@bp.get("/staff/consultations/<int:consultation_id>/themes/<key>")
def theme_page(consultation_id: int, key: str):
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor)
    snapshot = analysis_runs.latest_run(db.session, consultation.id)
    if snapshot is None:
        raise NotFound("no_analysis")
    theme = _theme_or_404(snapshot.id, key)
    q = (request.args.get("q") or "").strip()[:100]
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
    query = (
        select(ThemeMember.comment_id)
        .join(Comment, Comment.id == ThemeMember.comment_id)
        .where(ThemeMember.theme_id == theme.id)
    )
    if q:
        query = query.where(func.lower(Comment.body).contains(q.lower(), autoescape=True))
    source = "focus_group" if request.args.get("source") == "focus_group" else ""
    if source:  # only what the focus group said (issue 18): its statements, marked 座談會
        query = query.where(Comment.origin_platform == source)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ids = list(
        db.session.scalars(
            query.order_by(ThemeMember.comment_id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
        )
    )
    confidence = dict(
        db.session.execute(
            select(ThemeMember.comment_id, ThemeMember.weight).where(
                ThemeMember.theme_id == theme.id
            )
        ).all()
    )
    extra = dict((snapshot.working or {}).get("themes", {}).get(theme.key) or {})
    secondary = {
        int(cid): key
        for cid, key in ((snapshot.working or {}).get("secondary") or {}).items()
        if key != theme.key
    }
    labels = {t.key: t.label for t in views.themes_of(snapshot)}
    split = [cid for cid in extra.get("split") or [] if cid in confidence]
    texts = views.visible_comments(
        ids + list(theme.representative_ids or []) + list(theme.pinned_ids or []) + split
    )
    return render_template(
        "analysis_web/theme.html",
        consultation=consultation,
        snapshot=snapshot,
        theme=theme,
        others=[t for t in views.themes_of(snapshot) if t.key != theme.key],
        member_ids=ids,
        confidence=confidence,
        extra=extra,
        secondary={cid: (key, labels[key]) for cid, key in secondary.items() if key in labels},
        suggested_split=split,
        texts=texts,
        q=q,
        source=source,
        page=page,
        pages=max(1, math.ceil(total / PER_PAGE)),
        total=total,
        stale=analysis_runs.is_stale(db.session, snapshot),
        can_curate=analysis_rules.can_curate(actor, consultation),
    )


def _selected() -> list[int]:
    out = []
    for raw in request.form.getlist("comment_ids"):
        if not raw.strip().isdigit():
            raise ValidationError("invalid_field", field="comment_ids")
        out.append(int(raw))
    return out


@bp.post("/staff/consultations/<int:consultation_id>/themes/<key>/<action>")
def curate(consultation_id: int, key: str, action: str):
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    if action not in ACTIONS:
        raise NotFound("not_found")
    form = request.form
    undo = request.values.get("undo") == "1"
    back = url_for(".theme_page", consultation_id=consultation.id, key=key)
    try:
        if action == "rename":
            done = curation.rename(
                db.session, consultation, key, form.get("label", ""), actor=actor
            )
        elif action == "merge":
            done = curation.merge(
                db.session, consultation, key, form.get("target", ""), actor=actor
            )
            back = url_for(
                ".theme_page", consultation_id=consultation.id, key=form.get("target", "")
            )
        elif action == "split":
            done = curation.split(
                db.session, consultation, key, _selected(), form.get("label", ""), actor=actor
            )
        elif action == "move":
            done = curation.move(
                db.session, consultation, key, _selected(), form.get("target", ""), actor=actor
            )
        elif action == "discard":
            done = curation.discard(db.session, consultation, key, undo=undo, actor=actor)
        elif action == "confirm":
            done = curation.edit(
                db.session,
                consultation,
                "confirm",
                {"key": key, "comment_ids": _selected()},
                actor=actor,
            )
            back = url_for(".workspace", consultation_id=consultation.id) + "#review"
        else:
            raw = (form.get("comment_id") or "").strip()
            if not raw.isdigit():
                raise ValidationError("invalid_field", field="comment_id")
            done = curation.pin(db.session, consultation, key, int(raw), undo=undo, actor=actor)
    except (ValidationError, Conflict, NotFound) as err:
        discard_changes()
        flash(message_for(err.code, **err.params), "error")
        if isinstance(err, NotFound):
            back = url_for(".workspace", consultation_id=consultation.id)
        return redirect(back, code=303)
    except DomainError:
        discard_changes()
        raise
    if done is None:
        flash(_("Nothing to change."), "info")
    else:
        flash(_("Saved. The edit is logged and will be applied to later runs too."), "success")
        if action == "split":
            back = url_for(
                ".theme_page", consultation_id=consultation.id, key=done.payload["new_key"]
            )
    return redirect(back, code=303)
