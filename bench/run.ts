import { main as searchBench } from './search.js'
import { main as liveBench } from './live.js'
import { main as askContextBench } from './ask-context.js'
import { main as tokensBench } from './tokens.js'
import { main as mcpBench } from './mcp.js'
import { main as soakBench } from './soak.js'
import { main as fuzzBench } from './fuzz.js'
import { main as typedToolsBench } from './typed-tools.js'
import { main as clusterSurvivalBench } from './cluster-survival.js'
import { main as overheadBench } from './overhead.js'
import { main as largeAnswersBench } from './large-answers.js'
import { main as fleetBench } from './fleet.js'
import { main as teamBench } from './team.js'

/** `npm run bench`: every benchmark, one after the other, with printed figures. Pass `search` or `live` to run one. */
export async function main (argv: string[] = process.argv.slice(2)): Promise<void> {
  const only = argv.find((a) => !a.startsWith('-'))
  const benches: Array<[string, (argv: string[]) => Promise<unknown>]> = [['search', searchBench], ['live', liveBench], ['ask-context', askContextBench], ['tokens', tokensBench], ['mcp', mcpBench], ['soak', soakBench], ['fuzz', fuzzBench], ['typed-tools', typedToolsBench], ['cluster-survival', clusterSurvivalBench], ['overhead', overheadBench], ['large-answers', largeAnswersBench], ['fleet', fleetBench], ['team', teamBench]]
  for (const [name, run] of benches) {
    if (only !== undefined && only !== name) continue
    process.stdout.write(`\n=== ${name} ===\n`)
    await run(argv.filter((a) => a !== name))
  }
}

await main()
