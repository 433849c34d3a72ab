from amparo.cli import app

app(prog_name="amparo")
