"""``rstat bench PART --json``: every benchmark and the private environment they share."""
