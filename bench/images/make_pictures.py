#!/usr/bin/env python3
"""Writes N pictures <id>.jpg of MIN-MAX KB (a JPEG header, then random bytes) into FOLDER.

Usage: make_pictures.py FOLDER N MIN_KB MAX_KB
"""
import os
import random
import sys


def main():
    folder, count, low, high = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(folder, exist_ok=True)
    r = random.Random(42)
    for i in range(count):
        size = r.randint(low * 1024, high * 1024)
        with open(os.path.join(folder, f"component_{i:06d}.jpg"), "wb") as fh:
            fh.write(b"\xff\xd8\xff\xe0" + os.urandom(size - 4))


if __name__ == "__main__":
    main()
