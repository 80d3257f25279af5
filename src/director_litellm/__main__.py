"""``python -m director_litellm``: the same as the ``director-litellm`` command."""

import sys

from director_litellm.cli import main

sys.exit(main())
