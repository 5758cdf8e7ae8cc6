"""Subscribers that every installation has (other apps register theirs in their own module)."""
