from tipchat.cli import app

app()
