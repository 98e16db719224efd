from fixtures_services import alertmanager  # noqa: F401
