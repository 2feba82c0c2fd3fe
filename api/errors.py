"""The APIs' errors and their one HTTP mapping: every failure leaves as ``{"error": code, "detail": ...}``.

Database errors are mapped here too, so a constraint the schema enforces (a squad number taken, a team
against itself, an event outside the sport's limits) reaches the client as a 409/422 naming the rule, and
nothing else in ``api/`` needs to know psycopg's exception classes.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from psycopg import errors as pg

__all__ = [
    "ApiError",
    "ConflictError",
    "ForbiddenError",
    "InvalidError",
    "NotFoundError",
    "TooManyRequestsError",
    "UnauthorizedError",
    "UnavailableError",
    "handlers",
]

log = logging.getLogger(__name__)


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}


class UnauthorizedError(ApiError):
    status, code = 401, "unauthorized"


class ForbiddenError(ApiError):
    status, code = 403, "forbidden"


class NotFoundError(ApiError):
    status, code = 404, "not_found"


class ConflictError(ApiError):
    status, code = 409, "conflict"


class InvalidError(ApiError):
    status, code = 422, "invalid"


class UnavailableError(ApiError):
    """A process the answer depends on does not answer (the audit writer, for history)."""

    status, code = 503, "unavailable"


class TooManyRequestsError(ApiError):
    status, code = 429, "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def _body(code: str, detail: str, status: int, **extra: Any) -> dict[str, Any]:
    """The error document: ``status_code`` and ``detail`` as Litestar documents its errors in the OpenAPI
    schema, ``error`` a stable code for programs, and any specifics (fields, rule, rows) beside them."""
    return {"status_code": status, "error": code, "detail": detail, **extra}


def _api_error(_request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else {}
    if isinstance(exc, TooManyRequestsError):
        headers["Retry-After"] = str(exc.retry_after)
    return Response(_body(exc.code, exc.detail, exc.status, **exc.extra), status_code=exc.status, headers=headers)


#: what the schema's unnamed CHECK constraints mean, in words (PostgreSQL names them by table and order, and
#: its message says only "violates check constraint matches_check4")
CHECK_WORDS = {
    "matches_check": "a team cannot play against itself",
    "matches_check1": "give both scores or neither",
    "matches_check2": "a finished or awarded match needs its score",
    "matches_check3": "an awarded match is decided in AWD",
    "matches_check4": "decided_in (REG, OT, SO, AWD) belongs to a finished or awarded match: send decided_in: null "
    "with a status that reopens it",
    "matches_check5": "a leg belongs to a tie",
    "matches_check6": "a game number belongs to a series",
}


def _database_error(request: Request[Any, Any, Any], exc: psycopg.Error) -> Response[Any]:
    """Constraint violations are the client's fault and say which rule; anything else is ours (500)."""
    diag = exc.diag
    rule = diag.constraint_name or ""
    message = (diag.message_primary or str(exc)).strip()
    if isinstance(exc, pg.UniqueViolation):
        return Response(_body("conflict", message, 409, rule=rule), status_code=409)
    if isinstance(exc, pg.ForeignKeyViolation):
        return Response(_body("invalid_reference", message, 422, rule=rule), status_code=422)
    if isinstance(exc, pg.RaiseException):
        return Response(_body("conflict", message, 409, rule=rule), status_code=409)
    if isinstance(exc, psycopg.IntegrityError):  # check, not-null, exclusion
        words = CHECK_WORDS.get(rule)
        return Response(_body("invalid", f"{words} ({message})" if words else message, 422, rule=rule), status_code=422)
    if isinstance(exc, psycopg.DataError):  # a value the column cannot hold: NUL bytes, out of range, bad enum
        return Response(_body("invalid", message, 422), status_code=422)
    log.error("database error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
    return Response(_body("internal", "the database failed; try again", 500), status_code=500)


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors (validation, unknown route, body too large) in the same shape."""
    if isinstance(exc, ValidationException):
        return Response(_body("invalid", "the request is not valid", 422, fields=exc.extra), status_code=422)
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    status = exc.status_code
    return Response(_body(code.get(status, "bad_request"), exc.detail, status), status_code=status)


handlers: dict[int | type[Exception], Any] = {
    ApiError: _api_error,
    psycopg.Error: _database_error,
    HTTPException: _http_error,
}
