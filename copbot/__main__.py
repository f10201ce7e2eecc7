"""``python -m copbot``: the same command line as the ``copbot`` console script."""

from copbot.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
