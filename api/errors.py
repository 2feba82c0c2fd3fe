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


class TooManyRequestsError(ApiError):
    status, code = 429, "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def _body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def _api_error(_request: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'} if exc.status == 401 else {}
    if isinstance(exc, TooManyRequestsError):
        headers["Retry-After"] = str(exc.retry_after)
    return Response(_body(exc.code, exc.detail, **exc.extra), status_code=exc.status, headers=headers)


def _database_error(request: Request[Any, Any, Any], exc: psycopg.Error) -> Response[Any]:
    """Constraint violations are the client's fault and say which rule; anything else is ours (500)."""
    diag = exc.diag
    rule = diag.constraint_name or ""
    message = (diag.message_primary or str(exc)).strip()
    if isinstance(exc, pg.UniqueViolation):
        return Response(_body("conflict", message, rule=rule), status_code=409)
    if isinstance(exc, pg.ForeignKeyViolation):
        return Response(_body("invalid_reference", message, rule=rule), status_code=422)
    if isinstance(exc, pg.RaiseException):
        return Response(_body("conflict", message, rule=rule), status_code=409)
    if isinstance(exc, (pg.CheckViolation, pg.NotNullViolation, pg.InvalidTextRepresentation)):
        return Response(_body("invalid", message, rule=rule), status_code=422)
    if isinstance(exc, (pg.NumericValueOutOfRange, pg.StringDataRightTruncation, pg.InvalidDatetimeFormat)):
        return Response(_body("invalid", message), status_code=422)
    log.error("database error on %s %s: %s", request.method, request.url.path, exc.__class__.__name__)
    return Response(_body("internal", "the database failed; try again"), status_code=500)


def _http_error(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """Litestar's own errors (validation, unknown route, body too large) in the same shape."""
    if isinstance(exc, ValidationException):
        return Response(_body("invalid", "the request is not valid", fields=exc.extra), status_code=422)
    code = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    return Response(_body(code.get(exc.status_code, "bad_request"), exc.detail), status_code=exc.status_code)


handlers: dict[int | type[Exception], Any] = {
    ApiError: _api_error,
    psycopg.Error: _database_error,
    HTTPException: _http_error,
}
