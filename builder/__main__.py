"""`python -m builder …`: the headless command line."""

import sys

from builder.cli import main

sys.exit(main())
