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
        """The Azure book holds the West Europe values of reference/pricing.md B2 as observed."""
        book = find_book("azure", "westeurope")
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
        book = find_book("azure", "westeurope")
        assert book.doc.fx is not None
        rate = book.doc.fx.eur_per_usd
        payg = book.quote("vm:Standard_D4s_v5", "linux-payg")
        ri1 = book.quote("vm:Standard_D4s_v5", "linux-reserved-1y")
        ri3 = book.quote("vm:Standard_D4s_v5", "linux-reserved-3y")
        assert payg is not None and payg.monthly == pytest.approx(0.23 * 730 * rate)
        assert ri1 is not None and ri1.monthly == pytest.approx(1243 / 12 * rate)
        assert ri3 is not None and ri3.monthly == pytest.approx(2388 / 36 * rate)
        unknown = book.quote("vpn:gateway")
        assert unknown is not None and not unknown.known

    def test_priced_as_other_region(self) -> None:
        """No Sweden Central book: the West Europe book with a visible note."""
        book = find_book("azure", "swedencentral")
        assert book.region == "westeurope"
        assert "(priced as westeurope)" in book.label("swedencentral")

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
        doc = json.loads((BUNDLED_DIR / "azure-westeurope-2026-09.json").read_text())
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
        elif url.path.endswith("/AmazonEC2/current/eu-north-1/index.json"):
            name = "aws/ec2-eu-north-1.json"
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
                "eastus",
                "--output",
                str(tmp_path),
                "--base-url",
                server,
            ],
        )
        assert result.exit_code == 2 and "--eur-per-usd is required" in result.output
        assert list(tmp_path.iterdir()) == []

    def test_cli_refresh_unknown_region(self, server: str, tmp_path: Path) -> None:
        """A region without VM prices is an error; nothing written."""
        result = CliRunner().invoke(
            cli,
            [
                "prices",
                "refresh",
                "--provider",
                "azure",
                "--region",
                "nowhere",
                "--output",
                str(tmp_path),
                "--base-url",
                server,
                "--eur-per-usd",
                "0.9",
            ],
        )
        assert result.exit_code == 1
        assert "no VM prices returned for region 'nowhere'" in result.output
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
