"""The one place the archive's errors become HTTP answers.

Views raise :class:`dialogue_kg.errors.DialogueKGError` (or let it rise from the core); the
handler here answers with the error's ``status``: JSON (``error``, ``kind``, ``line``/``column``
and the error's own fields) for scripts and writes, plain text for the SPARQL query protocol and
for people. Any other exception is a bug: Flask logs its traceback and answers 500.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from dialogue_kg.core.journal import ConflictError
from dialogue_kg.core.store.base import StoreError
from dialogue_kg.errors import DialogueKGError
from dialogue_kg.protocol.protocol import ProtocolError
from dialogue_kg.protocol.workers import QueryFailed

# The SPARQL query protocol answers its errors as plain text; its updates answer like the API.
_QUERY_PROTOCOL_ERRORS = (ProtocolError, QueryFailed, StoreError)


def answers_json(exc: Exception | None = None) -> bool:
    """True when the failure of this request is answered as JSON: an API call, a token, a
    client asking for JSON, or a SPARQL Update."""
    from .auth import scripted

    if scripted():
        return True
    return request.blueprint == "sparql" and not isinstance(exc, _QUERY_PROTOCOL_ERRORS)


def error_response(exc: DialogueKGError) -> Response:
    """``exc`` answered with its status, as JSON or plain text by the request."""
    if answers_json(exc):
        response = jsonify(exc.details())
        if isinstance(exc, ConflictError) and exc.actual:
            response.headers["ETag"] = f'"{exc.actual}"'
    else:
        response = current_app.response_class(str(exc).rstrip() + "\n", mimetype="text/plain")
    response.status_code = exc.status
    if exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    if exc.status >= 500:
        current_app.logger.error("%s: %s", type(exc).__name__, exc)
    return response


def _too_large(exc: RequestEntityTooLarge) -> Response | RequestEntityTooLarge:
    """413: a JSON message for scripts and writes, werkzeug's page otherwise."""
    if not answers_json():
        return exc
    response = jsonify(error="the upload is larger than the server accepts; nothing was written")
    response.status_code = 413
    return response


def init_app(app: Flask) -> None:
    """Register the handlers: one for the whole error family, one for a too-large upload."""
    app.register_error_handler(DialogueKGError, error_response)
    app.register_error_handler(RequestEntityTooLarge, _too_large)
