"""Sniper: snipe SEC filings the moment EDGAR publishes them."""
