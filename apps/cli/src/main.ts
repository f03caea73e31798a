/** The `fathom` command. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, DEFAULT_AGENT_METRICS_PORT, DEFAULT_PORT } from '@fathom/config';
import { agentCommand, clusterAgentCommand, serverCommand, simulateCommand, upCommand } from './commands.js';
import { rulesCheckCommand, rulesTestCommand } from './rules.js';

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'];

function common(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'YAML configuration file (sections "agent" and "server"); flags override it')
    .addOption(new Option('--log-level <level>', 'log verbosity').choices(LOG_LEVELS).default('info'));
}

function serverFlags(cmd: Command): Command {
  return cmd
    .option('--port <port>', `port for the API and the web UI (default ${DEFAULT_PORT})`)
    .option('--host <address>', 'address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)')
    .option('--retention <duration>', 'how long to keep samples, e.g. 6h or 7d (default 6h)');
}

function agentFlags(cmd: Command): Command {
  return cmd
    .option('--interval <duration>', 'collection interval, e.g. 10s (default 10s)')
    .option('--listen <host:port>', `where the agent serves its own /metrics, or "off" (default 127.0.0.1:${DEFAULT_AGENT_METRICS_PORT})`)
    .option('--hostname <name>', 'value of the "host" label on every series (default: this machine\'s hostname)');
}

export function buildProgram(): Command {
  const program = new Command('fathom')
    .description('Kubernetes-aware monitoring: one agent per host, one backend, one command.')
    .version('0.1.0')
    .showHelpAfterError();

  common(agentFlags(serverFlags(program.command('up'))))
    .description('run the server and this host\'s agent together (the embedded default)')
    .option('--data-dir <dir>', 'where data is kept: <dir>/server and <dir>/agent (default ~/.fathom, or $FATHOM_DATA_DIR)')
    .option('--demo', 'run a simulated Kubernetes cluster instead of this host\'s agent (backfills --history, default 3h)')
    .option('--nodes <n>', 'demo: number of simulated nodes (default 12)')
    .option('--seed <n>', 'demo: random seed; the same seed replays the same cluster (default 1)')
    .option('--history <duration>', 'demo: history to backfill, e.g. 3h or 0 (default 3h)')
    .option('--incident <kind@when...>', 'demo: scripted incidents instead of the default script, e.g. domino@+5m canary@-30m')
    .action(upCommand);

  common(program.command('simulate'))
    .description('drive a running server with a simulated Kubernetes cluster (demo data, load tests up to 1,000+ nodes)')
    .option('--server <url>', `URL of the Fathom server (default http://127.0.0.1:${DEFAULT_PORT})`, urlArg)
    .option('--nodes <n>', 'number of simulated nodes (default 12)')
    .option('--seed <n>', 'random seed; the same seed replays the same cluster (default 1)')
    .option('--history <duration>', 'history to backfill before going live, e.g. 1h or 0 (default 1h)')
    .option('--interval <duration>', 'live sample interval (default 10s)')
    .option('--incident <kind@when...>', 'scripted incidents instead of the default script, e.g. domino@+5m canary@-30m')
    .action(simulateCommand);

  common(serverFlags(program.command('server')))
    .description('run the backend only: ingest, storage, Prometheus API, web UI')
    .option('--data-dir <dir>', 'where the server keeps its data (default ~/.fathom/server)')
    .action(serverCommand);

  common(agentFlags(program.command('agent')))
    .description('run the agent only, shipping to a server')
    .option('--server <url>', `URL of the Fathom server (default http://127.0.0.1:${DEFAULT_PORT})`, urlArg)
    .option('--data-dir <dir>', 'where the agent keeps its id and disk buffer (default ~/.fathom/agent)')
    .action(agentCommand);

  common(program.command('cluster-agent'))
    .description('run the Kubernetes cluster component: watches cluster-wide objects once, serves node agents, ships kube-state metrics and events')
    .option('--server <url>', `URL of the Fathom server (default http://127.0.0.1:${DEFAULT_PORT})`, urlArg)
    .option('--listen <host:port>', 'where node agents reach it (default 0.0.0.0:9071)')
    .option('--interval <duration>', 'how often kube-state metrics are shipped, e.g. 10s (default 10s)')
    .option('--data-dir <dir>', 'where it keeps its disk buffer (default ~/.fathom/agent)')
    .action(clusterAgentCommand);

  const rules = program.command('rules').description('alerting and recording rule files (docs/formats/alert-rules.md)');
  rules
    .command('check')
    .description('validate rule files; every problem is printed as file:line:column: message')
    .argument('<files...>', 'rule files (YAML)')
    .action(rulesCheckCommand);
  rules
    .command('test')
    .description("run rule unit tests in promtool's format (input_series, alert_rule_test, promql_expr_test)")
    .argument('<files...>', 'test files (YAML)')
    .action(rulesTestCommand);
  return program;
}

function urlArg(value: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new InvalidArgumentError(`not a URL: ${value}`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InvalidArgumentError) {
      process.stderr.write(`fathom: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`fathom: ${(err as Error).message}\n`);
    return 1;
  }
}
