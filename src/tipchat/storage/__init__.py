"""PostgreSQL: the source of truth.

    database.py    the connection pool and the embedded server for single-node mode
    migrate.py     Alembic migrations, applied at start under an advisory lock
    users.py, tokens.py, rooms.py, events.py, messages.py: queries, keyword-only arguments

Storage never imports the rules; every function takes the connection it runs on, so the
rules decide what shares a transaction.
"""
