"""The contacts page: the contacts of the caller's areas with filters and each one's last
delivery, the add and edit form, delete (after a confirmation), and the test message.
Forms post normally (303 back) or with htmx (the page's ``#contacts`` part swapped); a
refusal shows the form again with what was typed and each field's problem."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from plancycle.errors import PlancycleError
from plancycle.kinds import Delivery, LastDelivery
from plancycle.notifier.contacts import CHANNELS, FIELDS
from plancycle.web.api_contacts import actor_of
from plancycle.web.auth import Principal
from plancycle.web.forms import FormLimits, read_form
from plancycle.web.pages_common import PageUser, check_csrf, render
from plancycle.web.problems import status_for
from plancycle.web.state import WebState
from plancycle.workflow.contacts_admin import (
    ContactFilter,
    ContactInvalid,
    ContactOutOfArea,
    add_contact,
    delete_contact,
    edit_contact,
    get_contact,
    list_contacts,
    send_test,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

PATH = "/contacts"

#: how the page names the channels and the ways of delivery
CHANNEL_LABELS = {
    "log": ("บันทึกระบบ", "log"),
    "email": ("อีเมล", "e-mail"),
    "webhook": ("เว็บฮุก", "webhook"),
    "line": ("ไลน์", "LINE"),
}
DELIVERY_LABELS = {
    Delivery.IMMEDIATE.value: ("ส่งทันที", "immediately"),
    Delivery.DIGEST.value: ("สรุปรายวัน", "daily digest"),
}
STATUS_LABELS = {
    LastDelivery.DELIVERED: ("ส่งถึงแล้ว", "delivered"),
    LastDelivery.FAILED: ("ส่งไม่สำเร็จ", "failed"),
    LastDelivery.WAITING: ("รอส่ง", "waiting"),
    LastDelivery.NEVER: ("ยังไม่เคยส่ง", "never sent"),
}


def _web(request: Request) -> WebState:
    return request.app.state.web


def _show(
    request: Request,
    who: Principal,
    status: int = 200,
    typed: dict[str, str] | None = None,
    problems: dict[str, tuple[str, str]] | None = None,
    error: PlancycleError | None = None,
    editing: int | None = None,
) -> Response:
    web = _web(request)
    q = request.query_params
    flt = ContactFilter(q.get("area") or None, q.get("role") or None, q.get("channel") or None)
    actor = actor_of(who)
    rows = list_contacts(web.db, actor, flt)
    edit_id = editing if editing is not None else _int(q.get("edit"))
    if typed is None and edit_id is not None:
        current = get_contact(web.db, actor, edit_id).contact
        typed = {f: getattr(current, f) or "" for f in FIELDS}
    confirm = _int(q.get("delete"))
    return render(
        request,
        "contacts.html",
        {
            "rows": rows,
            "flt": flt,
            "typed": typed or {"area_code": who.home},
            "problems": problems or {},
            "error": error,
            "edit_id": edit_id,
            "confirm": get_contact(web.db, actor, confirm) if confirm is not None else None,
            "tested": request.session.pop("contact_tested", None),
            "saved": request.session.pop("contact_saved", None),
            "channels": CHANNELS,
            "channel_labels": CHANNEL_LABELS,
            "delivery_labels": DELIVERY_LABELS,
            "status_labels": STATUS_LABELS,
            "field_th": _FIELD_LABELS,
        },
        status,
        who=who,
    )


_FIELD_LABELS = {
    "area_code": ("รหัสพื้นที่", "Area code"),
    "role": ("บทบาท", "Role"),
    "channel": ("ช่องทาง", "Channel"),
    "address": ("ที่อยู่", "Address"),
    "name": ("ชื่อ", "Name"),
    "delivery": ("วิธีส่ง", "Delivery"),
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _back(request: Request) -> Response:
    query = {k: v for k, v in request.query_params.items() if k in ("area", "role", "channel")}
    url = PATH + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return RedirectResponse(url, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    web = _web(request)
    limits = FormLimits(0, web.settings.form_max_fields)
    form = await read_form(request, limits, lambda f: check_csrf(request, f.get("csrf")))
    try:
        return {f: v for f in FIELDS if isinstance(v := form.get(f), str)}
    finally:
        await form.close()


@router.get(PATH)
def contacts_page(request: Request, who: PageUser) -> Response:
    return _show(request, who)


async def _save(request: Request, who: Principal, contact_id: int | None) -> Response:
    web = _web(request)
    typed = await _form(request)
    roles = set(web.catalog.roles)
    try:
        if contact_id is None:
            view = await run_in_threadpool(add_contact, web.db, actor_of(who), typed, roles)
        else:
            view = await run_in_threadpool(
                edit_contact, web.db, actor_of(who), contact_id, typed, roles
            )
    except (ContactInvalid, ContactOutOfArea) as exc:
        problems = {p.field: (p.th, p.en) for p in exc.problems}
        return await run_in_threadpool(
            _show, request, who, status_for(exc), typed, problems, exc, contact_id
        )
    request.session["contact_saved"] = view.contact.id
    return _back(request)


@router.post(PATH)
async def contact_add_form(request: Request, who: PageUser) -> Response:
    return await _save(request, who, None)


@router.post(PATH + "/{contact_id}")
async def contact_edit_form(request: Request, who: PageUser, contact_id: int) -> Response:
    return await _save(request, who, contact_id)


@router.post(PATH + "/{contact_id}/delete")
async def contact_delete_form(request: Request, who: PageUser, contact_id: int) -> Response:
    await _form(request)
    await run_in_threadpool(delete_contact, _web(request).db, actor_of(who), contact_id)
    return _back(request)


@router.post(PATH + "/{contact_id}/test")
async def contact_test_form(request: Request, who: PageUser, contact_id: int) -> Response:
    web = _web(request)
    await _form(request)
    view = await run_in_threadpool(
        send_test, web.db, web.settings.channels, actor_of(who), contact_id, web.now()
    )
    request.session["contact_tested"] = _tested(view.as_dict())
    return _back(request)


def _tested(found: dict[str, Any]) -> dict[str, Any]:
    """What the page says of the test just sent (kept in the session until shown)."""
    last = found["last_delivery"]
    return {"id": found["id"], "kind": last["kind"], "error": last["error"]}
