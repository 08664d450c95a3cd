"""Country and state normalisation with pycountry: CRM exports spell places many ways."""

from __future__ import annotations

from functools import lru_cache

import pycountry

_ALIASES = {
    "usa": "US",
    "u.s.": "US",
    "u.s.a.": "US",
    "united states of america": "US",
    "america": "US",
    "uk": "GB",
    "u.k.": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
    "south korea": "KR",
    "korea": "KR",
    "russia": "RU",
    "holland": "NL",
    "the netherlands": "NL",
    "uae": "AE",
    "czech republic": "CZ",
    "vietnam": "VN",
    "taiwan": "TW",
    "iran": "IR",
    "bolivia": "BO",
    "venezuela": "VE",
}


@lru_cache(maxsize=4096)
def normalize_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name or code, or None when unknown."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    alias = _ALIASES.get(text.lower())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


@lru_cache(maxsize=8192)
def normalize_state(value: str | None, country: str | None) -> str | None:
    """The subdivision code without country prefix ("California" -> "CA").

    Anything unknown comes back upper-cased, as given.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if country:
        code = f"{country}-{text.upper()}"
        if pycountry.subdivisions.get(code=code) is not None:
            return text.upper()
        for sub in pycountry.subdivisions.get(country_code=country) or []:
            if sub.name.lower() == text.lower():
                return str(sub.code.split("-", 1)[1])
    return text.upper()
