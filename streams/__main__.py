"""``python -m streams`` runs the ``warta`` command."""

from streams.cli.main import main

__all__: list[str] = []

if __name__ == "__main__":  # the worker's pipeline children (spawn) import this module too
    main()
