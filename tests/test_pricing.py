"""Price books (bundled data, loading, quotes) and refresh against recorded responses."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.errors import InputFileError
from migration.pricing import BUNDLED_DIR, find_book, load_book
from migration.pricing.azure_meters import QUERIES
from migration.pricing.book import book_files
from migration.pricing.refresh import refresh_book

DATA = Path(__file__).parent / "data" / "prices"


class TestBundled:
    @pytest.mark.parametrize("path", book_files(BUNDLED_DIR), ids=lambda p: p.name)
    def test_every_entry_has_provenance(self, path: Path) -> None:
        """Every bundled entry names source, region, currency and basis; unknown is null."""
        book = load_book(path)
        assert book.doc.fx is not None and book.doc.fx.date
        for entry in book.doc.entries:
            assert entry.source and entry.region and entry.currency in ("USD", "EUR")
            if entry.basis == "unknown":
                assert entry.price is None and entry.method
            else:
                assert entry.price is not None and entry.retrieved is not None
            if entry.basis == "derived":
                assert entry.method, entry

    def test_known_prices_are_the_observed_ones(self) -> None:
        """The Azure book holds the West Europe values of the recorded public sources."""
        book = find_book("azure", "swedencentral")
        d4 = book.entry("vm:Standard_D4s_v5", "linux-payg")
        assert d4 is not None and (d4.price, d4.basis) == (0.23, "observed")
        ri = book.entry("vm:Standard_D4s_v5", "linux-reserved-1y")
        assert ri is not None and (ri.price, ri.unit) == (1243, "term-1y")
        d8 = book.entry("vm:Standard_D8s_v5", "linux-payg")
        assert d8 is not None and d8.basis == "derived" and d8.price == pytest.approx(0.46)
        gp3 = find_book("aws", "eu-north-1").entry("ebs:gp3")
        assert gp3 is not None and gp3.price == 0.0836

    def test_quote_units(self) -> None:
        """Hourly x 730, a term over its months, USD at the book's dated rate."""
        book = find_book("azure", "swedencentral")
        assert book.doc.fx is not None
        rate = book.doc.fx.eur_per_usd
        payg = book.quote("vm:Standard_D4s_v5", "linux-payg")
        ri1 = book.quote("vm:Standard_D4s_v5", "linux-reserved-1y")
        ri3 = book.quote("vm:Standard_D4s_v5", "linux-reserved-3y")
        assert payg is not None and payg.monthly == pytest.approx(0.23 * 730 * rate)
        assert ri1 is not None and ri1.monthly == pytest.approx(1243 / 12 * rate)
        assert ri3 is not None and ri3.monthly == pytest.approx(2388 / 36 * rate)
        unknown = book.quote("os:sles", "small")
        assert unknown is not None and not unknown.known

    def test_fx_is_the_dated_ecb_rate(self) -> None:
        """USD converts at the ECB reference rate of 2026-09-30 (1 EUR = 1.1355 USD)."""
        for provider, region in (("azure", "swedencentral"), ("aws", "eu-north-1")):
            fx = find_book(provider, region).doc.fx
            assert fx is not None and fx.basis == "observed" and fx.date == "2026-09-30"
            assert fx.eur_per_usd == pytest.approx(1 / 1.1355) and "ECB" in fx.source

    def test_books_for_the_planned_regions_keep_each_prices_region(self) -> None:
        """The book is for Sweden Central; a price seen elsewhere says where."""
        book = find_book("azure", "swedencentral")
        assert book.region == "swedencentral"
        d4 = book.entry("vm:Standard_D4s_v5", "linux-payg")
        assert d4 is not None and d4.region == "westeurope"
        assert "(priced as" not in book.label("swedencentral")

    def test_other_region_is_labelled(self) -> None:
        """A region without a book falls back to the provider's newest, with a note."""
        book = find_book("azure", "northeurope")
        assert "(priced as swedencentral)" in book.label("northeurope")

    def test_estimates_are_low_confidence_and_sourced(self) -> None:
        """An estimate always carries low confidence and says to verify it."""
        for provider, region in (("azure", "swedencentral"), ("aws", "eu-north-1")):
            estimates = [
                e for e in find_book(provider, region).doc.entries if e.basis == "estimate"
            ]
            assert estimates
            for entry in estimates:
                assert entry.confidence == "low" and "prices refresh" in entry.source

    def test_aws_offered_list_has_a_source(self) -> None:
        """The AWS book lists the instance types offered in eu-north-1, with a source."""
        book = find_book("aws", "eu-north-1")
        assert "m5.large" in book.doc.offered and book.doc.offered_source
        assert {s.name for s in book.doc.sizes} <= set(book.doc.offered)


class TestLoadErrors:
    def test_bad_json(self, tmp_path: Path) -> None:
        """Broken JSON names the file, line and column."""
        path = tmp_path / "azure-x-2026-01.json"
        path.write_text('{"provider": "azure",\n  oops}', encoding="utf-8")
        with pytest.raises(InputFileError, match=r"azure-x-2026-01.json:2:3: not JSON"):
            load_book(path)

    def test_unknown_with_price(self, tmp_path: Path) -> None:
        """An 'unknown' entry with a number is rejected, naming the entry."""
        doc = json.loads((BUNDLED_DIR / "azure-swedencentral-2026-12.json").read_text())
        doc["entries"][0]["basis"] = "unknown"
        path = tmp_path / "azure-bad-2026-01.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(InputFileError, match=r"entries\[0\]: basis 'unknown' must have"):
            load_book(path)

    def test_missing_field(self, tmp_path: Path) -> None:
        """A schema error names the field path."""
        path = tmp_path / "azure-bad-2026-01.json"
        path.write_text('{"provider": "azure", "region": "x", "retrieved": "2026"}')
        with pytest.raises(InputFileError, match=r"not a utflytt price book.*source"):
            load_book(path)


class _Handler(BaseHTTPRequestHandler):
    """Serves the recorded responses; the Azure page is chosen from $filter or the next link."""

    requests: list[str] = []

    def log_message(self, *args: object) -> None:  # keep test output quiet
        return

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        url = urlparse(self.path)
        query = parse_qs(url.query)
        type(self).requests.append(self.path)
        address = self.server.server_address
        assert isinstance(address, tuple)
        port = address[1]
        base = f"http://127.0.0.1:{port}"
        name: str | None = None
        if url.path == "/api/retail/prices":
            if "page" in query:
                name = f"azure/{query['key'][0]}-{query['page'][0]}.json"
            else:
                flt = query.get("$filter", [""])[0]
                assert query["api-version"] == ["2023-01-01-preview"]
                if "armRegionName eq 'eastus'" not in flt:
                    name = None
                elif "armSkuName eq 'Standard_D2s_v5'" in flt:
                    name = "azure/vm-Standard_D2s_v5-1.json"
                elif "Premium SSD Managed Disks" in flt:
                    name = "azure/disks-1.json"
                elif any(q.split(" and ")[0] in flt for q in QUERIES):
                    name = "azure/services-1.json"
        elif url.path.endswith("/AmazonEC2/current/eu-north-1/index.json"):
            name = "aws/ec2-eu-north-1.json"
        elif url.path.endswith("/current/eu-north-1/index.json") and "/offers/" in url.path:
            code = url.path.split("/")[-4]
            if (DATA / f"aws/{code}-eu-north-1.json").is_file():
                name = f"aws/{code}-eu-north-1.json"
        elif url.path.endswith("/current/region_index.json"):
            name = "aws/sp-region-index.json"
        elif url.path.endswith("/20261120/eu-north-1/index.json"):
            name = "aws/sp-eu-north-1.json"
        if name is None and url.path == "/api/retail/prices":
            body = json.dumps({"Items": [], "NextPageLink": None, "Count": 0})
        elif name is None:
            self.send_response(404)
            self.end_headers()
            return
        else:
            body = (DATA / name).read_text(encoding="utf-8").replace("{base}", base)
        payload = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture()
def server() -> Iterator[str]:
    _Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class TestRefreshAzure:
    def test_refresh(self, server: str, tmp_path: Path) -> None:
        """Pages followed; Spot/Low Priority/DevTest out; Windows, terms, savings plan, disks."""
        path = refresh_book(
            "azure",
            "eastus",
            tmp_path,
            retrieved=date(2026, 11, 20),
            eur_per_usd=0.9,
            fx_date=date(2026, 11, 19),
            base_url=server,
        )
        assert path.name == "azure-eastus-2026-11.json"
        book = load_book(path)
        get = book.entry
        assert any("page=2" in r for r in _Handler.requests)
        assert get("vm:Standard_D2s_v5", "linux-payg").price == 0.096  # type: ignore[union-attr]
        assert get("vm:Standard_D2s_v5", "windows-payg").price == 0.188  # type: ignore[union-attr]
        ri = get("vm:Standard_D2s_v5", "linux-reserved-1y")
        assert ri is not None and (ri.price, ri.unit) == (519.0, "term-1y")
        sp = get("vm:Standard_D2s_v5", "linux-savings-plan-3y")
        assert sp is not None and sp.price == 0.0441792 and sp.basis == "observed"
        disk = get("disk:P10")
        assert disk is not None and disk.price == 19.71  # not Mount, not ZRS, not operations
        # a West Europe value of the template must not leak into the East US book
        d4 = get("vm:Standard_D4s_v5", "linux-payg")
        assert d4 is not None and d4.price is None and d4.basis == "unknown"
        egress = get("egress:gb")
        assert egress is not None and egress.region == "all"
        assert book.doc.fx is not None and book.doc.fx.date == "2026-11-19"
        # every other meter the cost model uses comes from its own service query
        expected = {
            ("disk:E10", ""): 9.6,
            ("sql:standard", ""): 0.1,  # the 1-4 vCPU meter / 4
            ("sql:enterprise", ""): 0.375,
            ("os:rhel", "small"): 0.06,
            ("os:rhel", "large"): 0.13,
            ("os:sles", "small"): 0.02,
            ("os:sles", "large"): 0.05,
            ("backup:instance-500", ""): 10.0,
            ("backup:instance-50", ""): 5.0,
            ("backup:storage", ""): 0.0456,  # GRS, not LRS
            ("bastion:host", ""): 0.19,  # Basic, not the DevTest row
            ("logging:gb", ""): 2.3,
            ("keyvault:vault", ""): 0.99,  # 330,000 operations at 0.03 per 10K
            ("ip:public", ""): 0.005,
            ("entrance:gateway", ""): 0.443,  # WAF v2, not Standard v2
            ("entrance:unit", ""): 0.0144,
            ("egress:gb", ""): 0.087,
            ("egress:free-gb", ""): 100.0,
        }
        for (item, option), price in expected.items():
            found = get(item, option)
            assert found is not None and found.price == pytest.approx(price), (item, option)
            assert found.basis in ("observed", "derived") and "meterId" in found.source
        assert get("sql:standard").method == "per vCPU: the 1-4 vCPU meter / 4"  # type: ignore[union-attr]
        monthly = book.quote("vm:Standard_D2s_v5", "linux-reserved-3y")
        assert monthly is not None and monthly.monthly == pytest.approx(997 / 36 * 0.9)

    def test_cli_refresh_needs_rate(self, server: str, tmp_path: Path) -> None:
        """USD prices without --eur-per-usd are a usage error; nothing written."""
        result = CliRunner().invoke(
            cli,
            [
                "prices",
                "refresh",
                "--provider",
                "azure",
                "--region",
                "swedencentral",
                "--output",
                str(tmp_path),
                "--base-url",
                server,
            ],
        )
        assert result.exit_code == 2 and "--eur-per-usd is required" in result.output
        assert list(tmp_path.iterdir()) == []

    def test_cli_refresh_unknown_region(self, server: str, tmp_path: Path) -> None:
        """A (known, EU) region the price API returns no VM prices for is an error; nothing
        written. An unknown region is refused before any request (tests/test_regions.py)."""
        result = CliRunner().invoke(
            cli,
            [
                "prices",
                "refresh",
                "--provider",
                "azure",
                "--region",
                "francesouth",
                "--output",
                str(tmp_path),
                "--base-url",
                server,
                "--eur-per-usd",
                "0.9",
            ],
        )
        assert result.exit_code == 1
        assert "no VM prices returned for region 'francesouth'" in result.output
        assert list(tmp_path.iterdir()) == []


class TestRefreshAws:
    def test_refresh(self, server: str, tmp_path: Path) -> None:
        """On-demand, standard No Upfront reserved, Linux savings plan, gp3, offered types."""
        result = CliRunner().invoke(
            cli,
            [
                "prices",
                "refresh",
                "--provider",
                "aws",
                "--region",
                "eu-north-1",
                "--output",
                str(tmp_path),
                "--base-url",
                server,
                "--eur-per-usd",
                "0.9",
            ],
        )
        assert result.exit_code == 0, result.output
        (path,) = tmp_path.iterdir()
        book = load_book(path)
        get = book.entry
        assert get("vm:m5.large", "linux-payg").price == 0.102  # type: ignore[union-attr]
        assert get("vm:m5.large", "windows-payg").price == 0.194  # type: ignore[union-attr]
        ri = get("vm:m5.large", "linux-reserved-1y")
        assert ri is not None and (ri.price, ri.unit) == (0.064, "hour")
        sp = get("vm:m5.large", "linux-savings-plan-1y")
        assert sp is not None and sp.price == 0.07  # Linux rate, No Upfront only
        assert get("vm:m5.large", "linux-savings-plan-3y").price is None  # type: ignore[union-attr]
        assert get("ebs:gp3").price == 0.0836  # type: ignore[union-attr]
        assert book.doc.offered == ("m5.large", "m5.xlarge", "t3.micro")
        assert [s.name for s in book.doc.sizes] == ["m5.large", "m5.xlarge", "t3.micro"]
        # every other meter the cost model uses, from the EC2 file and the other offer files
        expected = {
            ("os:rhel", "small"): 0.06,  # RHEL - Linux on m5.large, the smallest in the band
            ("os:sles", "small"): 0.03,
            ("sql:standard", ""): 0.12,  # (Windows with SQL Std - Windows) / 2 vCPU
            ("sql:enterprise", ""): 0.375,
            ("backup:storage", ""): 0.05,
            ("vpn:gateway", ""): 0.05,
            ("ip:public", ""): 0.005,  # in use, not idle
            ("entrance:gateway", ""): 0.02394,  # application, not network
            ("entrance:unit", ""): 0.0076,
            ("keyvault:vault", ""): 1.0,
            ("logging:gb", ""): 0.5,
            ("egress:gb", ""): 0.09,  # the first paid tier
            ("egress:free-gb", ""): 100.0,
        }
        for (item, option), price in expected.items():
            found = get(item, option)
            assert found is not None and found.price == pytest.approx(price), (item, option)
            assert "AWS price list" in found.source
        # not in the recorded file: the template's region-independent row is kept as is
        large = get("os:rhel", "large")
        assert large is not None and (large.region, large.retrieved) == ("all", "2023-04")
