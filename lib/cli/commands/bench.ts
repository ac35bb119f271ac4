import { Command } from "commander";
import { BENCHES } from "../../../bench";

/** `lumbar bench <name>`: each benchmark runs ours and its named peer in one command. */
export function benchCommand(): Command {
  const cmd = new Command("bench").description("run a benchmark against its peer (see bench/)");
  for (const build of BENCHES) cmd.addCommand(build().exitOverride());
  return cmd;
}
