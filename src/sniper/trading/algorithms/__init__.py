"""Trading algorithms: the x3algo configuration schema, CRUD and lifecycle endpoints."""
