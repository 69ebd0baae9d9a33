"""The bundle's entry point: what `mlp-studio` runs (PyInstaller freezes this script with the installed app)."""
import sys

from app.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
