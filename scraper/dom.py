"""Small readers of a parsed page, shared by extraction and sign-in recognition."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Pages space amounts and words with no-break and narrow no-break spaces too.
_WHITESPACE = re.compile(r"[\s\u00a0\u202f]+")


def folded(text: str) -> str:
    """Every run of whitespace as one plain space, stripped."""
    return _WHITESPACE.sub(" ", text).strip()


def text_of(node: LexborNode) -> str:
    """An element's text as a person reads it: its pieces spaced, its whitespace folded."""
    return folded(node.text(separator=" "))


def any_present(doc: LexborHTMLParser | LexborNode, selectors: list[str]) -> bool:
    return any(doc.css_first(selector) is not None for selector in selectors)
