"""Jinja2 templates, escaped by default, translated through amparo.web.i18n."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from amparo.accounts.roles import Permission, allows
from amparo.web import i18n
from amparo.web.guard import caller, csrf_token

HERE = Path(__file__).resolve().parent
ROLE_NAMES = {"admin": i18n.N_("Administrator"), "coordinator": i18n.N_("Coordinator"),
              "caseworker": i18n.N_("Caseworker"), "analyst": i18n.N_("Analyst"),
              "viewer": i18n.N_("Viewer")}
SEVERITY_NAMES = {"critical": i18n.N_("Critical"), "high": i18n.N_("High"),
                  "medium": i18n.N_("Medium"), "low": i18n.N_("Low"), "info": i18n.N_("Info")}


def role_name(role: str) -> str:
    return i18n.gettext(ROLE_NAMES.get(role, role))


def severity_name(level: str) -> str:
    return i18n.gettext(SEVERITY_NAMES.get(level, level))
STATIC_DIR = HERE / "static"


@cache
def static_files() -> dict[str, tuple[bytes, str]]:
    """Every static file, read once: name -> (bytes, short content hash for cache busting)."""
    files = {}
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            data = path.read_bytes()
            files[path.name] = (data, hashlib.sha256(data).hexdigest()[:12])
    return files


def static_url(name: str) -> str:
    return f"/static/{name}?v={static_files()[name][1]}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True)
    env.globals.update(static_url=static_url, role_name=role_name, severity_name=severity_name)
    return env


ENV = _environment()


def render(request: Request, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    who = caller(request) if hasattr(request.state, "caller") else None
    user = who.user if who and who.session and who.session.stage == "full" else None
    lang = i18n.current()
    html = ENV.get_template(template).render(
        user=user,
        lang=lang,
        dir=i18n.direction(lang),
        csrf_token=csrf_token(request) if who else "",
        can_manage_users=user is not None and allows(user.role, Permission.MANAGE_USERS),
        can_view_cases=user is not None and allows(user.role, Permission.VIEW_CASES),
        can_read_findings=user is not None and allows(user.role, Permission.READ_FINDINGS),
        path=request.url.path,
        languages=i18n.NATIVE_NAMES,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
