"""`make bench`: how fast amazon-credits is on replay, one line per figure, `name: value`.

    refresh_vs_floor     a full `amazon-credits refresh --replay recordings/amazon.com`
                         (a fresh process) over the floor: a bare Playwright script in a
                         fresh process that launches the same Chromium and loads the
                         same pages from the same recordings; medians of RUNS runs
    extract_ms_per_page  extraction alone, per recorded page, every recording
    accounts_10_vs_1     ten accounts against one in one process and one browser
                         (a context each): wall time, and peak memory (PSS of the
                         process and its browser) for each
    show_cold_s          `amazon-credits show` in a fresh process, median of RUNS

Not collected by pytest (no test_ prefix). Run: `make bench` or `.venv/bin/python tests/bench.py`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RECORDINGS = ROOT / "recordings"
DEMO = RECORDINGS / "amazon.com"
RUNS = 5
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# The floor: nothing but Playwright, the same Chromium and launch arguments, the same
# pages answered from the same files. argv: executable, then (url, file) pairs.
FLOOR = """
import sys
from playwright.sync_api import sync_playwright
exe, args, pairs = sys.argv[1] or None, sys.argv[2].split(), sys.argv[3:]
pages = dict(zip(pairs[0::2], pairs[1::2]))
def answer(route):
    path = pages.get(route.request.url)
    if path is None:
        route.abort("blockedbyclient")
    else:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=open(path, "rb").read())
with sync_playwright() as pw:
    browser = pw.chromium.launch(executable_path=exe, args=args)
    context = browser.new_context()
    context.route("**/*", answer)
    page = context.new_page()
    for url in pages:
        page.goto(url, wait_until="domcontentloaded")
        page.content()
    browser.close()
"""


def cli(*args: str) -> list[str]:
    script = Path(sys.executable).parent / "amazon-credits"
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-c", "from scraper.cli import main; main()", *args]


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_wall(command: list[str]) -> float:
    wall(command)  # warm the page cache: "cold" means a fresh process, not a cold disk
    return statistics.median(wall(command) for _ in range(RUNS))


def launch_settings() -> tuple[str, list[str]]:
    """The executable and arguments scraper.browser.open_browser uses."""
    from playwright.sync_api import sync_playwright

    from scraper import browser

    with sync_playwright() as pw:
        executable = browser.find_browser(pw) or ""
    args = list(browser.LAUNCH_ARGS)
    if sys.platform.startswith("linux") and os.geteuid() == 0:
        args.append("--no-sandbox")
    return executable, args


def walked_pages() -> list[tuple[str, str]]:
    """(recorded url, file) of every page a refresh of the demo recordings requests, in order."""
    from playwright.sync_api import sync_playwright

    from scraper.browser import new_context, open_browser
    from scraper.replay import Replay, load_manifest, request_key
    from scraper.sitedata import load_marketplace
    from scraper.walk import REPLAY_SETTINGS, walk

    manifest = load_manifest(DEMO)
    replay = Replay(DEMO)
    with sync_playwright() as pw:
        browser = open_browser(pw)
        walk(new_context(browser, load_marketplace(manifest.marketplace), replay=replay).new_page(),
             load_marketplace(manifest.marketplace), settings=REPLAY_SETTINGS)
        browser.close()
    by_key = {request_key(p.url): p for p in manifest.page}
    return [(by_key[key].url, str(DEMO / by_key[key].file)) for key in dict.fromkeys(replay.served)]


def refresh_vs_floor(data_dir: Path) -> str:
    executable, args = launch_settings()
    pairs = [item for pair in walked_pages() for item in pair]
    floor_command = [sys.executable, "-c", FLOOR, executable, " ".join(args), *pairs]
    refresh_command = cli("--data-dir", str(data_dir), "refresh", "--replay", str(DEMO), "--account", "demo")
    wall(floor_command), wall(refresh_command)  # warm the page cache
    floors, refreshes = [], []
    for _ in range(RUNS):  # alternated, so a busy moment of the machine hits both alike
        floors.append(wall(floor_command))
        refreshes.append(wall(refresh_command))
    floor, refresh = statistics.median(floors), statistics.median(refreshes)
    return f"{refresh / floor:.2f} (refresh {refresh:.2f} s, floor {floor:.2f} s, {len(pairs) // 2} pages, median of {RUNS}; target <= 1.5)"


def extract_ms_per_page() -> str:
    from scraper.extract import extract
    from scraper.replay import load_manifest
    from scraper.sitedata import load_marketplace

    pages = []
    for manifest_path in sorted(RECORDINGS.glob("*/manifest.toml")):
        manifest = load_manifest(manifest_path.parent)
        site = load_marketplace(manifest.marketplace)
        for page in manifest.page:
            pages.append(((manifest_path.parent / page.file).read_text(encoding="utf-8"), site, page.url))
    for html, site, url in pages:  # warm: locale data, compiled patterns
        extract(html, site, url)
    rounds = 20
    start = time.perf_counter()
    for _ in range(rounds):
        for html, site, url in pages:
            extract(html, site, url)
    per_page = (time.perf_counter() - start) * 1000 / (rounds * len(pages))
    return f"{per_page:.2f} ({len(pages)} recorded pages, {rounds} rounds; target < 20)"


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


class PeakMemory:
    """Peak PSS of this process and everything it started (the driver, Chromium), sampled."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(os.getpid())))

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def accounts_run(count: int) -> None:
    """Child mode: `bench.py --accounts N` refreshes N accounts, prints 'wall_s peak_kb'."""
    from scraper.browser import SharedBrowser
    from scraper.refresh import RefreshRequest, run_refresh
    from scraper.sitedata import load_marketplace
    from scraper.store import Store

    site = load_marketplace("amazon.com")
    with tempfile.TemporaryDirectory() as tmp, PeakMemory() as memory, Store(Path(tmp) / "s.sqlite3") as store:
        start = time.perf_counter()
        with SharedBrowser() as shared:  # what `refresh --all` and `nightly` use
            for n in range(count):
                request = RefreshRequest(account=f"account-{n}", site=site, replay_dir=DEMO)
                result = run_refresh(request, store, shared=shared)
                assert result.snapshot.status == "complete", result.snapshot.problems
        elapsed = time.perf_counter() - start
    print(f"{elapsed} {memory.peak_kb}")


def accounts_10_vs_1() -> str:
    figures = {}
    for count in (1, 10):
        done = subprocess.run(
            [sys.executable, __file__, "--accounts", str(count)], cwd=ROOT, env=ENV, check=True,
            capture_output=True, text=True,
        )
        elapsed, peak = done.stdout.split()[-2:]
        figures[count] = (float(elapsed), int(peak) / 1024)
    (one_s, one_mb), (ten_s, ten_mb) = figures[1], figures[10]
    return (
        f"{ten_s / one_s:.2f} (wall {ten_s:.2f} s vs {one_s:.2f} s; peak memory {ten_mb:.0f} MB vs {one_mb:.0f} MB; "
        "one SharedBrowser, a context per account, accounts one after another as refresh --all runs them; target <= 3)"
    )


def show_cold_s(data_dir: Path) -> str:
    seconds = median_wall(cli("--data-dir", str(data_dir), "show", "--account", "demo"))
    return f"{seconds:.3f} (fresh process, median of {RUNS}; target < 0.3)"


def main() -> None:
    if sys.argv[1:2] == ["--accounts"]:
        accounts_run(int(sys.argv[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        print(f"refresh_vs_floor: {refresh_vs_floor(data_dir)}", flush=True)
        print(f"extract_ms_per_page: {extract_ms_per_page()}", flush=True)
        print(f"accounts_10_vs_1: {accounts_10_vs_1()}", flush=True)
        print(f"show_cold_s: {show_cold_s(data_dir)}", flush=True)


if __name__ == "__main__":
    main()
