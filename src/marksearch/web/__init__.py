"""The web app and REST API: a thin shell over :mod:`marksearch.web.service`.

``create_app(db)`` builds the FastAPI app; ``marksearch serve`` runs it with
uvicorn.  Pages and API share the service; every page answers JSON too.
"""

from __future__ import annotations

from marksearch.web.app import app_from_env, create_app

__all__ = ["app_from_env", "create_app"]
