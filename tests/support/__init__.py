"""Helpers the tests share: worlds to test in, harnesses around the bot, processes.

Test modules import from here, never from each other."""
