"""Archivists' recording forms: record a meeting (or any record the shapes describe), correct a
record, pick existing records; every save is one change set by the logged-in archivist."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from dialogue_kg.addresses import page_path
from dialogue_kg.core.archive import ConflictError, InputError, ValidationError
from dialogue_kg.core.terms import statement_text
from dialogue_kg.labels import labels
from dialogue_kg.namespaces import DKG
from dialogue_kg.write import editing
from dialogue_kg.write.recording import current_values, form_spec, record, recordable_classes
from dialogue_kg.write.recording.checks import changes_since
from dialogue_kg.write.recording.fields import SOURCE_PATH, Ontology, class_key, spec_for_key
from dialogue_kg.write.recording.lookup import class_for_key, search
from dialogue_kg.write.recording.readable import readable
from dialogue_kg.write.recording.values import Unresolved, class_of, current_terms, resolve

from . import get_archive
from .auth import archivist_required, editor_required
from .i18n import current_language
from .recordview import FormView, choice_names, language_names, messages

bp = Blueprint("record", __name__, url_prefix="/record")


@bp.get("/")
@archivist_required
def index() -> Any:
    """What can be recorded: one form per class the shapes describe."""
    lang = current_language()
    forms = [(class_key(c), form_spec(c).name(lang)) for c in recordable_classes()]
    return render_template("record/index.html", forms=sorted(forms, key=lambda f: f[1]))


@bp.route("/meeting", methods=["GET", "POST"])
@archivist_required
def meeting() -> Any:
    """Record a meeting: the main form."""
    return _form("meeting")


@bp.route("/<key>", methods=["GET", "POST"])
@archivist_required
def new(key: str) -> Any:
    """Record a new agreement, actor, event, source, claim, … (any class with shapes)."""
    return _form(key)


@bp.route("/edit", methods=["GET", "POST"])
@archivist_required
def edit() -> Any:
    """Correct an existing record: its current values, saved as retractions and additions."""
    archive = get_archive()
    iri = (request.values.get("iri") or "").strip()
    if not iri.startswith(("http://", "https://")):
        abort(400, _("Give the IRI of the record to correct: /record/edit?iri=…"))
    cls = class_of(archive, iri, _most_specific_first(recordable_classes()))
    if cls is None:
        abort(404, _("No record with that IRI that a form can correct."))
    return _form(class_key(cls), iri=iri)


@bp.route("/retract", methods=["GET", "POST"])
@archivist_required
def retract() -> Any:
    """Delete a record: retract its current statements (the history keeps them), with a source."""
    archive = get_archive()
    iri = (request.values.get("iri") or "").strip()
    if not iri.startswith(("http://", "https://")) or not current_terms(archive, iri):
        abort(404, _("No record with that IRI."))
    lang = current_language()
    name = labels(archive, [iri], lang).get(iri, iri)
    error, opened_at = None, _int(request.form.get("_opened_at"), archive.revision)
    if request.method == "POST":
        text = (request.form.get("_source") or "").strip()
        changed = changes_since(archive, iri, opened_at or 0)
        try:
            if not text:
                raise Unresolved("", [])
            source = resolve(archive, text, [str(DKG.Source)])
            if changed:
                error = _("This record was changed after you opened this page; look at it again.")
            else:
                records = editing.retract(
                    archive,
                    iri,
                    agent=current_user.agent_iri,
                    sources=[source],
                    comment=(request.form.get("_comment") or "").strip() or None,
                )
                return redirect(url_for("record.saved", revision=records[0].revision, iri=iri))
        except Unresolved:
            error = _("Give the source that shows this record is wrong: a document in the archive.")
        except (InputError, ValidationError, ConflictError) as exc:
            error = str(exc)
    return render_template(
        "record/retract.html", iri=iri, name=name, error=error, opened_at=opened_at,
        page=_page_path(iri), typed=request.form,
    ), (422 if error else 200)  # fmt: skip


@bp.get("/lookup")
@archivist_required
def lookup() -> Any:
    """Records for the picker (JSON): ``?form=meeting&field=participant&q=…`` or ``?class=…``."""
    classes: list[str] = []
    if request.args.get("form"):
        spec = spec_for_key(request.args["form"])
        f = spec.field(request.args.get("field", "")) if spec else None
        if f is None:
            abort(404, _("No such form field."))
        classes = list(f.classes)
    elif request.args.get("class"):
        found = class_for_key(request.args["class"])
        if found is None:
            abort(404, _("No such class."))
        classes = [found]
    q = request.args.get("q", "")[:200]
    results = search(get_archive(), classes, q, current_language()) if q.strip() else []
    return jsonify(results=results)


@bp.get("/saved/<int:revision>")
@archivist_required
def saved(revision: int) -> Any:
    """What a save wrote: the change set's statements, with links to the record."""
    archive = get_archive()
    if not 1 <= revision <= archive.revision:
        abort(404)
    rec = next(archive.records(revision, revision))
    iri = request.args.get("iri", "")
    return render_template(
        "record/saved.html",
        rec=rec,
        iri=iri,
        page=_page_path(iri),
        page_of=_page_path,
        added=readable(archive, map(statement_text, rec.added()), current_language()),
        removed=readable(archive, map(statement_text, rec.removed()), current_language()),
    )


@bp.post("/saved/<int:revision>/revert")
@editor_required
def revert(revision: int) -> Any:
    """Undo a change set with a new one (editors only); the history keeps both."""
    comment = (request.form.get("_comment") or "").strip() or None
    records = editing.revert(get_archive(), revision, agent=current_user.agent_iri, comment=comment)
    return redirect(url_for("record.saved", revision=records[0].revision))


def _page_path(iri: str) -> str | None:
    """The path of a record's page on this site (the one mapping: dialogue_kg.addresses)."""
    return page_path(iri, get_archive().minter)


def _most_specific_first(classes: list[str]) -> list[str]:
    onto = Ontology.get()
    return sorted(classes, key=lambda c: -len(onto.ancestors(c)))


def _form(key: str, iri: str | None = None) -> Any:
    """Show a form (GET) or save it (POST); one template for new records and corrections."""
    spec = spec_for_key(key)
    if spec is None:
        abort(404, _("Nothing of that kind can be recorded."))
    archive = get_archive()
    lang = current_language()
    view = FormView(spec, {}, lang, choice_names=choice_names(spec, lang))
    opened_at = archive.revision
    context: dict[str, Any] = {}
    if request.method == "GET":
        if iri:
            view.data = current_values(archive, spec, iri, lang)
        return _render(view, iri, opened_at, context)
    data = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
    view.data = data
    view.add = request.form.get("_add")
    if iri:
        opened_at = _int(request.form.get("_opened_at"), archive.revision)
        seen = _int(request.form.get("_seen_revision"), None)
        if seen is not None:
            opened_at = max(opened_at, seen)
    if view.add:  # an 'add another' button without JavaScript: show the form again
        return _render(view, iri, opened_at, context)
    outcome = record(
        archive,
        spec,
        data,
        agent=current_user.agent_iri,
        iri=iri,
        opened_at=opened_at if iri else None,
        confirm_duplicates=bool(request.form.get("_confirm_duplicates")),
    )
    if outcome.saved:
        rec = outcome.records[0]
        return redirect(url_for("record.saved", revision=rec.revision, iri=outcome.iri))
    if outcome.status == "unchanged":
        context["notice"] = _("Nothing was changed, so nothing was saved.")
        return _render(view, iri, opened_at, context)
    view.errors = messages(outcome.problems, spec, lang)
    context.update(status=outcome.status, duplicates=outcome.duplicates)
    if outcome.status == "conflict":
        context["conflicts"] = [
            (c, readable(archive, c.added, lang), readable(archive, c.removed, lang))
            for c in outcome.conflicts
        ]
        context["seen_revision"] = max(c.revision for c in outcome.conflicts)
    return _render(
        view, iri, opened_at, context, status=422 if outcome.status == "invalid" else 409
    )


def _render(view: FormView, iri: str | None, opened_at: int, context: dict, status: int = 200):  # noqa: ANN202
    if iri:
        archive = get_archive()
        cited = [t.value for t in current_terms(archive, iri).get(SOURCE_PATH, [])]
        names = labels(archive, cited, view.lang)
        context["cited"] = [(s, names.get(s, s)) for s in cited]
    return (
        render_template(
            "record/form.html",
            view=view,
            spec=view.spec,
            iri=iri,
            page=_page_path(iri) if iri else None,
            opened_at=opened_at,
            form_languages=language_names(),
            **context,
        ),
        status,
    )


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
