/** The embedded default data set: lib/synth's cached demo studies (generated on first use). */
export async function demoDataset(): Promise<string> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const synth = require("../synth") as { ensureDemoDataset?: () => Promise<string | { dir: string }> };
  if (!synth.ensureDemoDataset) throw new Error("lib/synth has no ensureDemoDataset");
  const r = await synth.ensureDemoDataset();
  return typeof r === "string" ? r : r.dir;
}
