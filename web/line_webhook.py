"""``POST /line/webhook``: the LINE bot's webhook, to tell an office its group's id.

Answers only when ``PLANCYCLE_LINE_SECRET`` is set (404 otherwise); a request without
LINE's signature is refused (401) and changes nothing. The rules are in
``notifier/line_webhook.py``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from plancycle.notifier.line_webhook import BadWebhook, read_events, reply
from plancycle.web.deps import State

__all__ = ["router"]

router = APIRouter()


@router.post("/line/webhook", include_in_schema=False)
async def line_webhook(request: Request, web: State) -> JSONResponse:
    settings = web.settings
    if not settings.line_secret:
        return _refused(
            404,
            "the LINE webhook is off: set PLANCYCLE_LINE_SECRET to the channel secret",
            "ยังไม่ได้เปิด webhook ของไลน์: ตั้งค่า PLANCYCLE_LINE_SECRET เป็น Channel secret",
        )
    body = await request.body()
    try:
        sources = read_events(
            settings.line_secret, body, request.headers.get("x-line-signature", "")
        )
    except BadWebhook as exc:
        return _refused(401 if "X-Line-Signature" in exc.en else 400, exc.en, exc.th)
    if settings.line_token:
        for source in sources:
            if source.asks:
                await run_in_threadpool(reply, settings.line_api, settings.line_token, source)
    return JSONResponse({"events": len(sources)})


def _refused(status: int, en: str, th: str) -> JSONResponse:
    return JSONResponse({"status": status, "detail": en, "detail_th": th}, status_code=status)
