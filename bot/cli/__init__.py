"""The `klantstem` command line: one module per command group, `main` parses and runs.

May import: every feature folder and `bot.app` (commands build what they need), `bot.storage`.
"""
