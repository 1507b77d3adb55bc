"""A registry's answer as one line of prose: what it said, not its HTML page."""

from __future__ import annotations

import http
import json
from html.parser import HTMLParser

MAX_MESSAGE = 300
_EMPTY_ANSWERS = frozenset({"", "none", "null", "ok", "unknown error."})  # bottle & co.


def registry_message(status: int, reason: str, content_type: str, body: bytes) -> str:
    """The registry's own explanation, on one line.

    A non-standard reason phrase first (Warehouse puts its message there), then a
    JSON ``message``/``detail``/``error``, then the text of an HTML page (its
    ``<pre>`` when it has one), then a plain-text body.
    """
    try:
        standard = http.HTTPStatus(status).phrase
    except ValueError:
        standard = ""
    if reason and reason.strip().lower() != standard.lower():
        return _one_line(reason)
    text = body.decode("utf-8", errors="replace")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime.endswith("json"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("message", "detail", "error"):
                if isinstance(data.get(key), str):
                    return _one_line(data[key])
    elif mime == "text/html" or text.lstrip().startswith("<"):
        text = _html_text(text)
    line = _one_line(text)
    if line.lower() in _EMPTY_ANSWERS:
        return standard if status >= 300 else ""
    return line


class _TextCollector(HTMLParser):
    _SKIPPED = frozenset({"head", "style", "script", "title", "h1"})

    def __init__(self) -> None:
        super().__init__()
        self.pre: list[str] = []
        self.text: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            del self._stack[len(self._stack) - 1 - self._stack[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        if "pre" in self._stack:
            self.pre.append(data)
        elif not self._SKIPPED.intersection(self._stack):
            self.text.append(data)


def _html_text(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return " ".join(collector.pre) if collector.pre else " ".join(collector.text)


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."
