"""Pages for people: the home page."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from dialogue_kg.stats import headline_figures

from . import get_archive

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():  # noqa: ANN201
    """What the archive is, its headline figures, and the ways in (HTML or JSON)."""
    figures = headline_figures(get_archive())
    if request.args.get("format") == "json" or request.accept_mimetypes.best == "application/json":
        return jsonify(vars(figures))
    return render_template("home.html", figures=figures)
