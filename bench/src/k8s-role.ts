/**
 * One process per role for bench/src/k8s-scale.ts, so each one's CPU and RSS are its own:
 *   cluster <apiUrl> <tokenFile>                   the cluster component's state + topology server
 *   node    <apiUrl> <tokenFile> <node> <topoUrl>  one node agent (own node's pods + topology)
 *   naive   <apiUrl> <tokenFile> <node>            a node agent watching ALL pods (the design we avoid)
 * Prints "ready <ms> <port>" once synced, then runs until killed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { NOOP_LOGGER } from '@fathom/kit';
import { ClusterState, KubeClient, LabelPolicy, ListWatch, loadKubeConfig, NodeMetadata, PodTagger, serveTopology, Topology } from '@fathom/k8s';
import type { Pod } from '@fathom/k8s';

const [role, apiUrl, tokenFile, node, topoUrl] = process.argv.slice(2);
const client = new KubeClient(loadKubeConfig({ apiUrl: apiUrl ?? '', token: readFileSync(tokenFile ?? '', 'utf8').trim(), insecureSkipTlsVerify: true }));
const began = performance.now();
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort());

if (role === 'cluster') {
  const state = new ClusterState({ client, cluster: 'bench', logger: NOOP_LOGGER });
  const http = createServer((req, res) => {
    if (!serveTopology(state.topology, req, res)) res.writeHead(404).end();
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const done = state.run(stop.signal);
  await state.ready();
  process.stdout.write(`ready ${Math.round(performance.now() - began)} ${(http.address() as AddressInfo).port}\n`);
  await done;
  http.close();
} else if (role === 'node') {
  const m = new NodeMetadata({ client, nodeName: node ?? '', cluster: 'bench', ...(topoUrl ? { clusterAgentUrl: topoUrl } : {}), logger: NOOP_LOGGER });
  const done = m.run(stop.signal);
  await m.ready();
  process.stdout.write(`ready ${Math.round(performance.now() - began)} ${m.tagger.pods}\n`);
  await done;
} else if (role === 'naive') {
  const tagger = new PodTagger({ cluster: 'bench', topology: new Topology(), labelPolicy: new LabelPolicy() });
  const lw = new ListWatch<Pod>({ client, path: '/api/v1/pods', logger: NOOP_LOGGER, handler: { upsert: (p) => (p.spec?.nodeName === node ? tagger.upsert(p) : undefined), remove: (p) => tagger.remove(p) } });
  const done = lw.run(stop.signal);
  await lw.synced();
  process.stdout.write(`ready ${Math.round(performance.now() - began)} ${tagger.pods}\n`);
  await done;
} else {
  process.stderr.write('usage: k8s-role cluster|node|naive <apiUrl> <tokenFile> [node] [topologyUrl]\n');
  process.exitCode = 2;
}
