// Git through simple-git, with no editor API.
import { withoutCredentials } from '../../common/urls';
export interface GitState {
  readonly sha: string;
  readonly dirty: boolean;
  /** The fetch URL of the "origin" remote, when there is one. */
  readonly remote?: string;
}

async function git(dir: string) {
  const { simpleGit } = await import('simple-git');
  return simpleGit({ baseDir: dir });
}

export async function isInsideRepository(dir: string): Promise<boolean> {
  try {
    return await (await git(dir)).checkIsRepo();
  } catch {
    return false;
  }
}

/** `git init`, then one commit of the given files (paths relative to `dir`). */
export async function initAndCommit(dir: string, files: readonly string[], message: string): Promise<string> {
  const g = await git(dir);
  await g.init();
  await g.add([...files]);
  // A repository without a configured identity still gets its first commit.
  const name = (await g.getConfig('user.name')).value;
  const email = (await g.getConfig('user.email')).value;
  const env = name && email ? [] : ['-c', `user.name=${name ?? 'MLOps Workbench'}`, '-c', `user.email=${email ?? 'mlops-workbench@localhost'}`];
  await g.raw([...env, 'commit', '-m', message]);
  return (await g.revparse(['HEAD'])).trim();
}

/** HEAD, whether the work tree has changes, and origin's URL; undefined outside a repository or before the first commit. */
export async function gitState(dir: string): Promise<GitState | undefined> {
  if (!(await isInsideRepository(dir))) return undefined;
  const g = await git(dir);
  let sha: string;
  try {
    sha = (await g.revparse(['HEAD'])).trim();
  } catch {
    return undefined; // no commit yet
  }
  const status = await g.status();
  const origin = (await g.getRemotes(true)).find((r) => r.name === 'origin');
  // The remote is labelled on images and shown: its credentials stay in .git/config.
  return { sha, dirty: !status.isClean(), ...(origin?.refs.fetch ? { remote: withoutCredentials(origin.refs.fetch) } : {}) };
}
