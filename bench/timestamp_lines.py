"""Prefixes each line of standard input with the seconds since this script started."""
import sys
import time

start = time.monotonic()
for line in sys.stdin:
    sys.stdout.write(f"{time.monotonic() - start:.3f} {line}")
    sys.stdout.flush()
