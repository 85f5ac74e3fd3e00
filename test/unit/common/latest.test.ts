import { strict as assert } from 'node:assert';
import { LatestOnly } from '../../../src/common/latest';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((r) => setTimeout(() => r(value), ms));

describe('LatestOnly (common/latest)', () => {
  it('an older, slower answer is dropped and its token cancelled; the newer one is kept', async () => {
    const latest = new LatestOnly();
    let olderCancelled = false;
    const older = latest.run(async (token) => {
      token.onCancellationRequested(() => (olderCancelled = true));
      return after(150, 'old filter');
    });
    const newer = latest.run(() => after(10, 'new filter'));
    assert.deepEqual(await newer, { current: true, value: 'new filter' });
    assert.deepEqual(await older, { current: false });
    assert.equal(olderCancelled, true);
  });

  it('an error of a superseded run is dropped; the current run’s error is thrown', async () => {
    const latest = new LatestOnly();
    const older = latest.run(async () => {
      await after(20, 0);
      throw new Error('stale failure');
    });
    const newer = latest.run(async () => {
      throw new Error('current failure');
    });
    await assert.rejects(newer, /current failure/);
    assert.deepEqual(await older, { current: false });
  });

  it('cancel() drops the run in flight', async () => {
    const latest = new LatestOnly();
    const run = latest.run(() => after(20, 'x'));
    latest.cancel();
    assert.deepEqual(await run, { current: false });
  });
});
