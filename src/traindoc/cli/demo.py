"""Command module 'demo' (filled in by its issue)."""
