"""The ASGI application: the REST API under /api/v1 and the web UI, over one Spine."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from qspine.api.errors import install_error_handlers
from qspine.api.routes import router as api_router
from qspine.settings import Settings
from qspine.spine import Spine, open_spine
from qspine.web.routes import router as web_router

STATIC = Path(__file__).parent / "web" / "static"


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes: the spine named by QSPINE_* settings."""
    return create_app(open_spine(settings=Settings()))


def create_app(spine: Spine) -> FastAPI:
    """An app bound to `spine` (no module-level state: tests build as many as they like)."""
    app = FastAPI(
        title="QSpine",
        version="0.1.0",
        description="The quality evidence spine: records, links, signatures and audit trail.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.spine = spine
    install_error_handlers(app)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
