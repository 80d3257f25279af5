"""The environment every test and every subprocess a test starts runs under (imports nothing).

conftest.py imports this before pytest loads the fake fixtures, so it must stay free of imports.
"""

from __future__ import annotations

# litellm must never reach the network for its data files; a fresh process that lacks these fetches
# the price map and retries with sleeps (seconds per process) before falling back to the bundled copy
OFFLINE_ENV = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS": "True"}
COLUMNS = 80  # the terminal width the CLI tests lay output out for (conftest's ``columns`` fixture)
