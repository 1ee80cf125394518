"""Notification channels and the outbox (see the scheduler issue); nothing is sent yet."""
