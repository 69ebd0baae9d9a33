"""`python -m engine train|evaluate|download|info|bench` (see engine/cli.py)."""
import sys

from .cli import main

sys.exit(main())
