"""OpenAPI descriptions of the problem responses, shared by the routes.

FastAPI documents a response model under ``application/json``; ``app.custom_openapi`` (app.py)
moves every 4xx/5xx schema to ``application/problem+json``, which is what the API sends.
"""
from __future__ import annotations

from search_api.models import Problem

PROBLEMS = {
    422: {"model": Problem, "description": "Invalid parameters (unknown parameter, too long, out of range)"},
    429: {"model": Problem, "description": "Rate limited; see Retry-After"},
}
NOT_FOUND = {404: {"model": Problem, "description": "No such regulation, article or dimension"}}
NOT_READY = {503: {"model": Problem, "description": "The knowledge base is not ready"}}
