"""`amparo case ...`: cases from the command line, over the same service functions as the
web (amparo.cases.service). The CLI acts as the workspace's actor, with an admin's reach.
The store is imported inside each command, so `amparo --help` stays fast."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from amparo.cli_common import fail, out, workspace

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from amparo.cases.service import Actor

case_app = typer.Typer(no_args_is_help=True,
                       help="Cases: workflow, assignees, notes, tasks and linked evidence.")
T = TypeVar("T")
STATUSES = "new, triage, active, referred or closed"


def _run(fn: Callable[[Session, Actor], T]) -> T:
    """One service call in one transaction, as the workspace's actor."""
    from amparo.cases.service import Actor

    with workspace() as ws:
        with ws.session() as s:
            result = fn(s, Actor.workspace(ws.settings.actor))
        ws.after_commit()
    return result


def _due(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-12-31",
                                 param_hint="--due") from None


@case_app.command("new")
def case_new(
    defender: Annotated[str, typer.Option(help="Defender id or pseudonym.")],
    title: Annotated[str, typer.Option(help="What the case is about.")],
    assign: Annotated[list[str] | None, typer.Option(
        "--assign", help="A user to assign; repeat for several.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Open a case (status new) for a defender; prints the new id."""
    from amparo.cases import service
    from amparo.store.defenders import find_defender

    def run(s: Session, a: Actor) -> dict[str, Any]:
        case = service.create_case(s, a, find_defender(s, defender).id, title, assign or [])
        return service.summary(case, "")

    made = _run(run)
    if as_json:
        out.print_json(data={"id": made["id"], "status": made["status"]})
    else:
        out.print(made["id"])


@case_app.command("list")
def case_list(
    status: Annotated[str | None, typer.Option(help=f"Only cases in this status: {STATUSES}.")
                      ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List cases, most recently changed first."""
    from amparo.cases import service

    rows = _run(lambda s, a: service.list_cases(s, a, status=status))
    if as_json:
        out.print_json(data=rows)
        return
    table = Table("id", "status", "defender", "title", "updated")
    for r in rows:
        table.add_row(str(r["id"]), r["status"], r["defender"], r["title"],
                      r["updated_at"][:16].replace("T", " "))
    out.print(table)


@case_app.command("show")
def case_show(case_id: int, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show a case: people, notes (internal and shared), tasks, links and activity."""
    from amparo.cases import service

    case = _run(lambda s, a: service.get_case(s, a, case_id))
    if as_json:
        out.print_json(data=case)
        return
    out.print(f"[bold]case {case['id']}[/]: {case['title']}", highlight=False)
    out.print(f"defender: {case['defender']} ({case['defender_id']})   status: {case['status']}"
              + (f" ({case['closed_reason']})" if case["closed_reason"] else ""), highlight=False)
    out.print(f"assignees: {', '.join(case['assignees']) or '-'}   shared with: "
              f"{', '.join(case['shared_with']) or '-'}", highlight=False)
    for n in case["notes"]:
        kind = "shared" if n["shared"] else "internal"
        fix = f", corrects note {n['supersedes']}" if n["supersedes"] else ""
        out.print(f"note {n['id']} ({kind}{fix}) {n['author']} {n['created_at'][:16]}: "
                  f"{n['text']}", highlight=False, markup=False)
    for t in case["tasks"]:
        mark = "done" if t["done"] else ("OVERDUE" if t["overdue"] else "open")
        out.print(f"task {t['id']} [{mark}] {t['title']} due {t['due'] or '-'} "
                  f"assignee {t['assignee'] or '-'}", highlight=False, markup=False)
    for link in case["links"]:
        out.print(f"linked {link['kind']} {link['id']}", highlight=False)
    for e in case["activity"]:
        out.print(f"{e['at'][:19]} {e['actor']} {e['action']} {json.dumps(e['details'])}",
                  highlight=False, markup=False)


@case_app.command("move")
def case_move(
    case_id: int,
    status: Annotated[str, typer.Argument(help=f"The new status: {STATUSES}.")],
    reason: Annotated[str, typer.Option(help="Why (required to close).")] = "",
) -> None:
    """Move a case along its workflow."""
    from amparo.cases import service

    moved = _run(lambda s, a: service.transition(s, a, case_id, status, reason).status)
    out.print(f"case {case_id} is now {moved}")


@case_app.command("note")
def case_note(
    case_id: int,
    text: Annotated[str, typer.Option(help="The note.")],
    shared: Annotated[bool, typer.Option(
        "--shared", help="A note shared with the defender (default: internal).")] = False,
    supersedes: Annotated[int | None, typer.Option(
        help="The id of an earlier note this one corrects (notes are never edited).")] = None,
) -> None:
    """Add a note to a case; prints its id."""
    from amparo.cases import service

    out.print(_run(lambda s, a: service.add_note(s, a, case_id, text, shared=shared,
                                                 supersedes=supersedes).id))


@case_app.command("task")
def case_task(
    case_id: int,
    title: Annotated[str, typer.Option(help="What is to be done.")],
    due: Annotated[str | None, typer.Option(help="Due date, YYYY-MM-DD.")] = None,
    assign: Annotated[str | None, typer.Option("--assign", help="Who does it.")] = None,
) -> None:
    """Add a task to a case; prints its id."""
    from amparo.cases import service

    when = _due(due)
    out.print(_run(lambda s, a: service.add_task(s, a, case_id, title, due=when,
                                                 assignee=assign).id))


@case_app.command("done")
def case_done(case_id: int, task_id: int) -> None:
    """Mark a task of a case done."""
    from amparo.cases import service

    _run(lambda s, a: service.complete_task(s, a, case_id, task_id))
    out.print(f"task {task_id} of case {case_id} is done")


@case_app.command("link")
def case_link(
    case_id: int,
    finding: Annotated[int | None, typer.Option(help="A finding id.")] = None,
    message: Annotated[int | None, typer.Option(help="A message id.")] = None,
    evidence: Annotated[int | None, typer.Option(help="An evidence item id.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the link instead.")] = False,
) -> None:
    """Link a finding, message or evidence item of the case's defender to the case."""
    from amparo.cases import service

    given = [(k, v) for k, v in (("finding", finding), ("message", message),
                                 ("evidence", evidence)) if v is not None]
    if len(given) != 1:
        fail("give exactly one of --finding, --message or --evidence")
    kind, target = given[0]
    if remove:
        _run(lambda s, a: service.unlink(s, a, case_id, kind, target))
        out.print(f"case {case_id}: link to {kind} {target} removed")
    else:
        _run(lambda s, a: service.link(s, a, case_id, kind, target))
        out.print(f"case {case_id}: linked {kind} {target}")


def _people(change: str) -> Callable[..., None]:
    def command(
        case_id: int,
        username: str,
        remove: Annotated[bool, typer.Option("--remove", help="Take the user off.")] = False,
    ) -> None:
        from amparo.cases import service

        fn = {("assign", False): service.assign, ("assign", True): service.unassign,
              ("share", False): service.share, ("share", True): service.unshare}[change, remove]
        _run(lambda s, a: fn(s, a, case_id, username))
        out.print(f"case {case_id}: {username} {'removed' if remove else change + 'ed'}")
    return command


case_app.command("assign", help="Assign a user to a case (--remove to take them off).")(
    _people("assign"))
case_app.command("share", help="Give a user read access to a case (--remove to take it "
                               "back).")(_people("share"))


def register(app: typer.Typer) -> None:
    app.add_typer(case_app, name="case")
