"""Log set-up for the command line and the scheduler: loguru sinks.

The engine logs every advance (INFO) and every refusal (WARNING); the sweep logs
one line per run (counts, duration) and one per escalation; the dispatcher one per
delivery attempt. A person at a terminal already sees a refusal as the command's
error, so stderr shows ERROR and above unless ``PLANCYCLE_LOG_LEVEL`` says otherwise.
``PLANCYCLE_LOG_JSON=FILE`` (or ``--log-json FILE``) adds a JSON-lines sink at INFO
with every bound field, for log shippers.
"""

from __future__ import annotations

import sys

from loguru import logger

from plancycle.errors import PlancycleError

__all__ = ["BadLogFile", "configure_logging"]


class BadLogFile(PlancycleError):
    """The JSON log file cannot be opened for writing."""


def configure_logging(level: str = "ERROR", json_path: str | None = None) -> None:
    """stderr at ``level`` (``PLANCYCLE_LOG_LEVEL``), and a JSON-lines sink at
    ``json_path`` (``--log-json`` or ``PLANCYCLE_LOG_JSON``) when given."""
    logger.remove()
    logger.add(
        sys.stderr, level=level.upper(), format="{time:YYYY-MM-DD HH:mm:ss} | {level} | {message}"
    )
    if json_path:
        try:
            logger.add(json_path, level="INFO", serialize=True, enqueue=False)
        except OSError as exc:
            why = exc.strerror or str(exc)
            raise BadLogFile(
                f"cannot write the JSON log to {json_path!r} ({why}); give a file path in a "
                f"folder you can write to with --log-json (or PLANCYCLE_LOG_JSON)",
                f"เขียนบันทึก JSON ลงใน {json_path!r} ไม่ได้ ({why}); ระบุไฟล์ในโฟลเดอร์ที่เขียนได้ "
                f"ด้วย --log-json (หรือ PLANCYCLE_LOG_JSON)",
            ) from None
