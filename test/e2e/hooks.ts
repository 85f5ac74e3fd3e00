// One real VS Code and one browser for the whole e2e run; artifacts on failure.
import { saveArtifacts, startSession, stopSession } from './harness';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(15 * 60_000); // the first run on a fresh machine installs code-server
    await startSession();
  },
  async afterEach(this: Mocha.Context) {
    const t = this.currentTest;
    if (t?.state === 'failed') await saveArtifacts(`failed-${t.fullTitle()}`);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSession();
  },
};
