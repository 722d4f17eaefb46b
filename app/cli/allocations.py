"""``utflytt allocations release``: give back the subnets, addresses and names that
allocations.json keeps for systems that have left (DESIGN.md "Allocations").

Registered on the ``utflytt`` group by app.cli.
"""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def allocations() -> None:
    """Manage allocations.json (the stack-config folder's kept subnets, IPs and names)."""


@allocations.command()
@click.argument("systems", nargs=-1, required=True, metavar="SYSTEM...")
@click.option(
    "--stack-config-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The folder holding allocations.json (default: the stackConfigDir of the Pulumi "
    "project in the current folder).",
)
def release(systems: tuple[str, ...], stack_config_dir: Path | None) -> None:
    """Release every allocation of SYSTEM (subnets, private IPs, computer names), on every
    provider, so that the next `utflytt plan` may hand them out again.

    Release a system only once its cloud resources are destroyed (`pulumi destroy`, or
    its wave re-planned without it): if it is still in the catalog, the next plan gives it
    new subnets and addresses, which re-addresses deployed servers.

    \b
    Example:
        utflytt allocations release old-intranet
        utflytt allocations release a b --stack-config-dir stacks/config
    """
    from migration.allocations import release_in_folder
    from migration.errors import UtflyttError
    from stacks.project import PROJECT_FILE, project_stack_dir

    if stack_config_dir is None:
        if not (Path.cwd() / PROJECT_FILE).exists():
            raise UtflyttError("no Pulumi project in the current folder: pass --stack-config-dir")
        stack_config_dir = project_stack_dir(Path.cwd())
    counts = release_in_folder(stack_config_dir, systems)
    for system, count in counts.items():
        click.echo(f"released {system}: {count} entr{'y' if count == 1 else 'ies'}")
    click.echo(f"wrote {stack_config_dir / 'allocations.json'}")


COMMANDS = (allocations,)
