"""Reading files: CSV with line numbers, and earlier measurements (history) in and out.

Lives here: `csvfile` (reading and writing CSV safely), `measurements` (importing and
exporting earlier measurements), `measurements_file` (the measurement file's format).
May import: `bot.storage`, `bot.people.contacts`, `scoring`, the shared modules at the top of `bot`.
"""
