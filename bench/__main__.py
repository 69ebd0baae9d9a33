"""`python -m bench`: the same as `python -m engine bench`."""
import sys

from .main import main

sys.exit(main())
