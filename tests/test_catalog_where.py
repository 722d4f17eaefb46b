"""Where a planning error's subjects are in the catalog files (migration/catalog/where.py)."""

from __future__ import annotations

from pathlib import Path

from migration.catalog.where import locate_plan_error, subject_lines
from migration.errors import PlanError

BASE = """\
version: 1
organisation: Testby
contract: {provider: ÅDA, notice_months: 6}
planning:
  start: 2027-02-01
  blackouts:
    - {from: 2027-06-20, to: 2027-08-10, reason: Semester}
systems:
  - id: a
    name: A
    level: sector
    sector: it
    owner: IT
    disposition: rehost
    criticality: low
    data_classification: internal
    personal_data: false
    blackouts:
      - {from: 2027-12-01, to: 2028-01-20}
"""
SERVERS = """\
servers:
  - id: a1
    system: a
    role: app
    os: ubuntu-22.04
    vcpu: 2
    memory_gb: 4
    disks_gb: [64]
  - id: a2
    system: a
    role: app
    os: ubuntu-22.04
    vcpu: 2
    memory_gb: 4
    disks_gb: [64]
    pinned_wave: 3
"""


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inventory"
    folder.mkdir()
    (folder / "0-systems.yaml").write_text(BASE, encoding="utf-8")
    (folder / "1-servers.yaml").write_text(SERVERS, encoding="utf-8")
    return folder


def test_subjects_are_found_across_the_files_of_a_folder(tmp_path: Path) -> None:
    """Servers point at their pin (else their entry), blackouts and start at their line."""
    folder = _folder(tmp_path)
    first, second = folder / "0-systems.yaml", folder / "1-servers.yaml"
    lines = subject_lines(
        folder,
        [
            ("servers", "a2"),
            ("servers", "a1"),
            ("systems", "a", "blackouts", 0),
            ("planning", "blackouts", 0),
            ("planning", "start"),
            ("servers", "ghost"),  # not in the catalog (a pin for an unknown server): no line
        ],
    )
    assert lines == [
        f"{second}:16: server 'a2' pinned_wave",
        f"{second}:2: server 'a1'",
        f"{first}:19: system 'a' blackouts[0]",
        f"{first}:7: planning.blackouts[0]",
        f"{first}:5: planning.start",
    ]


def test_an_error_gets_its_lines_and_keeps_its_message(tmp_path: Path) -> None:
    """The located error is the same error with ``at`` lines; no subjects, no change."""
    folder = _folder(tmp_path)
    error = PlanError("server 'a2' is pinned to wave 3, which is frozen", [("servers", "a2")])
    located = locate_plan_error(error, folder)
    assert located.message == error.message
    assert str(located) == (
        "server 'a2' is pinned to wave 3, which is frozen\n"
        f"  at {folder / '1-servers.yaml'}:16: server 'a2' pinned_wave"
    )
    bare = PlanError("unknown target 'gcp'")
    assert locate_plan_error(bare, folder) is bare
    assert locate_plan_error(error, tmp_path / "gone.yaml") is error  # unreadable: unchanged
