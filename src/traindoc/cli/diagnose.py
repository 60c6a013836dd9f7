"""Command module 'diagnose' (filled in by its issue)."""
