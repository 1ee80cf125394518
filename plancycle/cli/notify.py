"""`plancycle contacts` and `plancycle outbox`: where notices go, what waits to go, and
the LINE push quota it is sent within."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlmodel import Session, col, func, select

from plancycle.cli.context import AppContext
from plancycle.cli.options import BadOption
from plancycle.cli.render import Col, Fit, Renderer, console, fitted_table, print_json
from plancycle.definitions.model import Text
from plancycle.kinds import Delivery, OutboxStatus
from plancycle.notifier.channels import LineSettings
from plancycle.notifier.contacts import default_delivery, import_contacts_csv, set_delivery
from plancycle.notifier.line_api import read_quota
from plancycle.store.models import Contact, OutboxMessage

__all__ = ["contacts_app", "outbox_app"]

contacts_app = typer.Typer(no_args_is_help=True, help="Who is told: area + role -> addresses.")
outbox_app = typer.Typer(no_args_is_help=True, help="Notifications waiting, sent or dead.")
STATUSES: tuple[OutboxStatus, ...] = tuple(OutboxStatus)
STATUS_LABELS = {
    OutboxStatus.PENDING: Text("รอส่ง", "pending"),
    OutboxStatus.DELIVERED: Text("ส่งแล้ว", "delivered"),
    OutboxStatus.DEAD: Text("ส่งไม่สำเร็จ", "dead"),
    OutboxStatus.HELD: Text("รอรวมส่ง", "held for a digest or bundle"),
    OutboxStatus.DIGESTED: Text("รวมส่งแล้ว", "in a digest or bundle"),
}
DELIVERY_LABELS = {
    Delivery.IMMEDIATE: Text("ทันที", "immediate"),
    Delivery.DIGEST: Text("สรุปรายวัน", "daily digest"),
}
DEFAULT = "default"


def _subject(subject: str, lang: str) -> str:
    """The subject in one language: subjects are written "Thai / English"."""
    th, sep, en = subject.partition(" / ")
    return (en if lang == "en" else th) if sep else subject


@contacts_app.command("import")
def contacts_import(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV: area_code,role,channel,address[,name][,delivery].")
    ],
) -> None:
    """Add or update contacts; any bad row stops the import and nothing is written."""
    app_ctx: AppContext = ctx.obj
    with Session(app_ctx.db) as session, session.begin():
        count = import_contacts_csv(session, file, set(app_ctx.catalog.roles))
    console.print(
        app_ctx.text(f"เพิ่ม/ปรับปรุงผู้ติดต่อ {count:,} รายการ", f"{count:,} contacts added or updated")
    )


@contacts_app.command("list")
def contacts_list(
    ctx: typer.Context,
    area: Annotated[
        str | None, typer.Option("--area", help="Area codes starting with this (2401).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Every contact: area, role, channel, address and how it is told."""
    app_ctx: AppContext = ctx.obj
    query = select(Contact).order_by(col(Contact.area_code), col(Contact.role), col(Contact.id))
    if area:
        query = query.where(col(Contact.area_code).startswith(area))
    with Session(app_ctx.db) as session:
        rows = list(session.exec(query).all())
    if as_json:
        print_json(
            [
                {
                    "id": c.id,
                    "area": c.area_code,
                    "role": c.role,
                    "channel": c.channel,
                    "address": c.address,
                    "name": c.name,
                    "delivery": c.delivery or DEFAULT,
                    "told": _told(c),
                }
                for c in rows
            ]
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    roles = app_ctx.catalog.roles
    default = r.pick("ค่าเริ่มต้น", "default")
    cols = [
        Col("#", Fit.NUMBER),
        Col(r.pick("พื้นที่", "area"), Fit.ID),
        Col(r.pick("บทบาท", "role"), ratio=2),
        Col(r.pick("ถึง", "to"), Fit.ID),
        Col(r.pick("วิธีแจ้ง", "delivery")),
    ]
    table = [
        [
            r.num(c.id or 0),
            c.area_code or r.pick("ทั้งประเทศ", "nation"),
            escape(roles[c.role].label.pick(r.lang) if c.role in roles else c.role),
            escape(f"{c.channel}:{c.address}"),
            DELIVERY_LABELS[_told(c)].pick(r.lang) + ("" if c.delivery else f" ({default})"),
        ]
        for c in rows
    ]
    title = r.pick(f"ผู้ติดต่อ {r.num(len(rows))} รายการ", f"{len(rows)} contacts")
    console.print(fitted_table(cols, table, title))


def _told(contact: Contact) -> Delivery:
    return Delivery(contact.delivery) if contact.delivery else default_delivery(contact.area_code)


@contacts_app.command("set-delivery")
def contacts_set_delivery(
    ctx: typer.Context,
    contact_id: Annotated[int, typer.Argument(help="The contact's number (contacts list).")],
    delivery: Annotated[str, typer.Argument(help="immediate, digest or default.")],
) -> None:
    """Switch one contact between a message per notice and one digest per working day."""
    app_ctx: AppContext = ctx.obj
    wanted = (*Delivery, DEFAULT)
    if delivery not in wanted:
        raise BadOption(
            f"delivery takes one of {', '.join(wanted)}, not {delivery!r}",
            f"วิธีแจ้ง {delivery!r} ใช้ไม่ได้; ระบุหนึ่งใน {', '.join(wanted)} "
            f"(ทันที, สรุปรายวัน, ค่าเริ่มต้นของบทบาท)",
        )
    with Session(app_ctx.db) as session, session.begin():
        contact = set_delivery(
            session, contact_id, None if delivery == DEFAULT else Delivery(delivery)
        )
        told, where = _told(contact), f"{contact.channel}:{contact.address}"
    label = DELIVERY_LABELS[told]
    console.print(
        app_ctx.text(
            f"ผู้ติดต่อ #{contact_id} ({where}) รับแจ้งแบบ{label.th}",
            f"contact #{contact_id} ({where}) is told: {label.en}",
        ),
        highlight=False,
    )


@outbox_app.command("list")
def outbox_list(
    ctx: typer.Context,
    status: Annotated[
        str | None,
        typer.Option("--status", help="pending, delivered, dead, held or digested."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The newest notifications, with how each one fared."""
    app_ctx: AppContext = ctx.obj
    if status is not None and status not in STATUSES:
        raise BadOption(
            f"--status takes one of {', '.join(STATUSES)}, not {status!r}",
            f"--status {status!r} ไม่ใช่สถานะที่มี; ระบุหนึ่งใน {', '.join(STATUSES)} "
            f"(รอส่ง, ส่งแล้ว, ส่งไม่สำเร็จ, รอรวมส่ง, รวมส่งแล้ว)",
        )
    query = select(OutboxMessage).order_by(col(OutboxMessage.id).desc()).limit(limit)
    totals_q = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    if status:
        query = query.where(OutboxMessage.status == status)
    with Session(app_ctx.db) as session:
        rows = list(session.exec(query).all())
        totals = dict(session.exec(totals_q).all())
    if as_json:
        print_json(
            {
                "totals": totals,
                "messages": [
                    {
                        "id": m.id,
                        "status": m.status,
                        "channel": m.channel,
                        "address": m.address,
                        "role": m.role,
                        "area": m.area_code,
                        "subject": m.subject,
                        "attempts": m.attempts,
                        "next_attempt_at": m.next_attempt_at,
                        "delivered_at": m.delivered_at,
                        "last_error": m.last_error,
                    }
                    for m in rows
                ],
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    said: dict[str, str] = {k: STATUS_LABELS[k].pick(r.lang) for k in STATUSES}
    cols = [
        Col("#", Fit.NUMBER),
        Col(r.pick("สถานะ", "status")),
        Col(r.pick("ถึง", "to"), Fit.ID),
        Col(r.pick("เรื่อง", "subject"), ratio=3),
        Col(r.pick("ครั้ง", "tries"), Fit.NUMBER),
    ]
    table = [
        [
            r.num(m.id or 0),
            said.get(m.status, m.status),
            escape(f"{m.channel}:{m.address}"),
            escape(_subject(m.subject, r.lang)),
            r.num(m.attempts),
        ]
        for m in rows
    ]
    title = ", ".join(f"{said.get(k, k)} {r.num(v)}" for k, v in sorted(totals.items())) or "-"
    console.print(fitted_table(cols, table, title))


@outbox_app.command("line-quota")
def outbox_line_quota(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """This month's LINE push quota: the limit, what is used and what is left."""
    app_ctx: AppContext = ctx.obj
    line = LineSettings.of(app_ctx.settings)
    quota = read_quota(line.api, line.token, line.timeout)
    if as_json:
        print_json(
            {
                "limit": quota.limit,
                "used": quota.used,
                "left": quota.left,
                "share": quota.share,
                "nearly_used": quota.nearly_used,
            }
        )
        return
    r = Renderer(app_ctx.lang, app_ctx.thai_digits)
    unlimited = r.pick("ไม่จำกัด", "no limit")
    share = "-" if quota.share is None else r.num(f"{quota.share:.0%}")
    cols = [
        Col(r.pick("โควตาเดือนนี้", "this month's quota"), Fit.NUMBER),
        Col(r.pick("ใช้ไป", "used"), Fit.NUMBER),
        Col(r.pick("เหลือ", "left"), Fit.NUMBER),
        Col(r.pick("ใช้ไปแล้ว", "share used"), Fit.NUMBER),
    ]
    row = [
        unlimited if quota.limit is None else r.num(quota.limit),
        r.num(quota.used),
        unlimited if quota.left is None else r.num(quota.left),
        share,
    ]
    console.print(fitted_table(cols, [row], r.pick("ข้อความไลน์ที่ส่งออก", "LINE push messages")))
    if quota.nearly_used:
        console.print(
            r.pick(
                "โควตาใกล้หมดแล้ว: ข้อความที่เกินโควตาจะส่งไม่ได้จนถึงเดือนหน้า "
                "(เพิ่มแพ็กเกจของบัญชีไลน์ทางการ หรือใช้ช่องทางอื่น)",
                "the quota is nearly used: pushes beyond it fail until next month "
                "(upgrade the LINE Official Account's plan, or use another channel)",
            )
        )
