"""Command module 'zoo' (filled in by its issue)."""
