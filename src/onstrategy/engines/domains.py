"""Domains as evidence of a company: registrable domain, free-mail and ISP domains.

``registrable_domain("https://shop.amazon.co.uk/x")`` is ``"amazon.co.uk"``;
``registrable_domain("jane@mail.acme.com")`` is ``"acme.com"``. tldextract runs offline on
its bundled public-suffix snapshot: it never fetches a list and never writes a cache.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import tldextract

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


@cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@cache
def free_mail_domains() -> frozenset[str]:
    """Free-mail, ISP and disposable-mail domains (``data/matching/free_mail_domains.txt``)."""
    text = resources.files("onstrategy.data.matching").joinpath("free_mail_domains.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(s.lower() for line in lines if (s := line.strip()) and s[0] != "#")


def _host(value: str) -> str:
    """The host part of an email, URL or host name, also from the forms CRMs hold:
    ``Jane <jane@acme.com>``, ``acme.com;``, ``www.acme.com, www.acme.co.uk`` (the first)."""
    parts = [p for p in re.split(r"[\s,;<>]+", value.strip().lower()) if p]
    text = next((p for p in parts if "@" in p), parts[0] if parts else "")
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#\s]", text, maxsplit=1)[0]
    return text.rsplit(":", 1)[0].strip(".") if ":" in text else text.strip(".")


def registrable_domain(value: str) -> str | None:
    """The domain a company registers (``acme.co.uk``) from an email, URL or host name.

    None when the value holds no domain under a public suffix (``localhost``, an IP
    address, ``n/a``).
    """
    host = _host(value)
    if not host or " " in host:
        return None
    parts = _extractor()(host)
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"


def domain_label(domain: str) -> str:
    """The name part of a registrable domain: ``acme.co.uk`` → ``acme``."""
    return _extractor()(domain).domain


def is_free_mail_domain(domain: str) -> bool:
    """True when an address at this domain says nothing about the employer (gmail.com, …)."""
    host = _host(domain)
    if host in free_mail_domains():
        return True
    registered = registrable_domain(host)
    return registered is not None and registered in free_mail_domains()
