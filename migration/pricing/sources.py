"""Where the bundled price books' numbers come from: source texts and the dated FX rate.

Each text names the public source, the region it was seen for and its date, so that every
number a procurement reader sees can be traced. Keys in brackets ([S99]) resolve in
``docs/pricing-sources.md``. ``estimate`` entries are list prices no stored public source
confirms: they carry low confidence and are replaced by ``utflytt prices refresh``.
"""

from __future__ import annotations

from typing import Any

S99 = "aether catalog tests, recorded Azure Retail Prices API shape, westeurope 2026-09 [S99]"
S99_TABLE = "hand table in aether catalog tests, probably westeurope, low confidence [S99]"
S100 = "VM pricing tests, East US, 'verified by live queries' (undated) [S100]"
S107 = "eWeek, Azure Backup billing by protected instance plus storage (2016 prices) [S107]"
S109 = "c3x.dev, Azure egress bandwidth cost (third-party) [S109]"
S113 = "Azure retail collector test fixture, westeurope, observed 2026-09-03 [S113]"
S114 = "Azure public IP fixture, East US, Standard public IP 0.005/h (undated) [S114]"
S115 = "AirBreda cost model, eu-north-1, from the AWS Price List API, c. Oct 2026 [S115]"
S116 = "multi-region EC2 table incl. eu-north-1 (undated) [S116]"
S118 = "AWS public price map snapshot, hawkFilePublicationDate 2024-11-14 [S118]"
S119 = "AWS pricing snapshot 2025-01-15 (sources disagree: 0.1 and 0.098 elsewhere) [S119]"
S120 = "AWS egress rate card, thenegotiationexperts.com (2026) [S120]"
AWS_LICENCE_DOC = (
    "AWS EC2 User Guide, 'Optimize CPUs for License-Included instances': per vCPU-hour "
    "Windows Server 0.046, with SQL Server Standard 0.166, with SQL Server Enterprise 0.421 "
    "(after 2025-10-15) [P-AWS-LI]"
)
RHEL_AWS = (
    "Strategic Blue, 'Understanding RHEL licence costs on AWS' (AWS bulk price data "
    "2023-04): 0.06/h up to 4 vCPU, 0.13/h above [P-RHEL]"
)
AWS_SUPPORT = (
    "AWS Support plan pricing page: Business, greater of 100 USD or 10 % of the first "
    "10 000 USD, 7 % to 80 000, 5 % to 250 000, 3 % above [P-AWS-SUP]"
)
AWS_VPN = "factualminds.com, Amazon VPC pricing (us-east-1, 2026-06): VPN 0.05/h [P-AWS-VPN]"
BASTION = (
    "stratolens.com, idle Azure Bastion (updated 2026-07-01): Basic SKU about 0.19/h [P-BASTION]"
)
AZ_VPN = (
    "devweekends.com, Azure hybrid networking: site-to-site VPN gateway about 140 USD "
    "a month (undated) [P-AZ-VPN]"
)
ESTIMATE = (
    "utflytt estimate of the provider's public list price (no stored public source); "
    "verify with `utflytt prices refresh`"
)
AZ_SIZES_SOURCE = "Microsoft Learn size tables, Dsv5, Esv5 and M-series (vCPU, GiB, max data disks)"
AZ_DISK_SOURCE = (
    "Microsoft Learn, Premium SSD (P) and Standard SSD (E) managed disk sizes (size bands)"
)

ECB_EUR_PER_USD = round(1 / 1.1355, 6)
FX: dict[str, Any] = {
    "eur_per_usd": ECB_EUR_PER_USD,
    "date": "2026-09-30",
    "source": "ECB euro foreign exchange reference rate of 2026-09-30, 1 EUR = 1.1355 USD "
    "(as quoted by [S115]); refresh with `utflytt prices refresh --eur-per-usd RATE "
    "--fx-date DATE`",
    "basis": "observed",
}
