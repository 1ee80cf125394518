"""Log set-up for the command line: loguru to stderr at a chosen level.

The engine logs every advance (INFO) and every refusal (WARNING). A person at a
terminal already sees a refusal as the command's error, so the default level is
ERROR; set ``PLANCYCLE_LOG_LEVEL=INFO`` to see the log lines too.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from loguru import logger

__all__ = ["configure_logging"]


def configure_logging(env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    level = env.get("PLANCYCLE_LOG_LEVEL", "ERROR").upper()
    logger.remove()
    logger.add(sys.stderr, level=level, format="{time:YYYY-MM-DD HH:mm:ss} | {level} | {message}")
