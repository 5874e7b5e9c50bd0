"""Accounts and sessions.

passwords.py     Argon2id hashing and the password policy
tokens.py        access JWTs and opaque refresh tokens
accounts.py      do_register, do_login, do_refresh, do_logout
oidc.py          OIDC protocol: discovery, authorization request (PKCE), code exchange, keys
id_token.py      the ID token check (no I/O)
oidc_signin.py   do_oidc_start, do_oidc_callback: sign in, sign up or link with a provider
"""
