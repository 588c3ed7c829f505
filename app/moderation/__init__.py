"""Moderation in the open: the queue and actions (moderators), flags and appeals (everyone
logged in), the rules and transparency pages (the public), and the JSON API under /api/v1."""

from flask import Blueprint

bp = Blueprint("moderation", __name__, static_folder="static", static_url_path="/moderation/static")
api_bp = Blueprint("moderation_api", __name__)

from . import api, routes  # noqa: E402, F401  (the routes register themselves on the blueprints)
