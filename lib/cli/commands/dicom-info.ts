import { Command } from "commander";
import { withRun } from "../command";
import { dicomInfo } from "../../dicom/info";

/** `lumbar dicom-info FILE... [--json]`: decode each file fully; exit 2 when any fails. */
export function dicomInfoCommand(): Command {
  const cmd = new Command("dicom-info")
    .description("decode DICOM files and print header essentials and stored-value min/max/sum")
    .argument("<files...>", "DICOM files")
    .option("--json", "one JSON object per line per file");
  return withRun<{ json?: boolean }>(cmd, async (opts, files) => {
    let failed = 0;
    for (const file of files) {
      const info = await dicomInfo(file);
      if ("error" in info) failed++;
      if (opts.json) console.log(JSON.stringify(info));
      else if ("error" in info) console.log(`${file}: ERROR ${info.error.code}: ${info.error.message}`);
      else
        console.log(
          `${file}: ${info.transferSyntaxUid} ${info.columns}x${info.rows}x${info.frames} ` +
            `${info.bitsStored}/${info.bitsAllocated} bit ${info.pixelRepresentation ? "signed" : "unsigned"} ${info.photometric} ` +
            `rescale ${info.rescaleSlope}/${info.rescaleIntercept} stored [${info.storedMin}, ${info.storedMax}] sum ${info.storedSum}`,
        );
    }
    return failed === 0 ? 0 : 2;
  });
}
