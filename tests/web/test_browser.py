"""Browser tests: Playwright driving Debian's chromium (/usr/bin/chromium, installed by
scripts/ensure-services.sh; never a downloaded browser) against a live server on loopback
over the demo workspace. axe-core (vendored in resources/) checks WCAG 2.1 A and AA.

Without chromium or Playwright these skip with the reason, except under CI=true, where they
fail. Set SCREENSHOTS_DIR=docs/screenshots to refresh the screenshots kept in the docs."""

from __future__ import annotations

import io
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from amparo.accounts import totp, users
from amparo.accounts.policy import Policy
from amparo.config import Settings
from amparo.store.workspace import Workspace
from tests.web.conftest import FAST, PASSWORD, Staff, add_user, current_code

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "resources" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _unavailable() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (scripts/ensure-services.sh installs Debian's chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = _unavailable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{problem} (required under CI)")
        pytest.skip(problem)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"],
                              headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Staff, Workspace]]:
    """The demo workspace served by uvicorn on a free loopback port, and an enrolled admin."""
    import uvicorn

    from amparo.demo import run_demo
    from amparo.web.app import create_app

    settings = Settings(home=tmp_path_factory.mktemp("live") / "ws", actor="tester",
                        kdf_memory_kib=8 * 1024, kdf_time_cost=1)
    run_demo(settings, Console(file=io.StringIO()))
    ws = Workspace.open(settings)
    admin = add_user(ws, "marta", "admin")
    policy = Policy(cookie_secure=False, hash_time_cost=1, hash_memory_kib=8 * 1024)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ws, policy), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}", admin, ws
    server.should_exit = True
    thread.join(timeout=10)
    ws.close()


def _axe(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG)
    return [{"id": v["id"], "help": v["help"],
             "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
            for v in result["violations"]]


def _shot(page: Any, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def test_sign_in_with_totp_dashboard_and_arabic_are_accessible(
    browser: Any, live: tuple[str, Staff, Workspace],
) -> None:
    base, admin, _ws = live
    # bypass_csp lets the test inject axe-core; the app's own CSP is tested in process.
    context = browser.new_context(bypass_csp=True, locale="en-GB",
                                  viewport={"width": 1280, "height": 860})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base + "/")
    assert page.url == base + "/login"
    assert _axe(page) == []
    _shot(page, "login.png")

    page.fill("#username", admin.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/login/code")
    assert _axe(page) == []
    page.fill("#code", current_code(admin.secret))
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    assert page.locator("h1").inner_text() == "Dashboard"
    figures = page.locator(".figure").all_inner_texts()
    assert int(figures[1]) > 0, figures  # the demo's messages
    assert page.locator("tr.sev-critical td").inner_text() != "0"
    assert _axe(page) == []
    _shot(page, "dashboard.png")

    # Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"

    for path in ("/account", "/admin/users"):
        page.goto(base + path)
        assert _axe(page) == [], path
    _shot(page, "users.png")

    page.goto(base + "/account")
    page.select_option("#language", "ar")
    page.click("form[action='/account/language'] button")
    page.wait_for_url(base + "/account?done=language")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").inner_text() == "لوحة المعلومات"
    # The layout mirrors: the brand (at the inline start) is now on the right.
    brand = page.locator(".brand").bounding_box()
    signout = page.locator(".signout").bounding_box()
    assert brand and signout and brand["x"] > signout["x"]
    assert _axe(page) == []
    _shot(page, "dashboard-ar.png")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto(base + "/admin/users")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert errors == []
    context.close()


Live = tuple[str, Staff, Workspace]


def test_first_sign_in_enrolment_is_accessible(browser: Any, live: Live) -> None:
    base, _admin, ws = live
    with ws.session() as s:
        users.create_user(s, ws.key, FAST, "novo", "caseworker", PASSWORD, actor="t",
                          enrol_now=False)
    context = browser.new_context(bypass_csp=True, locale="pt-BR")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", "novo")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/login/enrol")
    assert page.locator("h1").inner_text() == "Configurar login em dois fatores"
    assert page.locator(".qr svg").count() == 1
    assert _axe(page) == []
    _shot(page, "enrol-pt.png")
    secret = page.locator(".secret code").inner_text().replace(" ", "")
    page.fill("#code", totp.code_at(secret, time.time()))
    page.click("main button[type=submit]")
    assert page.locator(".codes li").count() == 10
    assert _axe(page) == []
    page.click("main a.button")
    page.wait_for_url(base + "/")
    context.close()


def test_pages_work_without_javascript_and_csp_holds(
    browser: Any, live: tuple[str, Staff, Workspace],
) -> None:
    base, _admin, _ws = live
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text))
    page.goto(base + "/login")
    page.fill("#username", "nobody")
    page.fill("#password", "wrong password here")
    page.click("button[type=submit]")
    assert "Sign-in failed" in page.locator("[role=alert]").inner_text()
    context.close()
    # With JavaScript and the real CSP, htmx loads and nothing is refused.
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text))
    page.goto(base + "/login")
    page.wait_for_function("typeof htmx !== 'undefined'")
    assert not [v for v in violations if "Content Security Policy" in v], violations
    context.close()


def test_opening_and_working_a_case_is_accessible(browser: Any, live: Live) -> None:
    base, _admin, ws = live
    worker = add_user(ws, "lucia", "caseworker")  # her own TOTP: codes are single-use
    context = browser.new_context(bypass_csp=True, locale="en-GB",
                                  viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#username", worker.username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/login/code")
    page.fill("#code", current_code(worker.secret))
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    page.click("nav a[href='/cases']")
    page.wait_for_url(base + "/cases")
    assert _axe(page) == []
    page.fill("#case-title", "Threats after the march")
    page.click("form[action='/cases'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    page.fill("#note-text", "She asked us to call in the evening.")
    page.click("form[action$='/notes'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    assert "She asked us to call in the evening." in page.locator("main").inner_text()
    assert _axe(page) == []
    _shot(page, "case.png")
    context.close()
