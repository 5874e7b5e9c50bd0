"""Accounts and sessions.

passwords.py   Argon2id hashing and the password policy
tokens.py      access JWTs and opaque refresh tokens
accounts.py    do_register, do_login, do_refresh, do_logout
"""
