"""Command module 'report' (filled in by its issue)."""
