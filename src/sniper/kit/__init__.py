"""Generic helpers that import no feature."""
