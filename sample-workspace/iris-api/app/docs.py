"""The /docs page: a self-contained description of the API from its OpenAPI document.
No scripts, styles or fonts from elsewhere (the usual Swagger UI loads them from a CDN)."""

from __future__ import annotations

import html
import json
from typing import Any


def render_docs(spec: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(m.upper())}</code></td><td><code>{html.escape(p)}</code></td><td>{html.escape(op.get('summary', ''))}</td></tr>"
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
    )
    schemas = spec.get("components", {}).get("schemas", {})
    return (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(spec['info']['title'])}</title>"
        f"<h1>{html.escape(spec['info']['title'])}</h1><p>{html.escape(spec['info'].get('description', ''))}</p>"
        f"<table>{rows}</table><p>The full description: <a href='/openapi.json'>/openapi.json</a></p>"
        f"<h2>Request and response bodies</h2><pre>{html.escape(json.dumps(schemas, indent=2))}</pre>"
    )
