"""`python -m plg`: the same command line as `plg`."""

from plg.main import cli

if __name__ == "__main__":
    cli()
