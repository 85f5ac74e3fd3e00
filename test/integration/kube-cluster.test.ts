// The test cluster (test/env/kube-cluster.sh) from bring-up to tear-down: an image built
// with the real Docker engine reaches the node by both routes the deploy feature uses —
// `docker save` piped into containerd's import, and a push to the local registry — and
// runs as a Deployment behind a Service, made with @kubernetes/client-node; a
// port-forward through the API server reaches it; it scales to 2; the cluster goes down
// and leaves no process behind.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type * as k8s from '@kubernetes/client-node';
import { DockerClient } from '../../src/docker/core/client';
import { kubeClusterLib } from './helpers/kube';
import { root } from './helpers/processes';

const script = path.join(root, 'test', 'env', 'kube-cluster.sh');
const runId = Date.now().toString(36);
const NAMESPACE = `mlops-it-${runId}`;
/** Every process the cluster script starts, by its command line. */
const CLUSTER_PROCESSES = /(^|\/)(kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|etcd|docker-registry|containerd-shim-runc-v2)( |$)|containerd --config \S*kube-cluster/;

/** The app in the image: answers /ready, and / with the pod's name and the image's route. */
const APP = `import http.server, json, os, socket
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ready" if self.path == "/ready" else json.dumps({"pod": socket.gethostname(), "route": os.environ.get("ROUTE", "")}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", 8080), H).serve_forever()
`;

function sh(args: string[]): string {
  return execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 45 * 60_000 });
}

function clusterProcesses(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => CLUSTER_PROCESSES.test(l.trim().replace(/^\d+\s+/, '')));
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out: ${url}`)));
    req.on('error', reject);
  });
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('test cluster (kube-cluster.sh, real kubelet, containerd, kube-proxy)', function () {
  let env: Record<string, string> = {};
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  let lib: typeof k8s;
  let docker: DockerClient;
  let work = '';
  const images: string[] = [];

  before(async function () {
    // First time on a machine: builds Kubernetes from source (about 5 minutes here).
    this.timeout(45 * 60_000);
    const t0 = Date.now();
    env = (await kubeClusterLib()).kubeCluster('up');
    console.log(`      cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    lib = await import('@kubernetes/client-node');
    kc = new lib.KubeConfig();
    kc.loadFromFile(env.KUBECONFIG!);
    core = kc.makeApiClient(lib.CoreV1Api);
    apps = kc.makeApiClient(lib.AppsV1Api);
    docker = await DockerClient.connect();
    work = mkdtempSync(path.join(os.tmpdir(), 'mlops-kube-'));
  });

  after(async function () {
    this.timeout(120_000);
    if (core) await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
    for (const ref of images) await docker?.removeImage(ref).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
    // If a test failed before the last one, the cluster still goes down.
    if (clusterProcesses().length) sh(['down']);
  });

  it('is up: the node is Ready, the API answers with the pinned version', async () => {
    const node = await core.readNode({ name: env.NODE_NAME! });
    assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(node.status?.nodeInfo?.kubeletVersion, 'v1.34.4');
    assert.match(node.status?.nodeInfo?.containerRuntimeVersion ?? '', /^containerd:\/\//);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } });
    // The controller manager gives each new namespace its default service account.
    await waitFor('the default service account', async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace: NAMESPACE }).catch(() => undefined)) ? true : undefined);
  });

  it('gets an image built by Docker into the node by both routes', async function () {
    this.timeout(10 * 60_000);
    const baseImage = execFileSync('bash', [path.join(root, 'test', 'env', 'docker.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    const ctx = path.join(work, 'app');
    mkdirSync(ctx);
    writeFileSync(path.join(ctx, 'app.py'), APP);
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${baseImage}\nCOPY app.py /app/app.py\nEXPOSE 8080\nCMD ["python3", "/app/app.py"]\n`);
    const loaded = `mlops-it/kube-app:${runId}`;
    const pushed = `${env.REGISTRY}/mlops-it/kube-app:${runId}`;
    await docker.build(ctx, { tags: [loaded, pushed], labels: { 'mlops.workbench/test': runId } });
    images.push(loaded, pushed);

    // Route 1: docker save | containerd import, as `kind load docker-image` does.
    sh(['load', loaded]);
    const listed = execFileSync('ctr', ['--address', env.CONTAINERD_ADDRESS!, '-n', 'k8s.io', 'images', 'ls', '-q'], { encoding: 'utf8' });
    assert.ok(listed.split('\n').includes(`docker.io/${loaded}`), listed);

    // Route 2: a push to the local registry, which the node pulls from.
    // Anonymous, as the docker CLI sends it (the engine wants the header even then).
    const stream = await docker.docker.getImage(pushed).push({ authconfig: {} });
    const progress: unknown[] = await new Promise((resolve, reject) => docker.docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) => (err ? reject(err) : resolve(out))));
    const failed = progress.find((p) => typeof p === 'object' && p !== null && 'error' in p);
    assert.equal(failed, undefined, JSON.stringify(failed));
    const tags = await get(`http://${env.REGISTRY}/v2/mlops-it/kube-app/tags/list`);
    assert.equal(tags.status, 200);
    assert.ok((JSON.parse(tags.body) as { tags: string[] }).tags.includes(runId), tags.body);
  });

  const deployment = (name: string, image: string, pullPolicy: 'Never' | 'Always', route: string): k8s.V1Deployment => ({
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image,
              imagePullPolicy: pullPolicy,
              env: [{ name: 'ROUTE', value: route }],
              ports: [{ containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
            },
          ],
          // The app is PID 1 with no SIGTERM handler: it would wait out the default 30 s.
          terminationGracePeriodSeconds: 1,
        },
      },
    },
  });

  /** Runs a command in the pod's container through the API server; its stdout, or undefined if it failed. */
  async function execIn(pod: string, command: string[]): Promise<string | undefined> {
    let stdout = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => ((stdout += chunk.toString('utf8')), cb()) });
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new lib.Exec(kc).exec(NAMESPACE, pod, 'app', command, sink, null, null, false, resolve).catch(reject);
    });
    return status.status === 'Success' ? stdout : undefined;
  }

  async function readyPods(app: string): Promise<k8s.V1Pod[]> {
    const pods = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: `app=${app}` });
    return pods.items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }

  it('runs both images as Deployments behind Services; their pods turn Ready', async function () {
    this.timeout(5 * 60_000);
    await apps.createNamespacedDeployment({ namespace: NAMESPACE, body: deployment('loaded', `mlops-it/kube-app:${runId}`, 'Never', 'load') });
    await apps.createNamespacedDeployment({ namespace: NAMESPACE, body: deployment('pushed', `${env.REGISTRY}/mlops-it/kube-app:${runId}`, 'Always', 'registry') });
    for (const app of ['loaded', 'pushed']) {
      await core.createNamespacedService({ namespace: NAMESPACE, body: { metadata: { name: app }, spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }] } } });
    }
    for (const app of ['loaded', 'pushed']) {
      const pods = await waitFor(`a Ready pod of ${app}`, async () => {
        const ready = await readyPods(app);
        return ready.length === 1 ? ready : undefined;
      });
      assert.match(pods[0]!.status?.podIP ?? '', /^10\.244\.0\./);
    }
  });

  it('port-forwards through the API server to the pod and gets 200 from the app', async function () {
    this.timeout(2 * 60_000);
    for (const [app, route] of [
      ['loaded', 'load'],
      ['pushed', 'registry'],
    ] as const) {
      const pod = (await readyPods(app))[0];
      assert.ok(pod, `a Ready pod of ${app}`);
      const forward = new lib.PortForward(kc);
      const sockets = new Set<net.Socket>();
      const server = net.createServer((socket) => {
        sockets.add(socket);
        forward.portForward(NAMESPACE, pod.metadata!.name!, [8080], socket, null, socket).catch((e: unknown) => socket.destroy(e instanceof Error ? e : new Error(String(e))));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const ready = await get(`http://127.0.0.1:${port}/ready`);
        assert.deepEqual(ready, { status: 200, body: 'ready' });
        const who = await get(`http://127.0.0.1:${port}/`);
        assert.equal(who.status, 200);
        assert.deepEqual(JSON.parse(who.body), { pod: pod.metadata!.name, route });
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise((r) => server.close(r));
      }
    }
  });

  it('routes Service traffic through kube-proxy, from the node and from another pod', async function () {
    this.timeout(2 * 60_000);
    const svc = await core.readNamespacedService({ name: 'pushed', namespace: NAMESPACE });
    const ip = svc.spec!.clusterIP!;
    assert.match(ip, /^10\.96\./);
    // From the node (its Service rules are in the host's iptables).
    const fromNode = await waitFor('the Service from the node', async () => {
      const r = await get(`http://${ip}/`);
      return r.status === 200 ? r : undefined;
    });
    assert.equal((JSON.parse(fromNode.body) as { route: string }).route, 'registry');
    // From the other Deployment's pod, over the pods' bridge (needs bridged traffic to pass iptables).
    const pod = (await readyPods('loaded'))[0]!;
    const out = await waitFor('the Service from a pod', () => execIn(pod.metadata!.name!, ['python3', '-c', `import urllib.request; print(urllib.request.urlopen("http://${ip}/", timeout=5).read().decode())`]));
    assert.equal((JSON.parse(out) as { route: string }).route, 'registry');
  });

  it('scales to 2 and sees both pods Ready, then deletes everything', async function () {
    this.timeout(5 * 60_000);
    await apps.patchNamespacedDeploymentScale({ name: 'pushed', namespace: NAMESPACE, body: { spec: { replicas: 2 } } }, lib.setHeaderOptions('Content-Type', lib.PatchStrategy.MergePatch));
    const pods = await waitFor('2 Ready pods', async () => {
      const ready = await readyPods('pushed');
      return ready.length === 2 ? ready : undefined;
    });
    assert.notEqual(pods[0]!.status!.podIP, pods[1]!.status!.podIP);
    const dep = await apps.readNamespacedDeployment({ name: 'pushed', namespace: NAMESPACE });
    assert.equal(dep.status?.readyReplicas, 2);

    await core.deleteNamespace({ name: NAMESPACE });
    await waitFor('the namespace to be gone', async () => ((await core.readNamespace({ name: NAMESPACE }).catch(() => undefined)) ? undefined : true), 180_000);
    const left = await core.listPodForAllNamespaces();
    assert.deepEqual(
      left.items.filter((p) => p.metadata?.namespace === NAMESPACE),
      [],
    );
  });

  it('goes down and leaves no process, pod network or node address behind', function () {
    this.timeout(2 * 60_000);
    assert.notDeepEqual(clusterProcesses(), [], 'the cluster was running');
    sh(['down']);
    assert.deepEqual(clusterProcesses(), []);
    const lo = execFileSync('ip', ['-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
    assert.ok(!lo.includes(`${env.NODE_IP}/`), lo);
    assert.notEqual(spawnSync('ip', ['link', 'show', 'mlops-cni0']).status, 0, 'the pods bridge is gone');
    const netns = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    assert.ok(!/^cni-/m.test(netns), netns);
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(' /run/mlops-kube/') || l.includes(`${path.dirname(env.KUBECONFIG!)}/`));
    assert.deepEqual(mounts, []);
    const rules = execFileSync('iptables-save', { encoding: 'utf8' });
    assert.ok(!/KUBE-|CNI-|mlops-test/.test(rules), rules.split('\n').filter((l) => /KUBE-|CNI-|mlops-test/.test(l)).join('\n'));
  });
});
