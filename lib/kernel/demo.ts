import { ensureDemoDataset } from "../synth";

/** The embedded default data set: lib/synth's cached demo studies (generated on first use). */
export function demoDataset(): Promise<string> {
  return ensureDemoDataset();
}
