"""Signed results, signing keys, QR tokens, verification and digitization of past results."""
