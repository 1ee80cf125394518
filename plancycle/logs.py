"""Log set-up for the command line and the scheduler: loguru sinks.

The engine logs every advance (INFO) and every refusal (WARNING); the sweep logs
one line per run (counts, duration) and one per escalation; the dispatcher one per
delivery attempt. A person at a terminal already sees a refusal as the command's
error, so stderr shows ERROR and above unless ``PLANCYCLE_LOG_LEVEL`` says otherwise.
``PLANCYCLE_LOG_JSON=FILE`` (or ``--log-json FILE``) adds a JSON-lines sink at INFO
with every bound field, for log shippers.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from loguru import logger

__all__ = ["configure_logging"]


def configure_logging(env: Mapping[str, str] | None = None, json_path: str | None = None) -> None:
    env = os.environ if env is None else env
    level = env.get("PLANCYCLE_LOG_LEVEL", "ERROR").upper()
    logger.remove()
    logger.add(sys.stderr, level=level, format="{time:YYYY-MM-DD HH:mm:ss} | {level} | {message}")
    json_path = json_path or env.get("PLANCYCLE_LOG_JSON")
    if json_path:
        logger.add(json_path, level="INFO", serialize=True, enqueue=False)
