"""``python -m director_litellm.director_check``: the command-line face (``cli/_director_check``), kept out of
the library module so that the library never imports the CLI."""

from director_litellm.cli._director_check import main

raise SystemExit(main())
