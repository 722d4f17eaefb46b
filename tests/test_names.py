"""Names a re-plan must not change: Windows computer names (unique, at most 15 characters,
from the server id alone) and the landing zone's globally unique account names (from the
organisation, not the catalog hash)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.estate import generate
from stacks.azure import layout
from stacks.names import NameError_, computer_names, windows_computer_name
from tests.stacks_fixtures import make_plan

SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,62}", fullmatch=True)


@given(SLUG)
def test_a_computer_name_fits_netbios_and_depends_on_the_id_only(server_id: str) -> None:
    name = windows_computer_name(server_id)
    assert 1 <= len(name) <= 15 and not name.isdigit()
    assert name == windows_computer_name(server_id)


def test_generated_estates_have_unique_computer_names() -> None:
    """A generated estate's 5,000 servers plus long ids that share their first 15
    characters (where the old ``id[:15]`` collided)."""
    long_ids = [f"economy-application-server-{i:03d}" for i in range(300)]
    assert len({i[:15] for i in long_ids}) == 1
    ids = [s["id"] for s in generate(5000, 7)["servers"]] + long_ids
    names = computer_names(ids)
    assert len(set(names.values())) == len(ids)
    assert max(len(n) for n in names.values()) <= 15


def test_a_clash_is_an_error_naming_both_servers() -> None:
    with pytest.raises(NameError_, match="servers abc and ABC|servers ABC and abc"):
        computer_names(["abc", "ABC"])


def test_account_names_survive_a_catalog_edit() -> None:
    """A changed catalog (hash) keeps the Key Vault and storage account names."""
    plan = make_plan()
    edited = plan.model_copy(update={"catalog_sha256": "f" * 64})
    assert layout.key_vault_name(plan, "swedencentral") == layout.key_vault_name(
        edited, "swedencentral"
    )
    assert layout.storage_account_name(plan) == layout.storage_account_name(edited)
    assert len(layout.key_vault_name(plan, "swedencentral")) <= 24
    assert len(layout.storage_account_name(plan)) <= 24
