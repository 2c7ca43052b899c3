"""``python -m extract`` = ``plan-extract``."""

import sys

from .cli import main

sys.exit(main())
