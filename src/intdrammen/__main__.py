"""`python -m intdrammen` runs the same CLI as `intd`."""

from intdrammen.cli import main

if __name__ == "__main__":
    main()
