"""The floor: one Python process that imports libcst and parses + prints every settings file.

    python bench/floor.py FILE_LIST      # FILE_LIST: one settings file path a line
"""

import sys

import libcst

with open(sys.argv[1]) as listing:
    paths = listing.read().split("\n")
for path in paths:
    if path:
        with open(path, "rb") as handle:
            sys.stdout.write(libcst.parse_module(handle.read()).code)
