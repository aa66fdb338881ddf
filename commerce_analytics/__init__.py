"""The command-line entry point and the environment settings every package shares."""
