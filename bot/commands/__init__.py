"""Subcommands of `klantstem`, one module per area; each module has `register(sub, common)`."""
