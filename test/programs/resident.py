"""Hold 64 MiB of written memory, then give it back, reading its own smaps_rollup at each step.

usage: python3 resident.py HOLD_SECONDS

Prints `RESIDENT <pid> <label> <epoch seconds> <Rss kB> <Private_Dirty kB>` for `held` (64 MiB
written) and `freed` (released), then stays HOLD_SECONDS in each state so that a sampler running
beside it sees both.
"""
import os
import sys
import time


def rollup():
    with open('/proc/self/smaps_rollup', 'rb') as f:
        text = f.read()
    values = {}
    for line in text.split(b'\n'):
        parts = line.split()
        if len(parts) >= 2 and parts[0] in (b'Rss:', b'Private_Dirty:'):
            values[parts[0]] = int(parts[1])
    return values[b'Rss:'], values[b'Private_Dirty:']


def report(label):
    now = time.time()
    rss, dirty = rollup()
    os.write(1, f'RESIDENT {os.getpid()} {label} {now:.6f} {rss} {dirty}\n'.encode())


hold = float(sys.argv[1])
block = b'x' * (64 << 20)  # written, so resident and private dirty
report('held')
time.sleep(hold)
del block
report('freed')
time.sleep(hold)
