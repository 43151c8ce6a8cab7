"""The web dashboard: a JSON API and one self-contained page, served by ``seatcast serve``.

==================  ===============================================================
``app``             :func:`~seatcast.web.app.create_app`, the FastAPI app factory
``schemas``         pydantic request and response models of the JSON API
``guards``          the ASGI middleware every request passes: Host, JSON bodies, size, headers
``workers``         the projection pool and the forecast slots (limits, cancellation)
``night``           the election-night view's API (replays in the real order, a live results file)
``static/``         ``index.html``, ``app.js``, ``style.css``: no CDN, no network
==================  ===============================================================

The hex cartograms are data: :mod:`seatcast.data.hexmaps`. FastAPI is imported only by
:mod:`seatcast.web.app`, so importing this package costs nothing.
"""

from __future__ import annotations

__all__: list[str] = []
