// What Compare draws from users' runs: a metric logged twice at one step (a training loop
// and an evaluation callback both log it), list-valued params as MLflow stores them
// (str() of a Python list), and what is not JSON kept as it is.
import { strict as assert } from 'node:assert';
import { byStep, paramText } from '../../../src/webview/contract/experiments';

describe('Compare’s data', () => {
  it('one value per step, the last one logged, in step order', () => {
    assert.deepEqual(byStep([[0, 0.5], [0, 0.7]]), [[0, 0.7]]);
    assert.deepEqual(byStep([[2, 3], [1, 2], [1, 2.5], [0, 1]]), [[0, 1], [1, 2.5], [2, 3]]);
    assert.deepEqual(byStep(undefined), []);
  });

  it('list params read as lists; anything else as it is', () => {
    assert.equal(paramText('[64, 32]'), '64, 32');
    assert.equal(paramText('["relu", "tanh"]'), 'relu, tanh');
    assert.equal(paramText("['relu', 'tanh']"), 'relu, tanh', 'str() of a Python list, as MLflow logs it');
    assert.equal(paramText('[1e-3, -2, True, None]'), '1e-3, -2, True, None');
    assert.equal(paramText('[]'), '');
    assert.equal(paramText("['a', b]"), "['a', b]", 'not plain values: kept');
    assert.equal(paramText('[{"a": 1}]'), '[{"a": 1}]', 'not a list of plain values: kept');
    assert.equal(paramText('0.01'), '0.01');
    assert.equal(paramText(undefined), '');
  });
});
