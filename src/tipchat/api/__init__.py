"""HTTP routes under /api and the ops endpoints. Errors are {"code", "message"} with the
stable codes of tipchat.errors; `errors.py` maps each code to its HTTP status."""
