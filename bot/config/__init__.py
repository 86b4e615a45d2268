"""Configuration: every setting with its default, parser and help, from the environment or TOML.

Lives here: `settings` (`Config` and the table of settings), `schedule` (wave schedules,
quiet hours, durations), `telegram` and `http` (their settings' parsers), `numbers` (the
one parser of numbers, finite and within range, that every numeric setting goes through).
May import: `bot.i18n`, `bot.people.population`, the standard library; no feature.
"""
