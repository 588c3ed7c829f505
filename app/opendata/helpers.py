"""What the open-data pages and API share: where datasets are kept, the settings, the list."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import current_app, url_for

from deliberation.models import Consultation
from deliberation.opendata import queries, store
from deliberation.opendata.build import Publisher
from deliberation.opendata.lanes import Lanes
from deliberation.opendata.rules import DEFAULT_K, is_final

from ..extensions import db
from .messages import DatasetUnavailable

log = logging.getLogger(__name__)


def folder() -> Path:
    """OPEN_DATA_DIR, or instance/open-data."""
    configured = current_app.config.get("OPEN_DATA_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "open-data"


def ensure(consultation: Consultation) -> tuple[dict[str, Any], Path]:
    """The consultation's current dataset (built now when its data changed)."""
    config = current_app.config
    try:
        return _ensure(consultation, config)
    except OSError as exc:
        log.error(
            "open data: cannot write the dataset of consultation %s: %s", consultation.id, exc
        )
        raise DatasetUnavailable("open_data_unavailable") from None


def _ensure(consultation: Consultation, config: Any) -> tuple[dict[str, Any], Path]:
    return store.ensure(
        db.session,
        consultation,
        folder(),
        secret=str(config["SECRET_KEY"]),
        k=int(config.get("OPEN_DATA_K", DEFAULT_K)),
        publisher=Publisher(
            site_url=str(config.get("PUBLIC_BASE_URL") or "").rstrip("/"),
            contact=str(config.get("OPEN_DATA_CONTACT") or ""),
        ),
        lanes=Lanes(db.engine, int(config.get("OPEN_DATA_LANES", 1))),
    )


def entry(consultation: Consultation, manifest: dict[str, Any] | None) -> dict[str, Any]:
    """One dataset as the list shows it (None: an open consultation not built yet)."""
    out: dict[str, Any] = {
        "consultation_id": consultation.id,
        "dataset_id": f"zhongyi-consultation-{consultation.id}",
        "title": consultation.title,
        "agency": consultation.agency.name,
        "status": consultation.status,
        "final": is_final(consultation.status),
        "page": url_for("opendata.dataset", consultation_id=consultation.id),
        "api": url_for("opendata_api.dataset", consultation_id=consultation.id),
        "download": url_for("opendata.download", consultation_id=consultation.id),
        "built": manifest is not None,
    }
    if manifest is not None:
        out.update(
            {
                "updated_at": manifest["updated_at"],
                "built_at": manifest["built_at"],
                "bytes": manifest["zip"]["bytes"],
                "sha256": manifest["zip"]["sha256"],
                "score": manifest["quality"]["score"],
                "counts": manifest["counts"],
            }
        )
    return out


def listing() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every dataset as last built (a closed or concluded one never built is built now; the
    background job rebuilds them after a change, and a dataset's page and download check it is
    current: the list itself reads no votes) and the site's totals."""
    items = []
    for consultation in queries.listed(db.session):
        manifest = store.cached(folder(), consultation.id)
        if manifest is None and is_final(consultation.status):
            manifest = ensure(consultation)[0]
        items.append(entry(consultation, manifest))
    built = [i for i in items if i["built"]]
    totals = {
        "datasets": len(items),
        "built": len(built),
        "bytes": sum(i["bytes"] for i in built),
        "comments": sum(i["counts"]["comments"] for i in built),
        "votes": sum(i["counts"]["votes"] for i in built),
        "participants": sum(i["counts"]["participants"] for i in built),
        "mean_score": round(sum(i["score"] for i in built) / len(built)) if built else None,
    }
    return items, totals
