"""Peer for `lumbar bench dicom`: pydicom + numpy decode of the same files to rescaled float32.

usage: dicom_peer.py FILE_LIST [fresh|pooled]
  fresh:  ds.pixel_array.astype(float32) * slope + intercept (the usual idiom; new arrays per file)
  pooled: np.frombuffer on PixelData, BitsStored masking and rescale into preallocated arrays
          (the numpy counterpart of our reused-buffer path)
Prints one JSON line {"files", "seconds", "cpuSeconds"} for the timed loop (interpreter start and imports
excluded, as on our side). Run with /usr/bin/python3 (Debian python3-pydicom, python3-numpy).
"""
import json
import sys
import time

import numpy as np
import pydicom


def rescale_of(ds):
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return slope, intercept


def decode_fresh(path):
    ds = pydicom.dcmread(path)
    arr = ds.pixel_array.astype(np.float32)
    slope, intercept = rescale_of(ds)
    if slope != 1 or intercept != 0:
        arr = arr * np.float32(slope) + np.float32(intercept)
    return arr


class Pooled:
    def __init__(self):
        self.out = None
        self.tmp = None

    def __call__(self, path):
        ds = pydicom.dcmread(path)
        signed = ds.PixelRepresentation == 1
        raw = np.frombuffer(ds.PixelData, dtype=np.int16 if signed else np.uint16)
        if self.out is None or self.out.size != raw.size:
            self.out = np.empty(raw.size, np.float32)
            self.tmp = np.empty(raw.size, raw.dtype)
        bits = ds.BitsStored
        if bits < 16:
            if signed:
                np.left_shift(raw, 16 - bits, out=self.tmp)
                np.right_shift(self.tmp, 16 - bits, out=self.tmp)
            else:
                np.bitwise_and(raw, (1 << bits) - 1, out=self.tmp)
            raw = self.tmp
        np.copyto(self.out, raw, casting="unsafe")
        slope, intercept = rescale_of(ds)
        if slope != 1 or intercept != 0:
            np.multiply(self.out, np.float32(slope), out=self.out)
            np.add(self.out, np.float32(intercept), out=self.out)
        return self.out.reshape(ds.Rows, ds.Columns)


def main():
    with open(sys.argv[1]) as f:
        files = [line.strip() for line in f if line.strip()]
    decode = Pooled() if len(sys.argv) > 2 and sys.argv[2] == "pooled" else decode_fresh
    checksum = 0.0
    c0 = time.process_time()
    t0 = time.perf_counter()
    for p in files:
        checksum += float(decode(p)[0, 0])
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    print(json.dumps({"files": len(files), "seconds": seconds, "cpuSeconds": cpu_seconds, "checksum": checksum}))


if __name__ == "__main__":
    main()
