import sys

from result_verifier.cli import main

sys.exit(main())
