// The kubeconfig as kubectl reads and writes it: the files (KUBECONFIG's list, else
// ~/.kube/config) merged as kubectl merges them, the current context read without loading
// client-node, and `use-context` written so that a crash cannot leave a truncated file.
// No editor API.
import type * as k8s from '@kubernetes/client-node';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserFacingError, errorMessage } from '../../common/errors';
import { t } from '../../common/l10n';

/** The kubeconfig files kubectl would read: KUBECONFIG's list, or ~/.kube/config. */
export function kubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = (env.KUBECONFIG ?? '').split(path.delimiter).filter(Boolean);
  return list.length ? list : [path.join(env.HOME ?? os.homedir(), '.kube', 'config')];
}

/** The merged kubeconfig, its current context set (`context` picks another), and the file `use-context` writes to: the one that set current-context, else the first. */
export async function loadKubeconfig(l: typeof k8s, opts: { env?: NodeJS.ProcessEnv; context?: string } = {}): Promise<{ kc: k8s.KubeConfig; contextFile: string }> {
    const env = opts.env ?? process.env;
    const files = kubeconfigFiles(env);
    const kc = new l.KubeConfig();
    const readable = (await Promise.all(files.map((f) => readFile(f, 'utf8').then(() => f, () => undefined)))).filter((f): f is string => !!f);
    if (readable.length === 0) throw new UserFacingError(t('No kubeconfig found ({0}). Create a local cluster (kind, minikube, k3d, Docker Desktop…) or point KUBECONFIG at its file.', files.join(', ')));
    let currentFile: string | undefined;
    try {
      // Merged as kubectl merges: the first file to name a cluster, user or context wins,
      // and the first to set current-context sets it (client-node's own merge refuses
      // duplicate names).
      const clusters: k8s.Cluster[] = [];
      const users: k8s.User[] = [];
      const contexts: k8s.Context[] = [];
      let currentContext = '';
      const add = <T extends { name: string }>(into: T[], from: readonly T[]) => {
        for (const x of from) if (!into.some((y) => y.name === x.name)) into.push(x);
      };
      for (const f of readable) {
        const one = new l.KubeConfig();
        one.loadFromFile(f);
        add(clusters, one.clusters);
        add(users, one.users);
        add(contexts, one.contexts);
        if (!currentContext && one.currentContext) {
          currentContext = one.currentContext;
          currentFile = f;
        }
      }
      kc.loadFromOptions({ clusters, users, contexts, currentContext });
    } catch (err) {
      throw new UserFacingError(t('The kubeconfig does not read: {0}', errorMessage(err)));
    }
    if (kc.getContexts().length === 0) throw new UserFacingError(t('The kubeconfig ({0}) has no contexts. Create a local cluster, or add a context.', readable.join(', ')));
    if (opts.context) {
      if (!kc.getContextObject(opts.context)) throw new UserFacingError(t('The kubeconfig has no context "{0}".', opts.context));
      kc.setCurrentContext(opts.context);
    }
    if (!kc.getCurrentContext() || !kc.getContextObject(kc.getCurrentContext())) kc.setCurrentContext(kc.getContexts()[0]!.name);
    return { kc, contextFile: currentFile ?? readable[0]! };
}

/**
 * The current context and its namespace, read from the kubeconfig files without loading
 * client-node (for the status bar at start-up); undefined when there is no kubeconfig.
 */
export async function peekKubeconfig(env: NodeJS.ProcessEnv = process.env): Promise<{ context: string; namespace: string } | undefined> {
    let current = '';
    const namespaces = new Map<string, string>();
    let any = false;
    const { parse } = await import('yaml');
    for (const f of kubeconfigFiles(env)) {
      const text = await readFile(f, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      let doc: { 'current-context'?: unknown; contexts?: Array<{ name?: unknown; context?: { namespace?: unknown } }> } | undefined;
      try {
        doc = parse(text) as typeof doc;
      } catch {
        continue;
      }
      any = true;
      if (!current && typeof doc?.['current-context'] === 'string') current = doc['current-context'];
      for (const c of doc?.contexts ?? []) {
        if (typeof c?.name === 'string' && !namespaces.has(c.name)) namespaces.set(c.name, typeof c.context?.namespace === 'string' ? c.context.namespace : 'default');
      }
    }
    if (!any || namespaces.size === 0) return undefined;
    const context = current && namespaces.has(current) ? current : [...namespaces.keys()][0]!;
    return { context, namespace: namespaces.get(context)! };
}

/**
 * Sets current-context in `file`, comments and layout kept. Written to a temporary file
 * beside it with the same mode, then renamed over it: a crash or a full disk mid-write
 * leaves the old kubeconfig whole.
 */
export async function writeCurrentContext(file: string, name: string): Promise<void> {
  const { parseDocument } = await import('yaml');
  const doc = parseDocument(await readFile(file, 'utf8'));
  doc.set('current-context', name);
  const mode = (await stat(file)).mode & 0o7777;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.mlops-${process.pid}-${Date.now().toString(36)}.tmp`);
  try {
    await writeFile(tmp, doc.toString(), { mode });
    await chmod(tmp, mode);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
