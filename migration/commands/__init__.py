"""Click commands by area; each module exposes COMMANDS, registered in migration.cli."""
