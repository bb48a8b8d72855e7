"""The server: the one place where the API (search_api) and the web pages (frontend) are assembled into an app.

When ``jdih serve`` found that its processes need no torch (``JDIH_SERVE_WITHOUT_TORCH=1``, see
jdih_server.serving), importing this package keeps torch out of the process before anything
imports Haystack (which would load it, ~600 MB per worker, though the ONNX encoder never uses it).
"""
import os as _os

if _os.environ.get("JDIH_SERVE_WITHOUT_TORCH") == "1":
    from jdih_server.serving import keep_torch_out as _keep_torch_out

    _keep_torch_out()
