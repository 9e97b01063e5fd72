"""Remove personal data from a rendered Amazon page, keeping what extraction needs.

Use `redact_html(html, known=[...])` on any page that leaves the user's
machine or lands on disk for someone else to read: `record` uses it for
contributed recordings, and sign-in failure captures should use it too
(pass the account's email and any name you know in `known`). It is a pure
function: HTML in, HTML out, no browser.

What goes, and how:
- every <script>, <noscript>, <template>, <iframe>, <object>, <embed>, HTML
  comment, and <meta> other than charset/viewport: removed;
- inline event handlers (on*): removed;
- input values: hidden, text, email, tel, password, search ... are emptied
  (submit/button/checkbox/radio labels stay, so forms remain recognisable);
- attributes whose name speaks of a customer, session, token, csrf, email,
  phone or address: value replaced;
- URLs in href/src/action/formaction/srcset and data-*url attributes:
  the fragment is dropped, every query value except harmless ones (ref,
  ref_, ie, ...) is replaced by a stable hash (so a redacted "next page" link
  still matches the redacted URL of the page it leads to), order ids in paths
  are masked;
- text of the elements that hold names and addresses (the "Hello, NAME"
  greeting, the delivery line, address blocks, profile names): replaced;
- in all remaining text and attribute values: email addresses, phone
  numbers, order ids, gift card claim codes, card numbers and "ending in
  1234" digits, and every string given in `known`: replaced.

Amounts, dates and the page's structure (ids, classes) are kept, so a
redacted recording extracts exactly like the original.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

MASK = "[redacted]"

_REMOVED_TAGS = "script, noscript, template, iframe, object, embed"
_KEPT_INPUT_TYPES = frozenset({"submit", "button", "reset", "image", "checkbox", "radio"})
_URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "srcset", "data-url", "data-href", "poster"})
_SENSITIVE_ATTRIBUTE = re.compile(r"customer|session|token|csrf|email|phone|address|claim|account-?id|user-?id", re.I)
_SAFE_QUERY_KEYS = frozenset({"ref", "ref_", "ie", "language", "pageIndex", "page", "state", "ft", "tag"})

# Elements whose whole text is a name or an address.
PERSONAL_BLOCKS = [
    "#glow-ingress-line1",
    "#glow-ingress-line2",
    ".a-profile-name",
    ".displayAddressDiv",
    ".displayAddressUL",
    "#shipaddress",
    ".ship-address",
    "[id^='address-book-entry']",
    ".address-section .a-list-item",
    "#customer-name",
    ".customer-name",
]
# Greetings that end in the user's name: the greeting word stays, the name goes.
GREETINGS = ["#nav-link-accountList-nav-line-1", "#nav-greeting-name", ".nav-line-1-container .nav-line-1"]
_GREETING = re.compile(r"^(\W*[^\W\d_]+,?\s+)(.+)$")
_SIGNED_OUT = re.compile(r"sign in|anmelden|identifiez|identif[ií]cate|accedi|ログイン|entrar|inicia", re.I)

_PATTERNS = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email
    re.compile(r"\b(?:\d{3}|[A-Z]\d{2})-\d{7}-\d{7}\b"),  # order id (111-..., D01-...)
    re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{6}-[A-Z0-9]{4,5}\b"),  # gift card claim code
    re.compile(r"\b(?:\d[ -]?){12,18}\d\b"),  # card number
    re.compile(
        r"(?<=ending in )\d{4}|(?<=endet auf )\d{4}|(?<=terminant par )\d{4}|(?<=termina en )\d{4}"
        r"|(?<=termina con )\d{4}|(?<=末尾)\d{4}|(?<=ending with )\d{4}",
        re.I,
    ),
    re.compile(r"\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}"),  # international phone
    re.compile(r"\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4}\b"),  # North American phone
    re.compile(r"\b0\d{2,4}[\s-]\d{3,4}[\s-]?\d{3,4}\b"),  # national phone with trunk 0
]


def _hash(value: str) -> str:
    return "r" + hashlib.sha256(value.encode("utf-8")).hexdigest()[:12]


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """Mask personal data inside a piece of text (see the module's list)."""
    for secret in sorted({k for k in known if k and k.strip()}, key=len, reverse=True):
        text = re.sub(re.escape(secret), MASK, text, flags=re.I)
    for pattern in _PATTERNS:
        text = pattern.sub(MASK, text)
    return text


def redact_url(url: str, known: Iterable[str] = ()) -> str:
    """A URL without fragment, with query values hashed (safe keys kept) and ids masked in its path."""
    if url.startswith(("javascript:", "mailto:", "tel:")):
        return ""
    if not url or url.startswith("data:"):
        return url
    parts = urlsplit(url)
    query = [(k, v if k in _SAFE_QUERY_KEYS else _hash(v)) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    path = redact_text(parts.path, known)
    return urlunsplit((parts.scheme, parts.netloc, path, encoded, ""))


def _set_text(node: LexborNode, text: str) -> None:
    for child in list(node.iter(include_text=True)):
        child.decompose()
    node.insert_child(text)


def redact_html(html: str, known: Iterable[str] = ()) -> str:
    """The page with personal data removed; see the module docstring for what and how."""
    known = [k for k in known if k]
    doc = LexborHTMLParser(html)
    for node in doc.css(_REMOVED_TAGS):
        node.decompose()
    for node in doc.css("meta"):
        if not ({"charset"} & set(node.attributes) or node.attributes.get("name") == "viewport"):
            node.decompose()

    for selector in GREETINGS:
        for node in doc.css(selector):
            greeting = _GREETING.match(node.text(separator=" ").strip())
            if greeting and not _SIGNED_OUT.search(greeting.group(2)):
                _set_text(node, greeting.group(1) + MASK)
            elif not greeting:
                _set_text(node, MASK)
    for selector in PERSONAL_BLOCKS:
        for node in doc.css(selector):
            _set_text(node, MASK)

    for node in doc.css("input, textarea, select option"):
        kind = (node.attributes.get("type") or "text").lower()
        if node.tag == "textarea":
            _set_text(node, "")
        elif node.tag == "input" and kind not in _KEPT_INPUT_TYPES and "value" in node.attributes:
            node.attrs["value"] = ""

    for node in doc.root.traverse(include_text=False) if doc.root else []:
        for name, value in list(node.attributes.items()):
            if name.lower().startswith("on"):
                del node.attrs[name]
            elif value is None:
                continue
            elif _SENSITIVE_ATTRIBUTE.search(name):
                node.attrs[name] = MASK
            elif name.lower() in _URL_ATTRIBUTES or name.lower().endswith("url"):
                node.attrs[name] = redact_url(value, known)
            else:
                masked = redact_text(value, known)
                if masked != value:
                    node.attrs[name] = masked

    for node in [n for n in doc.root.traverse(include_text=True) if n.is_text_node] if doc.root else []:
        original = node.text_content or ""
        masked = redact_text(original, known)
        if masked != original:
            node.replace_with(masked)
    # Comments anywhere, including before <html> where the tree walk does not reach.
    return _COMMENT.sub("", doc.html or "")


_COMMENT = re.compile(r"<!--.*?-->", re.S)
