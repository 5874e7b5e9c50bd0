"""Stateful (data; replaced only on purpose), service (stateless, regional) and edge (us-east-1)."""
