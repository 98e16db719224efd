"""The ``warta`` command line."""
