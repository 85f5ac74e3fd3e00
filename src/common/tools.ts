// Command-line tools on the PATH. No editor API.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** The executable `name` from the PATH, without running anything. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const file = path.join(dir, name + ext.toLowerCase());
      try {
        accessSync(file, constants.X_OK);
        if (statSync(file).isFile()) return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * The environment a tool run from a Python interpreter sees, as in a terminal where that
 * interpreter's environment is activated: its `bin` (`Scripts` on Windows) first on the
 * PATH and, for a virtual environment, VIRTUAL_ENV. A DVC pipeline's `python train.py`
 * then finds the packages of the environment DVC itself came from. A bare command name
 * (`python3`, found on the PATH) changes nothing.
 */
export function activatedEnv(python: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (!path.isAbsolute(python)) return { ...env };
  const bin = path.dirname(python);
  const out: NodeJS.ProcessEnv = { ...env, PATH: [bin, ...(env.PATH ?? '').split(path.delimiter).filter((d) => d && d !== bin)].join(path.delimiter) };
  const venv = path.dirname(bin);
  try {
    if (statSync(path.join(venv, 'pyvenv.cfg')).isFile()) out.VIRTUAL_ENV = venv;
  } catch {
    // not a virtual environment (a system or conda interpreter): the PATH is enough
  }
  delete out.PYTHONHOME;
  return out;
}

/** The environment for a tool run as `command` ([python, -m, tool] runs in that Python's environment; a bare tool in ours). */
export function toolEnv(command: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return command[1] === '-m' && command[0] ? activatedEnv(command[0], env) : { ...env };
}
