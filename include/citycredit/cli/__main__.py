"""``python -m citycredit.cli``: the ``citycredit`` command without the installed script."""

import sys

from citycredit.cli import main

sys.exit(main())
