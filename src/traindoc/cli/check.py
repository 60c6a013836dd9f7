"""Command module 'check' (filled in by its issue)."""
