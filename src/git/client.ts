// Git through simple-git, with no editor API.
import { simpleGit } from 'simple-git';

export async function isInsideRepository(dir: string): Promise<boolean> {
  try {
    return await simpleGit({ baseDir: dir }).checkIsRepo();
  } catch {
    return false;
  }
}

/** `git init`, then one commit of the given files (paths relative to `dir`). */
export async function initAndCommit(dir: string, files: readonly string[], message: string): Promise<string> {
  const git = simpleGit({ baseDir: dir });
  await git.init();
  await git.add([...files]);
  // A repository without a configured identity still gets its first commit.
  const name = (await git.getConfig('user.name')).value;
  const email = (await git.getConfig('user.email')).value;
  const env = name && email ? [] : ['-c', `user.name=${name ?? 'MLOps Workbench'}`, '-c', `user.email=${email ?? 'mlops-workbench@localhost'}`];
  await git.raw([...env, 'commit', '-m', message]);
  return (await git.revparse(['HEAD'])).trim();
}
