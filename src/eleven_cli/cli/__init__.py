"""The Typer command line: parses, calls the API layer, renders. No HTTP here."""
