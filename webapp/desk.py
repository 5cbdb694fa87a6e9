"""The archivists' desk: recent change sets (the audit trail) and the archive's integrity."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from .auth import archivist_required

bp = Blueprint("desk", __name__)


@bp.get("/desk")
@archivist_required
def index() -> Any:
    """The audit page: recent change sets, with filters, and the integrity status."""
    return render_template("desk/index.html")
