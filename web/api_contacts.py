"""Contacts through the API: list (with each one's last delivery), add, change, delete,
and send a test message (``workflow/contacts_admin.py`` holds the rules)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from plancycle.web.api_models import ContactIn, ContactOut, ContactPatch, ContactsOut
from plancycle.web.api_schema import errors
from plancycle.web.auth import Principal
from plancycle.web.deps import ApiUser, State
from plancycle.workflow.contacts_admin import (
    ContactActor,
    ContactFilter,
    add_contact,
    delete_contact,
    edit_contact,
    list_contacts,
    send_test,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])


def actor_of(who: Principal) -> ContactActor:
    return ContactActor(who.id, who.role, who.area)


@router.get(
    "/contacts",
    summary="Contacts of the caller's areas (province offices and administrators)",
    response_model=ContactsOut,
    responses=errors(401, 403, 422),
)
def contacts(
    web: State,
    who: ApiUser,
    area: str | None = None,
    role: str | None = None,
    channel: str | None = None,
) -> dict[str, Any]:
    found = list_contacts(web.db, actor_of(who), ContactFilter(area or None, role, channel))
    return {"contacts": [c.as_dict() for c in found]}


@router.post(
    "/contacts",
    summary="Add a contact",
    response_model=ContactOut,
    responses=errors(400, 401, 403, 422),
)
def contact_add(web: State, who: ApiUser, body: ContactIn) -> dict[str, Any]:
    """Checked as the CSV import checks a row; an area outside the caller's is 403."""
    roles = set(web.catalog.roles)
    return add_contact(web.db, actor_of(who), body.model_dump(), roles).as_dict()


@router.patch(
    "/contacts/{contact_id}",
    summary="Change a contact (the fields given)",
    response_model=ContactOut,
    responses=errors(400, 401, 403, 404, 422),
)
def contact_edit(web: State, who: ApiUser, contact_id: int, body: ContactPatch) -> dict[str, Any]:
    raw = body.model_dump(exclude_unset=True)
    return edit_contact(web.db, actor_of(who), contact_id, raw, set(web.catalog.roles)).as_dict()


@router.delete(
    "/contacts/{contact_id}",
    summary="Delete a contact (its messages stay); the contact as it was",
    response_model=ContactOut,
    responses=errors(401, 403, 404),
)
def contact_delete(web: State, who: ApiUser, contact_id: int) -> dict[str, Any]:
    return delete_contact(web.db, actor_of(who), contact_id).as_dict()


@router.post(
    "/contacts/{contact_id}/test",
    summary="Send a test message through the outbox and the contact's channel, now",
    response_model=ContactOut,
    responses=errors(401, 403, 404),
)
async def contact_test(web: State, who: ApiUser, contact_id: int) -> dict[str, Any]:
    """The answer's ``last_delivery`` is this message's outcome."""
    view = await run_in_threadpool(
        send_test, web.db, web.settings.channels, actor_of(who), contact_id, web.now()
    )
    return view.as_dict()


def _refuse_method(allow: str) -> None:
    raise HTTPException(405, headers={"Allow": allow})


# A path served by several routes: any other method is answered 405 naming them all
# (Starlette would name only the first route's).
for _path, _allow in (("/contacts", "GET, POST"), ("/contacts/{contact_id}", "PATCH, DELETE")):
    _others = [
        m for m in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE") if m not in _allow
    ]
    router.add_api_route(
        _path,
        lambda _allow=_allow: _refuse_method(_allow),
        methods=_others,
        include_in_schema=False,
    )
