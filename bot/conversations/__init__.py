"""Conversations with respondents: starting, stepping and finishing a survey.

Lives here: `service` (one action, exactly once: dedupe, step, store, reply; switching
language is one of them), `person` (what a person does about themselves, the same from
every channel and the CLI: opening a personal link, being forgotten), `replies` (replies
owed after a crash or a failed send), `release` (anonymous answers released in batches
of at least k), `surveys` (the survey definitions in use).
May import: `flows`, `scoring`, `bot.storage`, `bot.delivery`, `bot.config`, the
shared modules at the top of `bot`; no feature folder.
"""
