"""The legal timeline of the exit, dated against the waves.

One exit day (:func:`migration.exitday.exit_day`, the one the cost model uses) closes the
contract. The Data Act (Reg. (EU) 2023/2854, Art. 25) orders what happens around it: a
switching request or notice (at most 2 months' notice, Art. 25(2)(d)), a transitional period
(30 days, extendable once by the customer, Art. 25(2)(a), 25(5)), a data-retrieval period of
at least 30 days (Art. 25(2)(g)) and then full erasure (Art. 25(2)(h)).

When to send the request is a decision (``con-switching-timing``), dated here both ways:

- **A**: request switching under the Data Act before wave 0, so that the transitional period
  (with the provider's duty to assist and keep the service running) covers the migration;
- **B**: give notice as the contract allows, after the last wave when the exit day leaves
  room, without the Data Act's assistance during the waves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from migration.catalog import Catalog
from migration.exitday import exit_day, last_cutover
from migration.plan import Plan
from waves.calendar import months_before

DATA_ACT_MAX_NOTICE_MONTHS = 2
"""Art. 25(2)(d): the longest notice a provider may require before a switch starts."""
TRANSITION_DAYS = 30
"""Art. 25(2)(a): the mandatory maximum transitional period (the customer may extend it)."""
RETRIEVAL_DAYS = 30
"""Art. 25(2)(g): the minimum data-retrieval period after the transitional period."""
BACKSTOP_MONTHS = 7
"""Art. 25(4): the longest alternative transitional period if 30 days is infeasible."""
DECISION_LEAD_DAYS = 14
"""Days before the option-A request date by which the timing decision is due."""


@dataclass(frozen=True)
class Option:
    """One way of timing the switching request: every Data Act date, in order."""

    key: str  # "A" | "B"
    request: date  # switching request / notice sent
    transition_start: date  # notice period over; the switch starts
    transition_end: date  # the contract ends when switching completes (Art. 25(2)(c))
    retrieval_end: date  # >= 30 days after the transition
    erasure: date  # full erasure from this day
    notice_months: int  # the notice period this option counts with
    extended: bool  # the transition had to be extended past 30 days to cover the waves
    within_backstop: bool  # the extension stays within the 7-month backstop
    months_saved: int  # whole months the contract ends before the exit day (A only)
    notice_before_last_wave: bool  # B: the notice must go before the last wave is done

    def dates(self) -> tuple[date, ...]:
        """The dates in Data Act order (non-decreasing in a valid timeline)."""
        return (
            self.request,
            self.transition_start,
            self.transition_end,
            self.retrieval_end,
            self.erasure,
        )


@dataclass(frozen=True)
class LegalTimeline:
    """The exit day, both request options, and the waves they are dated against."""

    exit_day: date
    first_wave_start: date | None
    last_wave_end: date | None
    decision_due: date
    a: Option
    b: Option

    @property
    def options(self) -> tuple[Option, Option]:
        """Options A and B."""
        return (self.a, self.b)


def _months_between(early: date, late: date) -> int:
    months = (late.year - early.year) * 12 + late.month - early.month
    if late.day < early.day:
        months -= 1
    return max(0, months)


def legal_timeline(catalog: Catalog, plan: Plan) -> LegalTimeline:
    """Date both options against ``plan``'s waves and the shared exit day."""
    day = exit_day(catalog, plan)
    waves = sorted(plan.waves, key=lambda w: w.start)
    first = waves[0].start if waves else None
    last = last_cutover(plan)
    notice = catalog.contract.notice_months
    a_notice = min(notice, DATA_ACT_MAX_NOTICE_MONTHS)
    anchor = first or day
    a_request = months_before(anchor, a_notice)
    a_start = anchor
    a_end = max(a_start + timedelta(days=TRANSITION_DAYS), last or a_start)
    a_retrieval = a_end + timedelta(days=RETRIEVAL_DAYS)
    option_a = Option(
        key="A",
        request=a_request,
        transition_start=a_start,
        transition_end=a_end,
        retrieval_end=a_retrieval,
        erasure=a_retrieval + timedelta(days=1),
        notice_months=a_notice,
        extended=a_end > a_start + timedelta(days=TRANSITION_DAYS),
        within_backstop=a_end <= months_before(a_start, -BACKSTOP_MONTHS),
        months_saved=_months_between(a_end, day),
        notice_before_last_wave=False,
    )
    b_request = months_before(day, notice)
    b_retrieval = day + timedelta(days=RETRIEVAL_DAYS)
    option_b = Option(
        key="B",
        request=b_request,
        transition_start=day,
        transition_end=day,
        retrieval_end=b_retrieval,
        erasure=b_retrieval + timedelta(days=1),
        notice_months=notice,
        extended=False,
        within_backstop=True,
        months_saved=0,
        notice_before_last_wave=last is not None and b_request < last,
    )
    return LegalTimeline(
        exit_day=day,
        first_wave_start=first,
        last_wave_end=last,
        decision_due=a_request - timedelta(days=DECISION_LEAD_DAYS),
        a=option_a,
        b=option_b,
    )
