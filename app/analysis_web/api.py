"""Analysis in /api/v1: start a run, follow it, read the latest themes, curate them."""

from __future__ import annotations

from flask import jsonify

from deliberation.errors import NotFound
from deliberation.outbox import after_commit
from deliberation.services import analysis_runs, curation, theme_learning, theme_settings

from ..extensions import db, limiter
from ..openapi.operation import operation
from ..params import int_field, int_list, json_body, str_field
from ..security import current_actor
from ..transaction import commit
from . import RUN, api_bp, views
from . import schemas as sch


@api_bp.post("/consultations/<int:consultation_id>/analysis")
@operation(
    "analysis",
    responses={200: sch.RunStarted, 202: sch.RunStarted},
    errors=(401, 403, 404, 409),
    headers={s: sch.RUN_LOCATION for s in (200, 202)},
)
@limiter.limit("20 per minute")
def start_run(consultation_id: int):
    """Queue a run (202), or point at the one already queued or running (200)."""
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    run, created = analysis_runs.start_run(db.session, consultation, actor=actor)
    run_id = run.id
    if created:
        after_commit(db.session, RUN, run_id)
    commit()  # now, so the answer shows the run as the job backend left it
    run = analysis_runs.get_run(db.session, run_id, actor=actor)
    response = jsonify({"run_id": run_id, "created": created, "run": views.run_json(run)})
    response.status_code = 202 if created else 200
    response.headers["Location"] = f"/api/v1/analysis-runs/{run_id}"
    return response


@api_bp.get("/consultations/<int:consultation_id>/analysis/settings")
@operation("analysis", responses={200: sch.Settings}, errors=(401, 403, 404))
def get_settings(consultation_id: int):
    """The theme settings later runs use: {n_themes (null = automatic), seed_themes}."""
    consultation = views.consultation_for(consultation_id, current_actor())
    return jsonify(theme_settings.current(consultation))


@api_bp.put("/consultations/<int:consultation_id>/analysis/settings")
@operation(
    "analysis",
    body=sch.SettingsBody,
    responses={200: sch.SettingsSaved},
    errors=(401, 403, 404, 409),
)
@limiter.limit("30 per minute")
def put_settings(consultation_id: int):
    """Replace the theme settings: {"n_themes": 2-30 or null, "seed_themes": [{"name",
    "keywords": [...]}, ...] or null}. All or nothing; 200 with the stored settings."""
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    data = json_body()
    changed = theme_settings.save(
        db.session,
        consultation,
        actor=actor,
        n_themes=int_field(data, "n_themes"),
        seed_themes=data.get("seed_themes"),
    )
    return jsonify({"changed": changed, **theme_settings.current(consultation)})


@api_bp.get("/analysis-runs/<int:run_id>")
@operation("analysis", responses={200: sch.Run}, errors=(401, 403, 404))
def get_run(run_id: int):
    run = analysis_runs.get_run(db.session, run_id, actor=current_actor())
    stale = analysis_runs.is_stale(db.session, run) if run.status == "done" else None
    return jsonify(views.run_json(run, stale=stale))


@api_bp.get("/consultations/<int:consultation_id>/themes")
@operation("analysis", responses={200: sch.Themes}, errors=(401, 403, 404))
def themes(consultation_id: int):
    """The latest finished snapshot: run metadata (stale flag included), themes with their member
    comment ids, opinion groups; plus the run in progress, if any."""
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor)
    run = analysis_runs.latest_run(db.session, consultation.id)
    if run is None:
        raise NotFound("no_analysis")
    members = views.members_by_theme(run)
    extras = (run.working or {}).get("themes", {})
    active = analysis_runs.active_run(db.session, consultation.id)
    return jsonify(
        {
            "run": views.run_json(run, stale=analysis_runs.is_stale(db.session, run)),
            "active_run": views.run_json(active) if active is not None else None,
            "themes": [
                views.theme_json(t, members.get(t.id, []), extras.get(t.key))
                for t in views.themes_of(run)
            ],
            "to_confirm": theme_learning.to_review(db.session, run),
            "confirmed": theme_learning.confirmed_count(db.session, consultation.id),
            "groups": run.groups or {},
        }
    )


@api_bp.post("/consultations/<int:consultation_id>/themes/<key>/<action>")
@operation(
    "analysis", body=sch.CurateBody, responses={200: sch.Curated}, errors=(401, 403, 404, 409)
)
@limiter.limit("120 per minute")
def curate(consultation_id: int, key: str, action: str):
    """rename {label} · merge {target} · split {comment_ids, label} · move {comment_ids, target}
    · discard {undo?} · pin {comment_id, undo?} · confirm {comment_ids}."""
    actor = current_actor()
    consultation = views.consultation_for(consultation_id, actor, curate=True)
    data = json_body()
    undo = data.get("undo") is True
    s = db.session

    def text(name: str) -> str:  # absent reads as "", but an explicit null is invalid
        return str_field(data, name, allow_null=False)

    def ids() -> list[int]:
        return int_list(data, "comment_ids", required=True)

    if action == "rename":
        done = curation.rename(s, consultation, key, text("label"), actor=actor)
    elif action == "merge":
        done = curation.merge(s, consultation, key, text("target"), actor=actor)
    elif action == "split":
        done = curation.split(s, consultation, key, ids(), text("label"), actor=actor)
    elif action == "move":
        done = curation.move(s, consultation, key, ids(), text("target"), actor=actor)
    elif action == "discard":
        done = curation.discard(s, consultation, key, undo=undo, actor=actor)
    elif action == "pin":
        comment_id = int_field(data, "comment_id", required=True)
        done = curation.pin(s, consultation, key, comment_id, undo=undo, actor=actor)
    elif action == "confirm":
        done = curation.edit(
            s, consultation, "confirm", {"key": key, "comment_ids": ids()}, actor=actor
        )
    else:
        raise NotFound("not_found")
    return jsonify(
        {
            "changed": done is not None,
            "edit": (
                {
                    "id": done.id,
                    "action": done.action,
                    "payload": done.payload,
                    "run_id": done.run_id,
                }
                if done is not None
                else None
            ),
        }
    )
