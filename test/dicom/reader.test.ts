import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DicomError, DicomFileReader } from "../../lib/dicom";

describe("DicomFileReader: one reused buffer, whole files", () => {
  it.each([0, 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 5])("reads a %i-byte file exactly", (size) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lumbar-reader-")), "f.bin");
    const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 31 + 7) & 255);
    fs.writeFileSync(file, bytes);
    const reader = new DicomFileReader();
    reader.read(file); // twice: the second read reuses (or regrows) the buffer
    expect(Buffer.compare(Buffer.from(reader.read(file)), Buffer.from(bytes))).toBe(0);
  });
  it("a missing file is a READ_FAILED DicomError", () => {
    expect(() => new DicomFileReader().read("/nonexistent/x.dcm")).toThrow(DicomError);
  });
});
