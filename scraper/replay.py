"""Replay: serve every request of a browser context from a recordings folder.

A recordings folder holds HTML files and a `manifest.toml` that maps the real
amazon.com URLs to them. Playwright's request routing answers each request
from the folder, so the browser walks the real URLs with no network and no
server. A request with no recording is aborted and listed in `unrecorded`.
Faults (timeouts, 5xx, resets, truncated or empty pages, slow answers) can be
injected per URL to test how the walk copes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from playwright.sync_api import BrowserContext, Route
from playwright.sync_api import Error as PlaywrightError
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scraper.errors import ConfigInvalid, what_is_wrong
from scraper.sitedata import read_toml

# What a balance never needs: aborted quietly, live and in replay.
UNNEEDED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "imageset", "texttrack"})

# Query parameters Amazon adds for tracking; they never change what a page shows.
_TRACKING_PARAMS = frozenset({"ref", "ref_", "pf_rd_p", "pf_rd_r", "pd_rd_r", "pd_rd_w", "pd_rd_wg"})


class RecordedPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(pattern=r"^https://")
    file: str
    origin: Literal["captured", "constructed"]
    source: str = Field(min_length=1, description="where a capture came from, or what a constructed page imitates")
    license: str | None = Field(default=None, description="license file of a captured page, if not the folder's")
    status: int = 200
    content_type: str = "text/html; charset=utf-8"


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marketplace: str
    license: str | None = Field(default=None, description="license file for captured pages")
    page: list[RecordedPage] = Field(default_factory=list)


def load_manifest(folder: Path) -> Manifest:
    path = folder / "manifest.toml"
    try:
        manifest = Manifest.model_validate(read_toml(path))
    except ValidationError as exc:
        lines = "\n".join(f"  {line}" for line in what_is_wrong(exc))
        raise ConfigInvalid(f"{path} is not a valid recordings manifest:\n{lines}") from None
    for page in manifest.page:
        if not (folder / page.file).is_file():
            raise ConfigInvalid(f"{path}: recording {page.file} for {page.url} does not exist.")
    return manifest


def bundled_recordings(marketplace: str) -> Path:
    """The recordings shipped with the tool: in the installed package, or the source tree."""
    installed = Path(__file__).parent / "recordings"
    root = installed if installed.is_dir() else Path(__file__).parent.parent / "recordings"
    return root / marketplace


def request_key(url: str) -> str:
    """A URL without fragment and tracking parameters, query sorted: what identifies a page."""
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _TRACKING_PARAMS)
    key = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{key}?{urlencode(query)}" if query else key


FaultKind = Literal["timeout", "reset", "http_500", "http_503", "truncated", "empty", "slow"]


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    times: int = 1  # how many requests to the URL it affects; later ones are served normally
    delay_s: float = 0.0  # for "slow"


@dataclass
class Replay:
    folder: Path
    faults: dict[str, Fault] = field(default_factory=dict)  # request_key -> fault
    served: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)
    blocked: int = 0
    on_request: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        manifest = load_manifest(self.folder)
        self.marketplace = manifest.marketplace
        self._pages = {request_key(p.url): p for p in manifest.page}
        self._fault_counts: dict[str, int] = {}

    def install(self, context: BrowserContext) -> None:
        context.route("**/*", self._handle)

    def _handle(self, route: Route) -> None:
        request = route.request
        if request.resource_type in UNNEEDED_RESOURCES:
            self.blocked += 1
            route.abort("blockedbyclient")
            return
        key = request_key(request.url)
        if self.on_request:
            self.on_request(key)
        recorded = self._pages.get(key)
        if recorded is None:
            self.unrecorded.append(request.url)
            route.abort("blockedbyclient")
            return
        body = (self.folder / recorded.file).read_bytes()
        fault = self._take_fault(key)
        if fault is not None:
            if fault.kind == "timeout":
                route.abort("timedout")
                return
            if fault.kind == "reset":
                route.abort("connectionreset")
                return
            if fault.kind in ("http_500", "http_503"):
                route.fulfill(status=int(fault.kind[-3:]), content_type="text/html", body=b"<html><body>Service error</body></html>")
                return
            if fault.kind == "truncated":
                body = body[: len(body) // 3]
            elif fault.kind == "empty":
                body = b""
            elif fault.kind == "slow":
                # Wait without blocking Playwright's dispatcher (time.sleep would freeze every
                # other page and timer too, which no slow server does), then answer if still wanted.
                try:
                    request.frame.page.wait_for_timeout(fault.delay_s * 1000)
                    route.fulfill(status=recorded.status, content_type=recorded.content_type, body=body)
                except PlaywrightError:
                    return  # the browser gave up on the request, or the context closed: nothing to answer
                self.served.append(key)
                return
        self.served.append(key)
        route.fulfill(status=recorded.status, content_type=recorded.content_type, body=body)

    def _take_fault(self, key: str) -> Fault | None:
        fault = self.faults.get(key)
        if fault is None:
            return None
        used = self._fault_counts.get(key, 0)
        if used >= fault.times:
            return None
        self._fault_counts[key] = used + 1
        return fault
