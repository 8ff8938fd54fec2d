"""One module per command. Each module exposes `command`, a click command."""
