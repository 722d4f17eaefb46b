"""Readiness and sizing for Azure and AWS from the bundled price books."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from migration.catalog import Catalog, Server
from migration.sizing import SizingOptions, classify_os, make_sizer, size_catalog

AZURE_FX = 1 / 1.1355  # the bundled books: ECB reference rate of 2026-09-30


def catalog(*servers: dict[str, Any]) -> Catalog:
    return Catalog.model_validate(
        {
            "version": 1,
            "organisation": "T",
            "contract": {"provider": "ÅDA", "notice_months": 1},
            "systems": [
                {
                    "id": "s",
                    "name": "S",
                    "level": "office",
                    "sector": "it",
                    "owner": "IT",
                    "disposition": "rehost",
                    "criticality": "low",
                    "data_classification": "internal",
                    "personal_data": False,
                }
            ],
            "servers": list(servers),
        }
    )


def server(**extra: Any) -> dict[str, Any]:
    base = {
        "id": "x",
        "system": "s",
        "role": "app",
        "os": "ubuntu-22.04",
        "vcpu": 4,
        "memory_gb": 16,
        "disks_gb": [128],
    }
    base.update(extra)
    return base


def sized(provider: str = "azure", options: SizingOptions | None = None, **extra: Any) -> Any:
    return size_catalog(catalog(server(**extra)), provider, options=options)["x"]


class TestReadiness:
    @pytest.mark.parametrize(
        ("os_name", "level", "words"),
        [
            ("windows-server-2019", "ready", ""),
            ("ubuntu-22.04", "ready", ""),
            ("windows-server-2012r2", "conditionally ready", "Extended Security Updates free"),
            ("windows-server-2016", "conditionally ready", "2027-01-12"),
            ("centos-7", "conditionally ready", "CentOS 7: support ended 2024-06-30"),
            ("rhel-7", "conditionally ready", "RHEL 7"),
            ("windows-server-2003", "not ready", "not supported on Azure"),
            ("windows-server-2008r2-x86", "not ready", "32-bit"),
            ("plan9-4", "unknown", "not recognised"),
        ],
    )
    def test_os(self, os_name: str, level: str, words: str) -> None:
        """Each OS gets its level and a reason naming the fact (planning start 2027-02-01)."""
        result = sized(os=os_name)
        assert result.readiness == level
        assert words in " ".join(result.readiness_reasons)
        assert bool(result.readiness_reasons) == (level != "ready")

    def test_2016_before_end_of_support(self) -> None:
        """Windows Server 2016 is ready when the move is before 2027-01-12."""
        result = sized(os="windows-server-2016", options=SizingOptions(as_of=date(2026, 12, 1)))
        assert result.readiness == "ready"

    def test_aws_esu_reason(self) -> None:
        """On AWS the end-of-support reason says ESUs must be bought."""
        result = sized("aws", os="windows-server-2012r2")
        assert "must be bought" in result.readiness_reasons[0]

    def test_disk_too_large(self) -> None:
        """A disk beyond the largest managed disk (or gp3 volume) is not ready."""
        assert sized(disks_gb=[128, 40000]).readiness == "not ready"
        aws = sized("aws", disks_gb=[128, 20000])
        assert aws.readiness == "not ready" and "16384" in aws.readiness_reasons[0]

    def test_memory_beyond_every_size(self) -> None:
        """Memory beyond every size offered is not ready."""
        result = sized(vcpu=4, memory_gb=4096)
        assert result.readiness == "not ready" and result.sku is None
        assert "beyond every Azure size" in result.readiness_reasons[0]

    def test_family_too_small(self) -> None:
        """Fitting only outside the allowed families is conditionally ready."""
        result = sized(memory_gb=500, options=SizingOptions(azure_families=("Dsv5",)))
        assert result.readiness == "conditionally ready" and result.sku is None
        assert "allow a larger family" in result.readiness_reasons[0]

    def test_classify(self) -> None:
        """OS slugs parse into family and version."""
        assert classify_os("windows-server-2012r2").name == "Windows Server 2012 R2"
        assert classify_os("ubuntu-22.04").family == "linux"
        assert classify_os("centos-7-i386").bits32


class TestSizing:
    def test_as_on_premises(self) -> None:
        """4 vCPU / 16 GB Linux -> Standard_D4s_v5 at 0.23/h x 730 in EUR."""
        result = sized()
        assert (result.sku, result.basis) == ("Standard_D4s_v5", "as on-premises")
        assert result.monthly_price == pytest.approx(0.23 * 730 * AZURE_FX)
        assert "swedencentral 2026-09, observed; seen for westeurope" in result.price_source

    def test_performance_based(self) -> None:
        """8 vCPU at 25% x 1.3 -> 3 vCPU; 32 GB at 30% x 1.3 -> 12.48 GB: D4s_v5."""
        result = sized(vcpu=8, memory_gb=32, cpu_p95=0.25, memory_p95=0.30)
        assert result.basis == "performance-based"
        assert (result.target_vcpu, result.target_memory_gb) == (3, 12.48)
        assert result.sku == "Standard_D4s_v5"

    def test_comfort_factor_and_switch_off(self) -> None:
        """The comfort factor is configurable; performance-based sizing can be switched off."""
        opts = SizingOptions(comfort_factor=2.0)
        assert sized(vcpu=8, cpu_p95=0.5, options=opts).target_vcpu == 8
        off = SizingOptions(performance_based=False)
        assert sized(vcpu=8, memory_gb=32, cpu_p95=0.1, options=off).sku == "Standard_D8s_v5"

    def test_cheapest_family(self) -> None:
        """4 vCPU / 32 GB: E4s_v5 (0.304/h) is cheaper than D8s_v5 (0.46/h)."""
        assert sized(memory_gb=32).sku == "Standard_E4s_v5"

    def test_windows_licence(self) -> None:
        """Windows: licence-included without SA, Hybrid Benefit with it (Azure)."""
        included = sized(os="windows-server-2019", vcpu=2, memory_gb=8)
        assert included.licence_model == "licence-included"
        assert included.monthly_price == pytest.approx(0.207 * 730 * AZURE_FX)
        ahb = sized(
            os="windows-server-2019",
            vcpu=2,
            memory_gb=8,
            licences={"windows_software_assurance": True},
        )
        assert ahb.licence_model == "hybrid-benefit"
        assert ahb.monthly_price == pytest.approx(0.115 * 730 * AZURE_FX)

    def test_aws_windows_is_licence_included(self) -> None:
        """AWS: Windows is licence-included even with SA, at 0.046 USD per vCPU-hour."""
        result = sized(
            "aws", os="windows-server-2019", licences={"windows_software_assurance": True}
        )
        assert result.licence_model == "licence-included"
        assert result.licence_product == "windows"
        assert result.licence_monthly == pytest.approx(0.046 * 4 * 730 * AZURE_FX)
        assert result.price_source is not None and "derived" in result.price_source

    def test_rhel_subscription_by_size_band(self) -> None:
        """RHEL pays its subscription: 0.06/h up to 4 vCPU, 0.13/h above."""
        small = sized("aws", os="rhel-8")
        large = sized("aws", os="rhel-8", vcpu=8, memory_gb=32)
        assert small.licence_product == "rhel" and large.licence_product == "rhel"
        assert small.licence_monthly == pytest.approx(0.06 * 730 * AZURE_FX)
        assert large.licence_monthly == pytest.approx(0.13 * 730 * AZURE_FX)

    def test_sles_without_a_price_is_none_not_zero(self) -> None:
        """SLES has no price in the bundled books: the licence is None, never 0."""
        result = sized("azure", os="sles-15")
        assert result.licence_product == "sles"
        assert result.licence_monthly is None and result.monthly_price is None
        assert any("subscription price unknown" in n for n in result.notes)

    def test_largest_servers_fit_both_clouds(self) -> None:
        """128 vCPU / 2 TiB fits Azure M128s and AWS x2idn.32xlarge."""
        azure = sized("azure", vcpu=128, memory_gb=2048)
        aws = sized("aws", vcpu=128, memory_gb=2048)
        assert azure.sku == "Standard_M128s" and azure.monthly_price is not None
        assert aws.sku == "x2idn.32xlarge" and aws.monthly_price is not None

    def test_disk_beyond_the_largest_volume_is_striped(self) -> None:
        """A 40 TB disk is priced as two P80 volumes (Azure), never dropped."""
        result = sized(disks_gb=[128, 40000])
        assert result.disks[1].tier == "P80 x2"
        assert result.disks[1].monthly_price is not None and result.disks_monthly is not None

    def test_azure_disk_tiers(self) -> None:
        """Disks map to Premium SSD size bands."""
        result = sized(disks_gb=[30, 128, 129, 500, 1000])
        assert [d.tier for d in result.disks] == ["P4", "P10", "P15", "P20", "P30"]
        assert result.disks[1].monthly_price == pytest.approx(21.68 * AZURE_FX)

    def test_aws(self) -> None:
        """AWS: an instance type offered in eu-north-1, gp3 priced per GB."""
        sizer = make_sizer(catalog(server()), "aws")
        result = sizer.size(Server.model_validate(server(disks_gb=[100, 50])))
        assert result.sku == "m5.xlarge" and result.sku in sizer.book.doc.offered
        assert result.disks_monthly == pytest.approx(150 * 0.0836 * AZURE_FX)
        assert result.monthly_price == pytest.approx(0.204 * 730 * AZURE_FX)
        assert result.price_source is not None
        assert "aws price list" in result.price_source and "priced as" not in result.price_source

    def test_unknown_provider(self) -> None:
        """Only azure and aws are providers."""
        with pytest.raises(ValueError, match="azure' or 'aws"):
            size_catalog(catalog(server()), "gcp")


def test_hybrid_benefit_ranks_sizes_by_the_linux_rate() -> None:
    """With Hybrid Benefit the Linux rate is paid, so sizes are ranked by it.

    Hand-made book (EUR a month): X 2 vCPU Linux 100 / Windows 200, Y 4 vCPU Linux 90 /
    Windows 250. Licence-included (no SA): X is cheaper (200 < 250). Hybrid Benefit: Y is
    cheaper (90 < 100); ranking by the Windows price picked X and cost 10 a month more.
    """
    from pathlib import Path

    from migration.pricing.book import PriceBookFile, parse_book

    def entry(item: str, option: str, price: float) -> dict[str, Any]:
        return {
            "item": item,
            "option": option,
            "price": price,
            "unit": "month",
            "currency": "EUR",
            "region": "t",
            "retrieved": "2026-11",
            "source": "hand",
            "basis": "observed",
        }

    doc = PriceBookFile.model_validate(
        {
            "provider": "azure",
            "region": "t",
            "retrieved": "2026-11",
            "source": "hand",
            "sizes": [
                {
                    "name": n,
                    "family": "F",
                    "vcpu": v,
                    "memory_gb": 16,
                    "max_data_disks": 4,
                    "source": "hand",
                }
                for n, v in (("X", 2), ("Y", 4))
            ],
            "disk_tiers": [{"name": "P10", "size_gb": 128, "source": "hand"}],
            "entries": [
                entry("vm:X", "linux-payg", 100),
                entry("vm:X", "windows-payg", 200),
                entry("vm:Y", "linux-payg", 90),
                entry("vm:Y", "windows-payg", 250),
                entry("disk:P10", "", 20),
            ],
        }
    )
    book = parse_book(doc, Path("azure-t.json"))
    opts = SizingOptions(azure_families=("F",))
    win = server(os="windows-server-2019", vcpu=2, memory_gb=8)
    included = size_catalog(catalog(win), "azure", "t", opts, book=book)["x"]
    assert (included.sku, included.monthly_price) == ("X", 200)
    ahb = size_catalog(
        catalog({**win, "licences": {"windows_software_assurance": True}}),
        "azure",
        "t",
        opts,
        book=book,
    )["x"]
    assert (ahb.sku, ahb.monthly_price, ahb.licence_model) == ("Y", 90, "hybrid-benefit")


class TestSizingEveryServer:
    """size_catalog sizes each shape once; every server still gets its own, equal sizing."""

    def _servers(self) -> list[dict[str, Any]]:
        return [
            server(id="a1", vcpu=4, memory_gb=16, disks_gb=[100, 600]),
            server(id="a2", vcpu=4, memory_gb=16, disks_gb=[100, 600]),
            server(id="t1", vcpu=4, memory_gb=16, disks_gb=[100, 600], environment="test"),
            server(id="b1", vcpu=4, memory_gb=16, disks_gb=[100, 9000]),
            server(id="c1", os="windows-server-2022", vcpu=2, memory_gb=8, disks_gb=[128]),
        ]

    @pytest.mark.parametrize("provider", ["azure", "aws"])
    def test_each_server_sized_as_alone(self, provider: str) -> None:
        cat = catalog(*self._servers())
        sizer = make_sizer(cat, provider)
        together = size_catalog(cat, provider)
        assert list(together) == [s.id for s in cat.servers]
        for one in cat.servers:
            assert together[one.id] == sizer.size(one)
            assert together[one.id].server_id == one.id

    def test_a_shape_differs_by_disks_and_environment(self) -> None:
        sized = size_catalog(catalog(*self._servers()), "azure")
        assert sized["a1"].disks == sized["a2"].disks
        assert sized["t1"].disks != sized["a1"].disks  # test: Standard SSD, not Premium
        assert sized["b1"].disks_monthly != sized["a1"].disks_monthly  # same part, other disks
