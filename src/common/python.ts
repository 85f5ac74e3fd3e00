// Which Python a feature runs: the interpreter the user selected in the Python extension,
// else the project's own virtual environment (.venv, venv, env: at the project's folder or
// above it, within its workspace folder), else mlops.python.path, else `python3` from the
// PATH. The choice comes with where it came from, for the views and the logs. No editor API.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export type PythonSource = 'python-extension' | 'project-venv' | 'setting' | 'path';

export interface PythonEnv {
  /** An absolute interpreter path, or a bare command name found on the PATH. */
  readonly python: string;
  readonly source: PythonSource;
  /** For the output: "…/shop/.venv/bin/python (the project's .venv)". */
  readonly label: string;
}

const VENV_NAMES = ['.venv', 'venv', 'env', '.env'];
const bin = process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python'];

/** The interpreter of a virtual environment folder, when it is one (its pyvenv.cfg says so). */
export function venvInterpreter(venv: string): string | undefined {
  try {
    if (!statSync(path.join(venv, 'pyvenv.cfg')).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const python = path.join(venv, ...bin);
  return existsSync(python) ? python : undefined;
}

/** The project's own virtual environment: in `dir` or a folder above it, up to `stop` (its workspace folder). */
export function projectVenv(dir: string, stop?: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of VENV_NAMES) {
      const python = venvInterpreter(path.join(d, name));
      if (python) return python;
    }
    if (!stop || d === path.resolve(stop) || path.dirname(d) === d) return undefined;
  }
}

/**
 * Whether an interpreter's environment has `module` installed, read from its site-packages
 * (nothing is run). Unknown (a system or conda Python): false.
 */
export function hasModule(python: string, module: string): boolean {
  if (!path.isAbsolute(python)) return false;
  const env = path.dirname(path.dirname(python));
  const dirs: string[] = [];
  if (process.platform === 'win32') dirs.push(path.join(env, 'Lib', 'site-packages'));
  else {
    for (const lib of ['lib', 'lib64']) {
      let names: string[] = [];
      try {
        names = readdirSync(path.join(env, lib));
      } catch {
        continue;
      }
      for (const n of names) if (/^python3(\.\d+)?$/.test(n)) dirs.push(path.join(env, lib, n, 'site-packages'));
    }
  }
  return dirs.some((d) => existsSync(path.join(d, module, '__init__.py')) || existsSync(path.join(d, `${module}.py`)));
}

export interface PythonChoiceInput {
  /** The Python extension's selected interpreter for the project, when it is installed. */
  readonly selected?: string;
  /** The project's folder, and its workspace folder (the search for a venv stops there). */
  readonly dir?: string;
  readonly workspaceRoot?: string;
  /** mlops.python.path. */
  readonly setting?: string;
}

export function choosePython(input: PythonChoiceInput): PythonEnv {
  const selected = input.selected?.trim();
  if (selected) return { python: selected, source: 'python-extension', label: `${selected} (selected in the Python extension)` };
  const venv = input.dir ? projectVenv(input.dir, input.workspaceRoot) : undefined;
  if (venv) return { python: venv, source: 'project-venv', label: `${venv} (the project's ${path.basename(path.dirname(path.dirname(venv)))})` };
  const setting = input.setting?.trim();
  if (setting) return { python: setting, source: 'setting', label: `${setting} (mlops.python.path)` };
  return { python: 'python3', source: 'path', label: 'python3 (from the PATH)' };
}

/**
 * How to run a Python tool (dvc, mlflow) for a project whose environment is `env`: that
 * environment's own copy when it has one ([python, -m, tool]); else the fallback (the tool
 * of mlops.python.path, or from the PATH) with `env` activated, so what the tool runs (a
 * pipeline's `python train.py`) still finds the project's packages.
 */
export function toolFor(tool: 'dvc' | 'mlflow', env: PythonEnv, fallback: readonly string[]): { command: string[]; activate?: string } {
  if (path.isAbsolute(env.python) && hasModule(env.python, tool)) return { command: [env.python, '-m', tool] };
  const own = env.source === 'python-extension' || env.source === 'project-venv';
  return { command: [...fallback], ...(own && path.isAbsolute(env.python) ? { activate: env.python } : {}) };
}
