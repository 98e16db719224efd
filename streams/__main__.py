"""``python -m streams`` runs the ``warta`` command."""

from streams.cli.main import main

__all__: list[str] = []

main()
