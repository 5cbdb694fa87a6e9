"""Managing accounts on the web, for editors: add an archivist or editor, change a role, disable
or restore an account, set a new password (the account's sessions and tokens then end). The same
rules as ``dialogue-kg users`` (dialogue_kg.write.accounts): the last active editor stays one. An
editor's own password is changed at /account, with the current one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from dialogue_kg.write.accounts import ROLES, AccountError, canonical

from . import wants_json
from .auth import _refuse, editor_required, get_accounts

bp = Blueprint("users", __name__)

# The roles in the visitor's language (named here so that the catalogues hold them).
ROLE_NAMES = {"archivist": _l("archivist"), "editor": _l("editor")}


@bp.route("/desk/users", methods=["GET", "POST"])
@editor_required
def index() -> Any:
    """Every account, and the forms that change them."""
    if current_user.via_token:
        return _refuse(403, "API tokens cannot manage accounts; log in")
    accounts = get_accounts()
    error, status, created = None, 200, None
    if request.method == "POST":
        try:
            created = _apply(request.form)
        except AccountError as exc:
            error, status = str(exc), exc.status
    users = accounts.list()
    if wants_json():
        return jsonify(
            users=[
                {
                    "username": u.username,
                    "role": u.role,
                    "disabled": u.disabled,
                    "agent": u.agent_iri,
                }
                for u in users
            ]
        ), status
    return (
        render_template(
            "desk/users.html",
            users=users,
            roles={r: ROLE_NAMES.get(r, r) for r in ROLES},
            error=error,
            created=created,
        ),
        status,
    )


def _apply(form: Any) -> str | None:
    """Carry out one action of the page; the user name of a new account, else None."""
    accounts = get_accounts()
    action, username = form.get("action"), form.get("username", "").strip()
    if action == "add":
        if form.get("password", "") != form.get("repeat_password", ""):
            raise AccountError(_("The two new passwords differ."))
        accounts.add(username, form.get("password", ""), form.get("role", "archivist"))
        return username
    if action == "role":
        role = form.get("role", "")
        accounts.set_role(username, role)
        flash(_("%(user)s is now: %(role)s.", user=username, role=ROLE_NAMES.get(role, role)))
    elif action in ("disable", "enable"):
        accounts.disable(username, action == "disable")
        flash(
            _("%(user)s can no longer log in or use tokens.", user=username)
            if action == "disable"
            else _("%(user)s can log in again.", user=username)
        )
    elif action == "password":
        if canonical(username) == canonical(current_user.username):
            raise AccountError(
                "change your own password at /account, where the current one is asked for"
            )
        accounts.set_password(username, form.get("password", ""))
        flash(_("%(user)s has a new password; their sessions have ended.", user=username))
    else:
        raise AccountError(f"unknown action {action!r}")
    return None
