#!/usr/bin/env python
"""Django's command-line utility for Tandem; `tandem` is the installed equivalent."""

from tandem.cli import main

if __name__ == "__main__":
    main()
