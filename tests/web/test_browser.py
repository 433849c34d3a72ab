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


def _axe(page: Any, real_csp: bool = False) -> list[dict[str, Any]]:
    """axe-core's WCAG violations. Under the page's real CSP (no bypass) a script tag would be
    refused, so axe is evaluated instead (Playwright's evaluate is not subject to script-src)."""
    if real_csp:
        page.evaluate(AXE.read_text(encoding="utf-8"))
    else:
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG)
    return [{"id": v["id"], "help": v["help"],
             "nodes": [n["html"][:120] for n in v["nodes"][:3]]}
            for v in result["violations"]]


def _shot(page: Any, name: str, full_page: bool = True) -> None:
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=full_page)


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


def _sign_in(page: Any, base: str, who: Staff, code: str | None = None) -> None:
    """Through the forms; a TOTP code works once, so later sign-ins use a recovery code."""
    page.goto(base + "/login")
    page.fill("#username", who.username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/login/code")
    page.fill("#code", code or current_code(who.secret))
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")


def _give_case(ws: Workspace, worker: Staff) -> None:
    """A case about the demo's defender, assigned to `worker`."""
    from sqlalchemy import select

    from amparo.cases.service import Actor, create_case
    from amparo.store.tables import Defender

    with ws.session() as s:
        defender = s.scalars(select(Defender.id)).first()
        assert defender is not None
        create_case(s, Actor.workspace("tester"), defender, "Threats after the march",
                    [worker.username])
    ws.after_commit()


def test_triage_in_the_inbox_with_mouse_and_keyboard_accessible_in_english_and_arabic(
    browser: Any, live: Live,
) -> None:
    base, _admin, ws = live
    worker = add_user(ws, "rui", "caseworker")
    _give_case(ws, worker)  # need-to-know: a caseworker sees the findings of their cases only
    # The real CSP this time (no bypass): the inbox's script must load and run under it.
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _sign_in(page, base, worker)
    page.click("nav a[href='/findings']")
    page.wait_for_url(base + "/findings")
    page.wait_for_function("typeof htmx !== 'undefined'")
    assert page.locator("#shortcuts").is_visible()  # inbox.js ran under the CSP
    badges = page.locator("li.finding .badge").all_inner_texts()
    assert badges and badges[0] == "Critical", badges
    order = ["Critical", "High", "Medium", "Low", "Info"]
    assert [order.index(b) for b in badges] == sorted(order.index(b) for b in badges)
    assert page.locator("li.finding mark").count() >= len(badges)
    total = int(page.locator("#results-title").inner_text().split()[-1])

    # Dismiss the first finding with a reason: htmx swaps the row in place.
    first = page.locator("li.finding").first
    fid = first.get_attribute("data-finding")
    first.locator("input[name=reason]").fill("a quote in a news article, not a threat")
    first.locator("button[value=dismiss]").click()
    row = page.locator(f"#finding-{fid}")
    row.locator(".status-dismissed").wait_for()
    assert "a quote in a news article" in row.locator(".decision").inner_text()
    assert page.url == base + "/findings"  # no reload

    # Keyboard only: j to the next finding, e to escalate, type the reason, Enter.
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    focused = page.evaluate("document.activeElement.dataset.finding")
    assert focused and focused != fid
    page.keyboard.press("e")
    page.keyboard.type("same account that posted her address")
    page.keyboard.press("Enter")
    page.locator(f"#finding-{focused} .status-escalated").wait_for()
    assert _axe(page, real_csp=True) == []

    page.goto(base + "/findings")
    assert page.locator("#results-title").inner_text() == f"Findings: {total - 2}"
    _shot(page, "inbox.png", full_page=False)
    page.locator("li.finding .meta a").first.click()
    page.wait_for_url("**/messages/*")
    assert page.locator(".line.this mark").count() >= 1
    assert len(page.locator("code.hash").inner_text()) == 64
    assert page.locator("table tbody tr").count() >= 1  # its custody history
    assert _axe(page, real_csp=True) == []
    _shot(page, "message.png", full_page=False)
    assert problems == [], problems
    context.close()

    # Without JavaScript the same forms work (a full page round trip) and axe finds nothing.
    context = browser.new_context(java_script_enabled=False, locale="ar",
                                  viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, worker, worker.recovery_codes[0])
    page.goto(base + "/account")
    page.select_option("#language", "ar")
    page.click("form[action='/account/language'] button")
    page.goto(base + "/findings?severity=high")
    assert page.locator("html").get_attribute("dir") == "rtl"
    first = page.locator("li.finding").first
    fid = first.get_attribute("data-finding")
    first.locator("input[name=reason]").fill("تهديد حقيقي")
    first.locator("button[value=confirm]").click()
    page.wait_for_url("**/findings?severity=high&status=new&done=1")
    assert page.locator(f"#finding-{fid}").count() == 0
    assert page.locator("[role=status]").count() == 1
    context.close()
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _sign_in(page, base, worker, worker.recovery_codes[1])
    page.goto(base + "/findings?status=")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert _axe(page) == []
    _shot(page, "inbox-ar.png", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()

