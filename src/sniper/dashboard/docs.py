"""Offline `/docs` (Swagger UI) and `/redoc` (ReDoc), and the dashboard's vendored scripts:
every asset is a file of a maintained package, served by Sniper (a machine without internet
still shows the docs; no page names a CDN).

    /docs, /redoc                 the pages (FastAPI's own HTML, local asset URLs)
    /docs/assets/{name}           swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js,
                                  favicon.png from the `fastapi-offline` wheel
    /dashboard/vendor/plotly.min.js  plotly.js from the `plotly` wheel (charts)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
DOCS_STATIC = Path(fastapi_offline.__file__).parent / "static"


def _plotly_js() -> Path:
    """plotly.min.js inside the installed `plotly` package (found, not imported: importing
    plotly costs a second)."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        raise RuntimeError("the plotly package (a dependency) is not installed")
    return Path(spec.origin).parent / "package_data" / "plotly.min.js"


PLOTLY_JS = _plotly_js()


def mount(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their assets (the app is built with `docs_url=None`)."""
    app.mount(ASSETS, StaticFiles(directory=DOCS_STATIC), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        )

    @app.get("/dashboard/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript")
