"""`python -m bot.cli`: the same as `klantstem`."""

import sys

from bot.cli.main import main

sys.exit(main())
