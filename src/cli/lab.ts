import { Command, InvalidArgumentError } from 'commander';
import { listRuns } from '../lab/models-node.js';
import { startLab } from '../lab/server-node.js';

const port = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got '${v}'`);
  return n;
};

/** `attentive lab [--port 8080] [--host 127.0.0.1] [--runs DIR]`. */
export function registerLabCommand(program: Command): void {
  program
    .command('lab')
    .description('a web page to translate, train and look inside the models (a local server; Ctrl-C stops it)')
    .option('--port <n>', 'port to listen on (0: any free port)', port, 8080)
    .option('--host <address>', 'address to bind (other machines can reach the lab only if you bind beyond 127.0.0.1)', '127.0.0.1')
    .option('--runs <dir>', 'folder of run folders', 'runs')
    .action(async (o: { port: number; host: string; runs: string }) => {
      const lab = await startLab({ port: o.port, host: o.host, runsDir: o.runs });
      console.log(`attentive lab: ${lab.url}  (runs folder ${lab.runsDir})`);
      if (o.host !== '127.0.0.1' && o.host !== 'localhost' && o.host !== '::1') {
        console.log('attentive lab: listening beyond this machine: anyone who can reach it can start training jobs');
      }
      const runs = listRuns(lab.runsDir);
      if (runs.length === 0) {
        console.log('attentive lab: no runs yet; start one from the Train tab of the page, or from a terminal:');
        console.log(`  npx attentive train translate --data embedded --model attention --max-minutes 5 --out ${lab.runsDir}/translate-first`);
      } else {
        console.log(`attentive lab: ${runs.length} run folder${runs.length === 1 ? '' : 's'} found`);
      }
      console.log('Ctrl-C stops the lab.');
      await new Promise<void>((done) => {
        const stop = () => {
          void lab.close().then(done);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
