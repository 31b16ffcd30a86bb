"""The ground display server: Open MCT with kamo's plugin, and the HTTP API behind it.

``kamo ground serve --archive tm.zarr`` runs :func:`serve`; notebooks and tests can
build the ASGI app with :func:`create_app` and run it under any ASGI server.
:mod:`ground.server.follow` tails a growing raw packet file into an archive, so the
display has something live to show.
"""

from __future__ import annotations

from ground.server.app import ServerConfig, create_app
from ground.server.serve import build_config, serve

__all__ = ["ServerConfig", "build_config", "create_app", "serve"]
