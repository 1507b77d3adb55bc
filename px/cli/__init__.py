"""The command line: argparse parsers, rendering, exit codes. The only layer that prints."""
