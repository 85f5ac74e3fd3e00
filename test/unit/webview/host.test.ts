// The webview side of numbered requests (src/webview/contract/host.ts): an older, slower
// answer is dropped once a newer request went out on its channel; channels are apart;
// pushed state (no number) always shows; numbers the page never sent are not current.
import { strict as assert } from 'node:assert';
import { RequestNumbers, seqOf } from '../../../src/webview/contract/host';

describe('webview request numbers', () => {
  it('drops the answer to a superseded request, whatever order the answers come in', () => {
    const n = new RequestNumbers();
    const first = n.next('runs'); // filter "a": slow
    const second = n.next('runs'); // filter "b": fast
    assert.equal(n.isCurrent(second), true);
    assert.equal(n.isCurrent(first), false, 'the slow answer to the older filter arrives last and must not be drawn');
  });

  it('keeps channels apart: opening two folders shows both listings', () => {
    const n = new RequestNumbers();
    const a = n.next('listArtifacts:model');
    const b = n.next('listArtifacts:plots');
    assert.equal(n.isCurrent(a), true);
    assert.equal(n.isCurrent(b), true);
  });

  it('shows state the host pushes on its own, and refuses numbers it never handed out', () => {
    const n = new RequestNumbers();
    assert.equal(n.isCurrent(undefined), true);
    assert.equal(n.isCurrent(7), false);
    const s = n.next('history');
    assert.equal(n.isCurrent(s), true);
    assert.equal(n.isCurrent(s), true, 'a request may get more than one message back');
  });

  it('reads a request number only when it is one', () => {
    assert.equal(seqOf({ type: 'x' }), undefined);
    assert.equal(seqOf({ type: 'x', seq: 3 }), 3);
    for (const bad of [-1, 1.5, '3', Number.MAX_SAFE_INTEGER + 2, null, {}]) assert.equal(seqOf({ type: 'x', seq: bad }), null, String(bad));
    assert.equal(seqOf(null), undefined);
  });
});
