"""`python -m simulator`: see simulator/cli/main.py."""

import sys

from .cli.main import main

sys.exit(main())
