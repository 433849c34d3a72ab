"""The caseworker's web application: FastAPI, server-rendered Jinja2 pages that work without
JavaScript (htmx, vendored in static/, only enhances), and a JSON API under /api/v1.

Routes stay thin: they parse input, call a service (amparo.accounts, amparo.overview, the
store), and render. `create_app` builds the application for one open workspace."""
