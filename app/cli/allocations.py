"""``utflytt allocations release``: give back the subnets, addresses and names that
allocations.json keeps for systems that have left, and network group names no group uses
any more (DESIGN.md "Allocations").

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def allocations() -> None:
    """Manage allocations.json (the stack-config folder's kept subnets, IPs and names)."""


@allocations.command()
@click.argument("systems", nargs=-1, metavar="[SYSTEM]...")
@click.option(
    "--group",
    "groups",
    multiple=True,
    metavar="NAME",
    help="Also release the recorded network group NAME (repeatable): a name no group uses "
    "any more (warning allocation-group-kept), once its security group is destroyed.",
)
@click.option(
    "--stack-config-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder holding allocations.json (default: the stackConfigDir of the Pulumi "
    "project in the current folder).",
)
def release(
    systems: tuple[str, ...], groups: tuple[str, ...], stack_config_dir: Path | None
) -> None:
    """Release every allocation of SYSTEM (subnets, private IPs, computer names, network
    group names), and each --group NAME, on every provider, so that the next `utflytt
    plan` may hand them out again.

    Release a system only once its cloud resources are destroyed (`pulumi destroy`, or
    its wave re-planned without it): if it is still in the catalog, the next plan gives it
    new subnets and addresses, which re-addresses deployed servers.

    \b
    Example:
        utflytt allocations release old-intranet
        utflytt allocations release a b --stack-config-dir stacks/config
        utflytt allocations release --group clients.ad.prod.3
    """
    from migration.allocations import release_in_folder
    from migration.errors import UtflyttError
    from stacks.project import PROJECT_FILE, project_stack_dir

    if not systems and not groups:
        raise UtflyttError("name a SYSTEM or a --group NAME to release")
    if stack_config_dir is None:
        if not (Path.cwd() / PROJECT_FILE).exists():
            raise UtflyttError("no Pulumi project in the current folder: pass --stack-config-dir")
        stack_config_dir = project_stack_dir(Path.cwd())
    counts = release_in_folder(stack_config_dir, systems, groups)
    for system, count in counts.items():
        click.echo(f"released {system}: {count} entr{'y' if count == 1 else 'ies'}")
    click.echo(f"wrote {stack_config_dir / 'allocations.json'}")


COMMANDS = (allocations,)
