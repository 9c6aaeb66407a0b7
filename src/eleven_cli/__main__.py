"""`python -m eleven_cli`."""

from eleven_cli.cli.entry import run

if __name__ == "__main__":
    run()
