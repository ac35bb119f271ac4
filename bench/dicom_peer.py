"""Peer for `lumbar bench dicom`: pydicom + numpy decode of the same files to rescaled float32.

Reads file paths (one per line) from argv[1]; prints one JSON line {"files", "seconds"} for the
timed loop (interpreter start and imports excluded, as on our side). Run with /usr/bin/python3.
"""
import json
import sys
import time

import numpy as np
import pydicom


def decode(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    if slope != 1 or intercept != 0:
        arr = arr * np.float32(slope) + np.float32(intercept)
    return arr


def main():
    with open(sys.argv[1]) as f:
        files = [line.strip() for line in f if line.strip()]
    checksum = 0.0
    t0 = time.perf_counter()
    for p in files:
        checksum += float(decode(p)[0, 0])
    seconds = time.perf_counter() - t0
    print(json.dumps({"files": len(files), "seconds": seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
