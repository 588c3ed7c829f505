"""The privacy texts: 隱私權及資訊安全政策 (footer), 個人資料蒐集告知 (registration), earlier
versions, and the admin editor that publishes a new version (older ones are kept)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from deliberation.accounts import operations, queries
from deliberation.accounts.models import DocumentKind, PolicyDocument
from deliberation.errors import DomainError, Forbidden
from deliberation.sanitize import render_markdown

from ..errors import error_response, status_for
from ..extensions import db
from ..security import current_actor
from . import bp
from .forms import PolicyForm
from .views import locale_code, show_form_error

SLUGS = {"policy": DocumentKind.PRIVACY_POLICY, "notice": DocumentKind.COLLECTION_NOTICE}


def document_html(document: PolicyDocument) -> str:
    """The text in the reader's language (English falls back to the binding zh-TW)."""
    body = document.body_en if locale_code() == "en" and document.body_en else document.body_zh
    return render_markdown(body)


def notice_for_registration() -> tuple[PolicyDocument | None, str]:
    """The collection notice in force and its HTML, for the registration page."""
    document = queries.current_document(db.session, DocumentKind.COLLECTION_NOTICE)
    if document is None:
        zh, en = queries.default_text(DocumentKind.COLLECTION_NOTICE)
        return None, render_markdown(en if locale_code() == "en" else zh)
    return document, document_html(document)


def _show(kind: str, version: int | None):
    if version is None:
        document = queries.current_document(db.session, kind)
    else:
        document = queries.document_version(db.session, kind, version)
        shipped = version == 1 and queries.current_document(db.session, kind) is None
        if document is None and not shipped:
            return error_response("document_version_not_found", 404)
    versions = queries.document_versions(db.session, kind)
    if document is None:  # nothing published yet: the shipped text is version 1
        zh, en = queries.default_text(kind)
        html = render_markdown(en if locale_code() == "en" else zh)
    else:
        html = document_html(document)
    return render_template(
        "accounts/document.html",
        kind=kind,
        slug=next(s for s, k in SLUGS.items() if k == kind),
        document=document,
        html=html,
        versions=versions,
    )


@bp.route("/privacy")
def privacy():
    return _show(DocumentKind.PRIVACY_POLICY, request.args.get("version", type=int))


@bp.route("/privacy/notice")
def notice():
    return _show(DocumentKind.COLLECTION_NOTICE, request.args.get("version", type=int))


@bp.route("/admin/privacy/<slug>", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    kind = SLUGS.get(slug)
    if kind is None:
        abort(404)
    actor = current_actor()
    if not operations.can_edit_policies(actor):
        error = Forbidden("admins_only")
        return error_response(error.code, status_for(error))
    current = queries.current_document(db.session, kind)
    form = PolicyForm()
    if not form.is_submitted():
        if current is not None:
            form.body_zh.data, form.body_en.data = current.body_zh, current.body_en
        else:
            form.body_zh.data, form.body_en.data = queries.default_text(kind)
    if form.validate_on_submit():
        try:
            document = operations.publish_document(
                db.session,
                kind,
                body_zh=form.body_zh.data or "",
                body_en=form.body_en.data or "",
                actor=actor,
            )
        except DomainError as error:
            show_form_error(form, error)
        else:
            flash(
                _("Version %(n)s is published; earlier versions are kept.", n=document.version),
                "success",
            )
            return redirect(url_for("accounts.edit", slug=slug))
    status = 400 if form.is_submitted() else 200
    return (
        render_template(
            "accounts/edit_document.html",
            form=form,
            kind=kind,
            slug=slug,
            current=current,
            versions=queries.document_versions(db.session, kind),
        ),
        status,
    )
