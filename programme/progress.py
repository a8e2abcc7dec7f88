"""A one-line progress display for builds that take more than a moment.

WeasyPrint reports its steps on the ``weasyprint.progress`` logger ("Step 5 - Creating
layout - Page 12"…), and a build in parts reports the parts done on ``programme.progress``
("parts 3 of 16"). While a build runs, :func:`showing_progress` turns those into a
single updating line on the terminal ("laying out page 12", "laid out 3 of 16 parts"), starting only after a short
delay so quick builds stay silent. It shows nothing when output is not a terminal, in CI
(the ``CI`` environment variable) or with ``--quiet``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import time

_STEPS = [
    (re.compile(r"parts (\d+) of (\d+)"), "laid out {0} of {1} parts"),
    (re.compile(r"Step 5 - Creating layout - Page (\d+)"), "laying out page {0}"),
    (re.compile(r"Step 5 - Creating layout - Repagination"), "checking page references"),
    (re.compile(r"Step [1-4]"), "reading HTML and CSS"),
    (re.compile(r"Step 6"), "drawing pages"),
    (re.compile(r"Step 7"), "writing the PDF"),
]


class _Line(logging.Handler):
    def __init__(self, stream, delay: float):
        super().__init__(logging.INFO)
        self.stream = stream
        self.started = time.monotonic()
        self.delay = delay
        self.width = 0

    def emit(self, record):
        if time.monotonic() - self.started < self.delay:
            return
        message = record.getMessage()
        for pattern, text in _STEPS:
            match = pattern.search(message)
            if match:
                line = text.format(*match.groups())
                self.stream.write("\r" + line.ljust(self.width))
                self.stream.flush()
                self.width = max(self.width, len(line))
                return

    def clear(self):
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()


def wanted(quiet: bool, stream=None) -> bool:
    stream = stream or sys.stderr
    return not quiet and not os.environ.get("CI") and stream.isatty()


@contextlib.contextmanager
def showing_progress(enabled: bool, delay: float = 1.0, stream=None):
    if not enabled:
        yield
        return
    handler = _Line(stream or sys.stderr, delay)
    # WeasyPrint's steps in a one-document build; parts done in a build in parts
    loggers = [logging.getLogger("weasyprint.progress"), logging.getLogger("programme.progress")]
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level in zip(loggers, previous):
            logger.removeHandler(handler)
            logger.setLevel(level)
        handler.clear()
