"""RVTools import: workbooks and CSV folders built in the tests, through library and CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from app.cli import cli
from migration.catalog import load_catalog
from migration.importers import (
    BadValue,
    DraftOptions,
    GroupingRule,
    MissingColumn,
    MissingSheet,
    build_catalog,
    read_rvtools,
)
from migration.importers.testing import (
    FakeVm,
    synthetic_vms,
    write_rvtools_csv_folder,
    write_rvtools_xlsx,
)

W2019 = "Microsoft Windows Server 2019 (64-bit)"


def _vms() -> list[FakeVm]:
    return [
        FakeVm(
            "EKO-APP01",
            "4201aaaa-0000-0000-0000-000000000001",
            cpus=4,
            memory_mib=16384,
            disks_mib=(512000, 131072),
            consumed_mib=(40960, 10240),
            nics=[("10.10.4.21", "10.10.4.22"), ("192.168.5.5",)],
            primary_ip="10.10.4.22",
            folder="/Servers/Economy",
            os_tools=W2019,
            annotation="Ekonomi\nKontakt: Kalle",
        ),
        FakeVm(
            "eko-db01",
            "4201aaaa-0000-0000-0000-000000000002",
            cpus=8,
            memory_mib=32768,
            disks_mib=(131072, 1048576),
            folder="/Servers/Economy",
            os_tools="",
            os_config="Red Hat Enterprise Linux 8 (64-bit)",
        ),
        FakeVm(
            "web01",
            "4201aaaa-0000-0000-0000-000000000003",
            folder="/Servers/Web",
            powerstate="poweredOff",
            os_tools="Ubuntu 22.04.3 LTS",
        ),
        FakeVm(
            "web01",
            "4201bbbb-0000-0000-0000-000000000004",
            folder="/Servers/Web",
            disks_mib=(20480,),
            os_config="CentOS 7 (64-bit)",
        ),
        FakeVm("win2019-template", "4201cccc-0000-0000-0000-000000000005", template=True),
        FakeVm("srm-eko-app01", "4201dddd-0000-0000-0000-000000000006", srm=True),
    ]


def _workbook(tmp_path: Path, **kwargs: object) -> Path:
    return write_rvtools_xlsx(tmp_path / "export.xlsx", _vms(), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("generation", ["MiB", "MB"])
@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_both_header_generations_and_formats_import_the_same(
    tmp_path: Path, generation: str, kind: str
) -> None:
    """MiB (4.x) and MB (older) headers, in XLSX or a CSV folder, in shuffled order, agree."""
    if kind == "xlsx":
        source = write_rvtools_xlsx(
            tmp_path / "e.xlsx", _vms(), generation=generation, order_seed=11
        )
    else:
        source = write_rvtools_csv_folder(
            tmp_path / "csv", _vms(), generation=generation, order_seed=5
        )
    result = read_rvtools(source)
    assert result.detected.header_generation == generation
    assert result.detected.sheets == ("vInfo", "vDisk", "vPartition", "vNetwork")
    by_uuid = {s.uuid: s for s in result.servers}
    app = by_uuid["4201aaaa-0000-0000-0000-000000000001"]
    assert (app.vcpu, app.memory_gb, app.disks_gb) == (4, 16.0, (500.0, 128.0))
    assert app.used_gb == 50.0
    assert app.ips == ("10.10.4.22", "10.10.4.21", "192.168.5.5")
    assert app.os == "windows-server-2019"


def test_templates_and_srm_placeholders_are_skipped_and_reported(tmp_path: Path) -> None:
    """Template and SRM placeholder rows become no servers, and the report names them."""
    result = read_rvtools(_workbook(tmp_path))
    names = sorted(s.name for s in result.servers)
    assert names == ["EKO-APP01", "eko-db01", "web01", "web01"]
    assert result.detected.skipped == (
        ("srm-eko-app01", "SRM placeholder"),
        ("win2019-template", "template"),
    )


def test_duplicate_names_get_uuid_suffixes_and_keep_their_own_disks(tmp_path: Path) -> None:
    """Two VMs named web01 are joined to their disks by UUID and get distinct ids."""
    draft = build_catalog(read_rvtools(_workbook(tmp_path)), GroupingRule("folder"))
    path = tmp_path / "catalog.yaml"
    path.write_text(draft.text)
    catalog = load_catalog(path)
    servers = catalog.servers_by_id
    assert servers["web01-4201aaaa"].disks_gb == (40.0,)
    assert servers["web01-4201bbbb"].disks_gb == (20.0,)
    assert servers["web01-4201aaaa"].os == "ubuntu-22.04"
    assert servers["web01-4201bbbb"].os == "centos-7"  # no Tools: the configuration file
    assert servers["eko-db01"].os == "rhel-8"
    assert servers["eko-app01"].ip == "10.10.4.22"
    assert [s.id for s in catalog.systems] == ["economy", "web"]


def test_powered_off_vms_are_flagged_in_report_and_yaml(tmp_path: Path) -> None:
    """A powered-off VM is kept, listed in the report and marked on its catalog entry."""
    draft = build_catalog(read_rvtools(_workbook(tmp_path)), GroupingRule())
    assert draft.report.powered_off == ("web01-4201aaaa",)
    assert (
        '  # vm "web01"; uuid 4201aaaa-0000-0000-0000-000000000003; folder /Servers/Web; '
        "powered off (poweredOff); used 20 of 40 GB\n  - id: web01-4201aaaa\n"
    ) in draft.text
    assert "#   1 powered-off VM(s), marked 'powered off': web01-4201aaaa\n" in draft.text


def test_multiple_ips_are_kept_in_the_comment(tmp_path: Path) -> None:
    """The first IP goes to ``ip``; all of them are listed in the entry's comment."""
    draft = build_catalog(read_rvtools(_workbook(tmp_path)), GroupingRule())
    assert "IPs 10.10.4.22, 10.10.4.21, 192.168.5.5" in draft.text
    assert "    ip: 10.10.4.22\n" in draft.text


def test_placeholders_are_marked_and_listed(tmp_path: Path) -> None:
    """Every field the export cannot know is marked and the header lists them."""
    draft = build_catalog(
        read_rvtools(_workbook(tmp_path)),
        GroupingRule(),
        DraftOptions(organisation="Mariehamns stad"),
    )
    text = draft.text
    assert "organisation: Mariehamns stad\n" in text
    assert "  provider: TODO  # PLACEHOLDER\n" in text
    assert "    owner: TODO  # PLACEHOLDER: the department that owns the system\n" in text
    assert "    monthly_cost: null  # PLACEHOLDER: current hosting cost per month" in text
    assert draft.report.placeholders[0] == "contract.provider, contract.notice_months"
    assert (
        "#   systems: level, sector, owner, disposition, criticality, data_classification, "
        "personal_data, monthly_licence_cost\n"
    ) in text


@pytest.mark.parametrize(
    ("rule", "systems"),
    [
        (GroupingRule("folder"), ["economy", "web"]),
        (GroupingRule("annotation"), ["ekonomi", "ungrouped"]),
        (GroupingRule("name-pattern"), ["eko", "web"]),
        (GroupingRule("name-pattern", r"^(?P<system>[a-z]+)\d"), ["ungrouped", "web"]),
        (GroupingRule("folder", r"^/(\w+)/"), ["servers"]),
    ],
)
def test_grouping_rules(tmp_path: Path, rule: GroupingRule, systems: list[str]) -> None:
    """Folder, annotation and name patterns make the provisional systems."""
    draft = build_catalog(read_rvtools(_workbook(tmp_path)), rule)
    path = tmp_path / "c.yaml"
    path.write_text(draft.text)
    assert [s.id for s in load_catalog(path).systems] == systems


def test_system_named_like_a_server_gets_a_distinct_id(tmp_path: Path) -> None:
    """Ids are unique across systems and servers even when a folder is named like a VM."""
    vms = [FakeVm("web", "u-1", folder="/web"), FakeVm("db", "u-2", folder="/web")]
    result = read_rvtools(write_rvtools_xlsx(tmp_path / "e.xlsx", vms))
    draft = build_catalog(result, GroupingRule())
    path = tmp_path / "c.yaml"
    path.write_text(draft.text)
    catalog = load_catalog(path)
    assert [s.id for s in catalog.systems] == ["web-system"]
    assert sorted(s.id for s in catalog.servers) == ["db", "web"]


def test_output_is_deterministic(tmp_path: Path) -> None:
    """The same export gives byte-identical catalogs, whatever the row and column order."""
    first = write_rvtools_xlsx(tmp_path / "a.xlsx", _vms(), order_seed=1)
    second = write_rvtools_xlsx(tmp_path / "b.xlsx", list(reversed(_vms())), order_seed=2)
    text_a = build_catalog(read_rvtools(first, "export.xlsx"), GroupingRule()).text
    text_b = build_catalog(read_rvtools(second, "export.xlsx"), GroupingRule()).text
    assert text_a == text_b


# ------------------------------------------------------------------------------ errors


def test_missing_sheet(tmp_path: Path) -> None:
    """A workbook without vInfo is refused, naming the sheet."""
    path = write_rvtools_xlsx(tmp_path / "e.xlsx", _vms(), sheets=("vDisk",))
    with pytest.raises(MissingSheet) as info:
        read_rvtools(path, "e.xlsx")
    assert str(info.value) == "e.xlsx: missing sheet 'vInfo'"


def test_missing_column(tmp_path: Path) -> None:
    """A sheet without a needed column is refused, naming sheet and column."""
    path = write_rvtools_xlsx(tmp_path / "e.xlsx", _vms(), drop_columns=("CPUs",))
    with pytest.raises(MissingColumn) as info:
        read_rvtools(path, "e.xlsx")
    assert str(info.value) == "e.xlsx: sheet vInfo: missing column 'CPUs' (or 'vInfoCPUs')"


def test_bad_numbers_are_reported_by_sheet_row_and_column(tmp_path: Path) -> None:
    """Every unreadable number is listed with its sheet, row and column."""
    vms = [FakeVm("a", "u-1", cpus="four"), FakeVm("b", "u-2", disks_mib=("lots",))]
    path = write_rvtools_xlsx(tmp_path / "e.xlsx", vms)
    with pytest.raises(BadValue) as info:
        read_rvtools(path, "e.xlsx")
    assert str(info.value) == (
        "2 problems in the input:\n"
        "e.xlsx: sheet vDisk, row 3, column 'Capacity MiB': expected a number, got 'lots'\n"
        "e.xlsx: sheet vInfo, row 2, column 'CPUs': expected a number, got 'four'"
    )


def test_cli_errors_exit_1_and_write_nothing(tmp_path: Path) -> None:
    """The CLI prints the error, exits 1 and leaves no catalog behind."""
    path = write_rvtools_xlsx(tmp_path / "e.xlsx", [FakeVm("a", "u-1", memory_mib="8 GB")])
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "rvtools", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path}: sheet vInfo, row 2, column 'Memory': expected a number, got '8 GB'\n"
    )
    assert not out.exists()


def test_cli_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    """An existing catalog is not replaced unless --force is given."""
    path = _workbook(tmp_path)
    out = tmp_path / "catalog.yaml"
    out.write_text("hand-written\n")
    args = ["import", "rvtools", str(path), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {out} exists; pass --force to replace it (to add dependencies to a catalog, "
        "use `utflytt import dependencies`)\n"
    )
    assert out.read_text() == "hand-written\n"
    assert CliRunner().invoke(cli, [*args, "--force"]).exit_code == 0
    assert load_catalog(out).servers


def test_cli_bad_pattern_is_a_usage_error(tmp_path: Path) -> None:
    """An invalid --pattern exits 2 before anything is read."""
    result = CliRunner().invoke(
        cli, ["import", "rvtools", "x.xlsx", "-o", str(tmp_path / "c.yaml"), "--pattern", "("]
    )
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for '--pattern': not a valid regular expression: "
        "missing ), unterminated subpattern at position 0\n"
    )


def test_cli_report(tmp_path: Path) -> None:
    """The CLI prints the report and writes a catalog that validates."""
    path = _workbook(tmp_path)
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(
        cli,
        [
            "import",
            "rvtools",
            str(path),
            "-o",
            str(out),
            "--organisation",
            "Testby",
            "--provider",
            "ÅDA",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"Imported from {path} (RVTools xlsx; MiB headers; sheets vInfo, vDisk, vPartition, "
        "vNetwork).",
        "4 servers in 2 provisional systems, grouped by folder.",
    ]
    catalog = load_catalog(out)
    assert catalog.contract.provider == "ÅDA"


# --------------------------------------------------------------------------- round trip


@pytest.mark.slow
def test_round_trip_1000_vms_imports_validates_and_plans(tmp_path: Path) -> None:
    """A 1,000-VM workbook imports, validates as catalog v1 and plans."""
    path = write_rvtools_xlsx(tmp_path / "big.xlsx", synthetic_vms(1000))
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "rvtools", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    catalog = load_catalog(out)
    assert len(catalog.servers) == 1000
    ids = {s.id for s in catalog.servers} | {s.id for s in catalog.systems}
    assert len(ids) == len(catalog.servers) + len(catalog.systems)  # unique across both
    waves = pytest.importorskip("waves")
    if not hasattr(waves, "plan_waves"):
        pytest.skip("waves.plan_waves is not there yet")
    import hashlib

    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    plan = waves.plan_waves(catalog, sha, waves.PlanOptions())
    placed = {server for wave in plan.waves for server in wave.servers}
    assert placed == {s.id for s in catalog.servers}


# --------------------------------------------------------------------- camelCase generation


def _camel(tmp_path: Path, drop: tuple[str, ...] = (), count: int | None = None) -> Path:
    return write_rvtools_xlsx(
        tmp_path / "camel.xlsx",
        _vms()[:count],
        generation="camelCase",
        sheets=("vInfo", "vPartition"),
        drop_columns=drop,
    )


def test_camel_case_headers_import_column_by_column(tmp_path: Path) -> None:
    """vInfoVMName, vInfoCPUs, ... vPartitionConsumedMiB: read like the display names."""
    result = read_rvtools(_camel(tmp_path))
    assert result.detected.header_generation == "camelCase"
    assert result.detected.sheets == ("vInfo", "vPartition")
    by_uuid = {s.uuid: s for s in result.servers}
    app = by_uuid["4201aaaa-0000-0000-0000-000000000001"]
    assert (app.vcpu, app.memory_gb, app.used_gb, app.os) == (4, 16.0, 50.0, "windows-server-2019")
    assert app.disks_gb == (628.0,)  # one disk: vInfoTotalDiskCapacityMiB 643072 MiB
    assert app.notes == ("one disk from vInfo total (no vDisk rows): check disks_gb",)
    assert app.ips == ("10.10.4.22",)  # vInfoPrimaryIPAddress only: no vNetwork
    assert len(result.servers) == 4  # template and SRM placeholder skipped


@pytest.mark.parametrize(
    ("drop", "disk", "source"),
    [
        (("Total disk capacity MiB",), 628.0, "vInfo provisioned space"),
        (("Total disk capacity MiB", "Provisioned MiB"), 100.0, "vPartition capacity"),
    ],
)
def test_without_vdisk_disks_come_from_what_is_there(
    tmp_path: Path, drop: tuple[str, ...], disk: float, source: str
) -> None:
    """No total: provisioned space; no provisioned either: the partitions' capacity."""
    result = read_rvtools(_camel(tmp_path, drop, count=1))  # the VM with partitions
    app = {s.uuid: s for s in result.servers}["4201aaaa-0000-0000-0000-000000000001"]
    assert app.disks_gb == (disk,)
    assert app.notes == (f"one disk from {source} (no vDisk rows): check disks_gb",)


def test_camel_case_report_lists_estimated_disks_and_duplicate_names(tmp_path: Path) -> None:
    """Check: the estimated disks and the two VMs named web01 are listed."""
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "rvtools", str(_camel(tmp_path)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"Imported from {tmp_path / 'camel.xlsx'} (RVTools xlsx; camelCase headers; sheets "
        "vInfo, vPartition)."
    )
    duplicates = next(line for line in lines if "used by more than one VM" in line)
    assert duplicates.startswith("  1 VM name(s) used by more than one VM (ids get a UUID ")
    assert "web01 (web01-" in duplicates
    estimated = next(line for line in lines if "estimated without vDisk" in line)
    assert estimated.startswith("  4 server(s) with one disk estimated without vDisk rows")
    load_catalog(out)  # the draft is a valid catalog


def test_camel_case_missing_column_names_both_spellings(tmp_path: Path) -> None:
    """A camelCase export without vInfoCPUs names the display name and its alias."""
    path = _camel(tmp_path, ("CPUs",))
    with pytest.raises(MissingColumn) as info:
        read_rvtools(path)
    assert str(info.value) == f"{path}: sheet vInfo: missing column 'CPUs' (or 'vInfoCPUs')"


def test_ubuntu_without_a_version_is_recognised_and_asks_for_the_version(tmp_path: Path) -> None:
    """'Ubuntu Linux (64-bit)' (VMware's guest OS name) is Ubuntu with the version missing."""
    vms = [
        FakeVm("u01", "4201eeee-0000-0000-0000-000000000001", os_config="Ubuntu Linux (64-bit)"),
        FakeVm("x01", "4201eeee-0000-0000-0000-000000000002", os_config="Plan 9"),
    ]
    path = write_rvtools_xlsx(tmp_path / "u.xlsx", vms)
    out = tmp_path / "catalog.yaml"
    result = CliRunner().invoke(cli, ["import", "rvtools", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        "  1 server(s) whose OS has no version in the export (set it, e.g. ubuntu-22.04): "
        "u01 (ubuntu-unknown)\n" in result.output
    )
    assert "  1 server(s) with an unrecognised OS: x01 (Plan 9)\n" in result.output
