import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activatedEnv, toolEnv } from '../../../src/common/tools';

describe('activatedEnv (common/tools)', () => {
  it('a virtual environment’s interpreter: its bin first on the PATH and VIRTUAL_ENV, as an activated terminal has them', () => {
    const venv = mkdtempSync(path.join(os.tmpdir(), 'mlops-venv-'));
    try {
      mkdirSync(path.join(venv, 'bin'));
      writeFileSync(path.join(venv, 'pyvenv.cfg'), 'home = /usr/bin\n');
      const python = path.join(venv, 'bin', 'python');
      const env = activatedEnv(python, { PATH: ['/usr/local/bin', '/usr/bin', path.join(venv, 'bin')].join(path.delimiter), PYTHONHOME: '/elsewhere', HOME: '/home/u' });
      assert.deepEqual(env.PATH!.split(path.delimiter), [path.join(venv, 'bin'), '/usr/local/bin', '/usr/bin']);
      assert.equal(env.VIRTUAL_ENV, venv);
      assert.equal(env.PYTHONHOME, undefined);
      assert.equal(env.HOME, '/home/u');
    } finally {
      rmSync(venv, { recursive: true, force: true });
    }
  });

  it('a system interpreter gets its folder on the PATH but no VIRTUAL_ENV; a bare command changes nothing', () => {
    const sys = activatedEnv('/opt/python3.12/bin/python3', { PATH: '/usr/bin' });
    assert.equal(sys.PATH, ['/opt/python3.12/bin', '/usr/bin'].join(path.delimiter));
    assert.equal(sys.VIRTUAL_ENV, undefined);
    assert.deepEqual(activatedEnv('python3', { PATH: '/usr/bin' }), { PATH: '/usr/bin' });
  });

  it('toolEnv: a tool run as [python, -m, tool] gets that Python’s environment; a bare tool ours', () => {
    assert.equal(toolEnv(['/opt/py/bin/python', '-m', 'dvc'], { PATH: '/usr/bin' }).PATH, ['/opt/py/bin', '/usr/bin'].join(path.delimiter));
    assert.deepEqual(toolEnv(['dvc'], { PATH: '/usr/bin' }), { PATH: '/usr/bin' });
  });
});
