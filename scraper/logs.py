"""Logging through structlog: readable on a terminal, JSON lines otherwise.

Logs go to standard error so that `--json` output on standard output stays
clean for scripts.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path
from typing import Literal, TextIO

import structlog

LogFormat = Literal["auto", "console", "json"]
NIGHTLY_LOG = "nightly.log"


def _processors(renderer: structlog.typing.Processor) -> list[structlog.typing.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        renderer,
    ]


def configure_logging(verbose: bool = False, fmt: LogFormat = "auto", stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=_processors(renderer),
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG if verbose else logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )


def configure_file_logging(log_dir: Path, *, max_bytes: int = 1_000_000, backups: int = 5) -> Path:
    """Unattended runs: structlog -> JSON lines in log_dir/nightly.log, rotated at max_bytes, `backups` old files kept."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / NIGHTLY_LOG
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("amazon_credits.file")
    for old in list(logger.handlers):
        logger.removeHandler(old)
        old.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    structlog.configure(
        processors=_processors(structlog.processors.JSONRenderer()),
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=lambda *args: logger,
        cache_logger_on_first_use=False,
    )
    return path
