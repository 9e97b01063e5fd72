"""Every recording: extraction equals its expected file; its origin is stated."""

import json
from pathlib import Path

import pytest

from scraper.extract import extract
from scraper.replay import load_manifest
from scraper.sitedata import load_marketplace
from tests.conftest import RECORDINGS

MANIFEST_DIRS = sorted(p.parent for p in RECORDINGS.glob("*/manifest.toml"))
CASES = [
    pytest.param(folder, page, id=f"{folder.name}/{page.file}")
    for folder in MANIFEST_DIRS
    for page in load_manifest(folder).page
    if page.file.endswith(".html") and (folder / page.file.replace(".html", ".expected.json")).exists()
]


def test_there_are_recordings() -> None:
    assert any(folder.name == "amazon.com" for folder in MANIFEST_DIRS)


@pytest.mark.parametrize("folder", MANIFEST_DIRS, ids=lambda p: p.name)
def test_every_html_recording_is_in_the_manifest_with_an_expected_file(folder: Path) -> None:
    listed = {page.file for page in load_manifest(folder).page}
    for html in folder.glob("*.html"):
        assert html.name in listed, f"{html} is not in {folder}/manifest.toml"
        assert html.with_name(html.stem + ".expected.json").is_file(), f"{html} has no expected file"


@pytest.mark.parametrize("folder,page", CASES)
def test_recording_states_its_origin(folder: Path, page) -> None:  # type: ignore[no-untyped-def]
    head = (folder / page.file).read_text(encoding="utf-8")[:600]
    assert head.startswith("<!-- origin: "), "each recording opens with a comment saying where it came from"
    assert page.origin in head
    if page.origin == "captured":
        manifest = load_manifest(folder)
        assert manifest.license and (folder / manifest.license).is_file()


@pytest.mark.parametrize("folder,page", CASES)
def test_extraction_matches_expected(folder: Path, page) -> None:  # type: ignore[no-untyped-def]
    manifest = load_manifest(folder)
    site = load_marketplace(manifest.marketplace)
    html = (folder / page.file).read_text(encoding="utf-8")
    expected = json.loads((folder / page.file.replace(".html", ".expected.json")).read_text())
    assert extract(html, site, page.url).public() == expected
