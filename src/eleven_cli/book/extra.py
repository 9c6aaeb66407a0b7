"""The [book] extra (eleven_cli.extras), as the book's own modules name it."""

from eleven_cli.extras import HINT, check, need

__all__ = ["HINT", "check", "need"]
