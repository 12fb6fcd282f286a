"""Accounts, API keys, plans, the token ledger and the auth dependencies."""
