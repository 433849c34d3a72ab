"""Need-to-know for the findings and message pages: every query of a user's findings and
messages goes through `visible_defenders`, which asks the cases' policy, so the inbox, the
message page and the API are narrowed together."""

from __future__ import annotations

from starlette.requests import Request

from amparo.cases.service import visible_defender_ids
from amparo.web.context import web
from amparo.web.guard import current_user


def visible_defenders(request: Request) -> set[int] | None:
    """The defenders whose messages and findings the signed-in user may see; None: all."""
    with web(request).read() as s:
        return visible_defender_ids(s, current_user(request))
