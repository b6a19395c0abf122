"""Notification outbox, delivery channels and deadline alerts."""
