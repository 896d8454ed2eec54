import sys

from aigak.cli import main

sys.exit(main())
