"""Buyer personas: the seniority and function of a contact, classified from the job title.

One vocabulary for the title classifier, the strategy file's offerings (who can approve
what) and every report that speaks of buyers.
"""

from __future__ import annotations

from typing import Literal, get_args

Seniority = Literal["executive", "vp", "director", "manager", "staff"]
Function = Literal[
    "executive", "it", "finance", "procurement", "operations",
    "sales", "marketing", "hr", "legal", "other",
]  # fmt: skip

SENIORITIES: tuple[str, ...] = get_args(Seniority)  # most senior first
FUNCTIONS: tuple[str, ...] = get_args(Function)
