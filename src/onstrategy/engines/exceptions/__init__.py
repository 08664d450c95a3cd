"""Off-profile exceptions: a rep who wants to pursue a lead or deal outside the ICP says why.

The article: "require a clear rationale from any salesperson pursuing leads that don't match
your ideal client profile". The workflow:

* **request** — the subject's owner (or their manager) gives a reason code from the strategy,
  a rationale with substance (enough words, not a placeholder, not the label copied), an
  expected value and a duration (at most ``exceptions.max_days``). Only an off-profile
  subject, under the version in force, can be excused; an in-profile one needs nothing.
* **decide** — the rep's team manager approves or rejects with a comment. When approving
  would take the rep's off-profile share of open pipeline above ``goals.exception_budget``
  the request *needs escalation*: only a user with role ``exceptions.escalate_to`` may
  approve it. Approval runs from the decision day for the requested days.
* **expire / renew** — an approval ends at ``expires_on``; a renewal is a new request that
  points at the old one (``renews_id``) and is decided like any other.

History is append-only: every step is an event in ``off_profile_exception_event`` (the
database refuses UPDATE and DELETE there) and an entry in the audit log. The row keeps the
current status for quick reads; a decided exception is never decided again.

The package, by concern (callers import from ``onstrategy.engines.exceptions``):

* :mod:`.records` — the table handles and the records (``Subject``, ``Budget``,
  ``OffProfileException``, ``Flag``);
* :mod:`.rules` — what a request must satisfy (``rationale_problems``);
* :mod:`.lookups` — subjects with their fit, a rep's open pipeline and exception budget;
* :mod:`.events` — the append-only event log and row reads;
* :mod:`.workflow` — request, decide, renew, expire;
* :mod:`.reading` — list, history, and the unexcused off-profile flags.

Who is acting (``Actor``, ``resolve_actor``, ``team_manager``, ``visible_reps``) lives in
:mod:`onstrategy.crm.actors`; it is re-exported here for existing callers.
"""

from onstrategy.crm.actors import Actor, resolve_actor, team_manager, visible_reps
from onstrategy.engines.exceptions.lookups import (
    account_fits,
    budget_for,
    load_subject,
    open_pipeline,
)
from onstrategy.engines.exceptions.reading import (
    exception_history,
    list_exceptions,
    unexcused_off_profile,
)
from onstrategy.engines.exceptions.records import (
    EVENTS,
    KINDS,
    STATUSES,
    Budget,
    Flag,
    OffProfileException,
    Subject,
    X,
)
from onstrategy.engines.exceptions.rules import FILLER, PLACEHOLDERS, WORD, rationale_problems
from onstrategy.engines.exceptions.workflow import (
    decide_exception,
    expire_exceptions,
    renew_exception,
    request_exception,
)

__all__ = [
    "EVENTS",
    "FILLER",
    "KINDS",
    "PLACEHOLDERS",
    "STATUSES",
    "WORD",
    "Actor",
    "Budget",
    "Flag",
    "OffProfileException",
    "Subject",
    "X",
    "account_fits",
    "budget_for",
    "decide_exception",
    "exception_history",
    "expire_exceptions",
    "list_exceptions",
    "load_subject",
    "open_pipeline",
    "rationale_problems",
    "renew_exception",
    "request_exception",
    "resolve_actor",
    "team_manager",
    "unexcused_off_profile",
    "visible_reps",
]
