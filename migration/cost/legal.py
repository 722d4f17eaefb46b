"""Legal-review flags the cost model raises; the exit-plan helper reads them from cost.json.

Each flag has a code, a message with the catalog's numbers and its source. They are flags
for a lawyer, not conclusions: whether ÅDA's service is in the Data Act's scope is a legal
question.
"""

from __future__ import annotations

from datetime import date

from migration.catalog import Catalog

DATA_ACT_SWITCHING_DATE = date(2027, 1, 12)
DATA_ACT_SOURCE = "EU Data Act (Regulation (EU) 2023/2854) Art. 25, 29"


def legal_flags(
    catalog: Catalog, exit_day: date, *, exit_fee_due: bool = True
) -> list[dict[str, str]]:
    """Legal-review flags: notice over 2 months; an exit fee in the contract at an exit
    on/after 2027-01-12 (due on a full exit; flagged either way, the clause needs review)."""
    flags = []
    contract = catalog.contract
    if contract.notice_months > 2:
        flags.append(
            {
                "code": "notice-over-2-months",
                "message": f"The contract's notice period is {contract.notice_months} months; the "
                "EU Data Act caps the notice period for switching at 2 months if "
                f"{contract.provider} is a data processing service. Legal review needed.",
                "source": DATA_ACT_SOURCE,
            }
        )
    if contract.exit_fee and exit_day >= DATA_ACT_SWITCHING_DATE:
        when = "is due" if exit_fee_due else "would be due on a full exit"
        flags.append(
            {
                "code": "exit-fee-data-act",
                "message": f"An exit fee of {contract.exit_fee:.2f} {catalog.currency} {when} "
                f"at an exit on {exit_day}; from {DATA_ACT_SWITCHING_DATE} the EU Data Act bans "
                "switching charges if the service is in scope. Legal review needed.",
                "source": DATA_ACT_SOURCE,
            }
        )
    return flags
