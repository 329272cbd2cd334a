"""Errors as JSON with a stable code and a message; HTTP statuses used as meant."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from qspine.model.errors import (
    AuthenticationFailed,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ProfileError,
    QSpineError,
)

STATUS = {
    AuthenticationFailed: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    ProfileError: 422,
}


def status_of(error: QSpineError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 400


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


def install_error_handlers(app: FastAPI) -> None:
    """QSpine errors, request-validation errors and HTTP errors all share one JSON shape
    under /api; the web UI renders its own pages for the same errors."""

    @app.exception_handler(QSpineError)
    async def _qspine(request: Request, error: QSpineError) -> JSONResponse:
        status = status_of(error)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(error.code, str(error)), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            problems.append(f"{where}: {item['msg']}")
        return JSONResponse(error_body("invalid_request", "; ".join(problems)), 422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        code = {
            401: "authentication_failed",
            403: "forbidden",
            404: "not_found",
            405: "method_not_allowed",
        }.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)),
            error.status_code,
            headers=getattr(error, "headers", None),
        )
