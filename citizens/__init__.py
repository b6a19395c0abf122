"""Accounts, profiles, officer memberships and the citizen's digital wallet."""
