"""`python -m plg`: the same command line as `plg`."""

from plg.main import main

if __name__ == "__main__":
    main()
