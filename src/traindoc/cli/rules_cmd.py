"""Command module 'rules_cmd' (filled in by its issue)."""
