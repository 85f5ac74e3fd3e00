// MLflow's run filter syntax, parsed and applied locally: the same expression a user
// types for an MLflow server (where the server evaluates it) filters DVC experiments and
// file-store runs here. Grammar as MLflow's search_runs documents it:
//   clause ( AND clause )*
//   clause := entity.key comparator value
//   entity := metrics|metric | params|param|parameters | tags|tag | attributes|attribute|attr|run
//   key    := name | `quoted name` | "quoted name"
//   comparator := = != > >= < <= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
// Pure: no editor API, no I/O.
import type { Run } from './model';
import { own } from '../../common/objects';

type Entity = 'metrics' | 'params' | 'tags' | 'attributes';
type Op = '=' | '!=' | '>' | '>=' | '<' | '<=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN' | 'IS NULL' | 'IS NOT NULL';

export interface Clause {
  readonly entity: Entity;
  readonly key: string;
  readonly op: Op;
  readonly value?: string | number | readonly string[];
}

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
  }
}

const ENTITIES: Record<string, Entity> = {
  metric: 'metrics',
  metrics: 'metrics',
  param: 'params',
  params: 'params',
  parameter: 'params',
  parameters: 'params',
  tag: 'tags',
  tags: 'tags',
  attribute: 'attributes',
  attributes: 'attributes',
  attr: 'attributes',
  run: 'attributes',
};

const ATTRIBUTES = new Set(['run_id', 'run_name', 'status', 'start_time', 'end_time', 'created', 'artifact_uri', 'user_id', 'experiment_id']);
const NUMERIC_ATTRIBUTES = new Set(['start_time', 'end_time', 'created']);

type Token = { kind: 'word' | 'string' | 'number' | 'op' | 'punct'; text: string; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"' || c === '`') {
      let text = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        text += src[i++];
      }
      if (i >= src.length) throw new FilterSyntaxError(`unterminated ${c} quote`, start);
      i++;
      // Backticks quote keys only; single and double quotes may quote keys or values.
      out.push({ kind: c === '`' ? 'word' : 'string', text, pos: start });
      continue;
    }
    const op = /^(!=|>=|<=|=|>|<)/.exec(src.slice(i));
    if (op) {
      out.push({ kind: 'op', text: op[1], pos: start });
      i += op[1].length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '.') {
      out.push({ kind: 'punct', text: c, pos: start });
      i++;
      continue;
    }
    const num = /^-?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(src.slice(i));
    if (num && (out.length === 0 || out[out.length - 1].kind === 'op')) {
      out.push({ kind: 'number', text: num[0], pos: start });
      i += num[0].length;
      continue;
    }
    const word = /^[^\s'"`()=!<>,.]+/.exec(src.slice(i));
    if (!word) throw new FilterSyntaxError(`unexpected "${c}"`, start);
    out.push({ kind: 'word', text: word[0], pos: start });
    i += word[0].length;
  }
  return out;
}

/** Parses a filter; an empty string is no filter. Throws FilterSyntaxError with the position. */
export function parseFilter(src: string): Clause[] {
  const t = tokenize(src);
  const clauses: Clause[] = [];
  let i = 0;
  const peek = (): Token | undefined => t[i];
  const end = src.length;
  const expectWord = (what: string): Token => {
    const tok = t[i++];
    if (!tok || (tok.kind !== 'word' && tok.kind !== 'string')) throw new FilterSyntaxError(`expected ${what}`, tok?.pos ?? end);
    return tok;
  };
  while (i < t.length) {
    const ent = expectWord('metrics., params., tags. or attributes.');
    const entity = ENTITIES[ent.text.toLowerCase()];
    if (!entity) throw new FilterSyntaxError(`"${ent.text}" is not metrics, params, tags or attributes`, ent.pos);
    if (peek()?.text !== '.') throw new FilterSyntaxError(`expected "." after ${ent.text}`, peek()?.pos ?? end);
    i++;
    // Unquoted keys may contain dots (params.train.lr): join words and dots up to the comparator.
    let key = expectWord('a key').text;
    while (peek()?.text === '.' && t[i + 1] && (t[i + 1].kind === 'word' || t[i + 1].kind === 'number')) {
      key += `.${t[i + 1].text}`;
      i += 2;
    }
    if (entity === 'attributes' && !ATTRIBUTES.has(key)) throw new FilterSyntaxError(`unknown attribute "${key}" (${[...ATTRIBUTES].join(', ')})`, ent.pos);
    const opTok = t[i++];
    if (!opTok) throw new FilterSyntaxError('expected a comparator', end);
    let op: Op;
    const upper = opTok.text.toUpperCase();
    if (opTok.kind === 'op') op = opTok.text as Op;
    else if (upper === 'LIKE' || upper === 'ILIKE' || upper === 'IN') op = upper;
    else if (upper === 'NOT' && peek()?.text.toUpperCase() === 'IN') {
      i++;
      op = 'NOT IN';
    } else if (upper === 'IS') {
      const not = peek()?.text.toUpperCase() === 'NOT';
      if (not) i++;
      if (peek()?.text.toUpperCase() !== 'NULL') throw new FilterSyntaxError('expected NULL', peek()?.pos ?? end);
      i++;
      op = not ? 'IS NOT NULL' : 'IS NULL';
    } else throw new FilterSyntaxError(`"${opTok.text}" is not a comparator`, opTok.pos);

    // MLflow's own rules and words (mlflow.utils.search_utils), so a filter that works here works on a server.
    const noun = entity === 'params' ? 'parameter' : entity === 'tags' ? 'tag' : 'attributes';
    if ((op === 'IS NULL' || op === 'IS NOT NULL') && entity !== 'params' && entity !== 'tags') {
      throw new FilterSyntaxError(`IS NULL / IS NOT NULL is only supported for tags and params, not for '${entity === 'metrics' ? 'metric' : 'attribute'}' '${key}'`, opTok.pos);
    }
    let value: Clause['value'];
    if (op === 'IN' || op === 'NOT IN') {
      if (entity === 'metrics') throw new FilterSyntaxError(`Expected numeric value type for metric. Found a list`, opTok.pos);
      if (entity === 'attributes' && key !== 'run_id') throw new FilterSyntaxError(`Only ['run_id'] attributes support comparison with a list of quoted string values.`, opTok.pos);
      if (entity !== 'attributes') throw new FilterSyntaxError(`Expected a quoted string value for ${noun} (e.g. 'my-value'). Got value (${src.slice(peek()?.pos ?? end).replace(/^\(|\).*$/g, '')})`, peek()?.pos ?? end);
      if (peek()?.text !== '(') throw new FilterSyntaxError('expected "(" after IN', peek()?.pos ?? end);
      i++;
      const list: string[] = [];
      while (peek() && peek()!.text !== ')') {
        const v = t[i++];
        if (v.kind !== 'string' && v.kind !== 'number') throw new FilterSyntaxError('expected a quoted value', v.pos);
        list.push(v.text);
        if (peek()?.text === ',') i++;
      }
      if (peek()?.text !== ')') throw new FilterSyntaxError('expected ")"', end);
      i++;
      value = list;
    } else if (op !== 'IS NULL' && op !== 'IS NOT NULL') {
      const v = t[i++];
      if (!v || (v.kind !== 'string' && v.kind !== 'number')) throw new FilterSyntaxError('expected a value', v?.pos ?? end);
      const numeric = entity === 'metrics' || (entity === 'attributes' && NUMERIC_ATTRIBUTES.has(key));
      if (numeric) {
        if (v.kind !== 'number' || Number.isNaN(Number(v.text))) {
          throw new FilterSyntaxError(entity === 'metrics' ? `Expected numeric value type for metric. Found '${v.text}'` : `Expected numeric value type for numeric attribute: ${key}. Found '${v.text}'`, v.pos);
        }
        value = Number(v.text);
      } else {
        if (v.kind !== 'string') throw new FilterSyntaxError(`Expected a quoted string value for ${noun}${entity === 'attributes' ? '' : " (e.g. 'my-value')"}. Got value ${v.text}`, v.pos);
        value = v.text;
      }
      if (entity === 'metrics' && (op === 'LIKE' || op === 'ILIKE')) throw new FilterSyntaxError('metrics compare with = != > >= < <=', opTok.pos);
    }
    clauses.push({ entity, key, op, ...(value !== undefined ? { value } : {}) });
    const next = peek();
    if (next) {
      if (next.text.toUpperCase() !== 'AND') throw new FilterSyntaxError(next.text.toUpperCase() === 'OR' ? 'OR is not supported (MLflow filters join clauses with AND)' : 'expected AND', next.pos);
      i++;
      if (!peek()) throw new FilterSyntaxError('expected a clause after AND', end);
    }
  }
  return clauses;
}

/**
 * SQL LIKE: "%" any run of characters, "_" any one. Matched by the two-pointer wildcard
 * walk (at most pattern × text steps), not a RegExp: "%a%a%a%a%b" as a RegExp backtracks
 * without end on a long value, and values come from whoever logged the runs.
 */
export function likeMatch(pattern: string, text: string, insensitive: boolean): boolean {
  const p = insensitive ? pattern.toLowerCase() : pattern;
  const s = insensitive ? text.toLowerCase() : text;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && p[i] !== '%' && (p[i] === '_' || p[i] === s[j])) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '%') {
      star = i++;
      mark = j;
    } else if (star >= 0) {
      i = star + 1;
      j = ++mark;
    } else return false;
  }
  while (i < p.length && p[i] === '%') i++;
  return i === p.length;
}

/** A run's attribute by MLflow's name for it (run_name, status, start_time…). */
export function attribute(run: Run, key: string): string | number | undefined {
  switch (key) {
    case 'run_id':
      return run.id;
    case 'run_name':
      return run.name;
    case 'status':
      return run.status;
    case 'start_time':
    case 'created':
      return run.startTime;
    case 'end_time':
      return run.endTime;
    case 'artifact_uri':
      return run.artifactUri;
    case 'user_id':
      return run.tags['mlflow.user'];
    case 'experiment_id':
      return run.experimentId;
    default:
      return undefined;
  }
}

function test(c: Clause, actual: string | number | undefined): boolean {
  if (c.op === 'IS NULL') return actual === undefined;
  if (c.op === 'IS NOT NULL') return actual !== undefined;
  // As on the server: a run without the key never matches a comparison.
  if (actual === undefined) return false;
  const v = c.value;
  switch (c.op) {
    case 'IN':
      return (v as readonly string[]).includes(String(actual));
    case 'NOT IN':
      return !(v as readonly string[]).includes(String(actual));
    case 'LIKE':
    case 'ILIKE':
      return likeMatch(String(v), String(actual), c.op === 'ILIKE');
    default:
      break;
  }
  const a = typeof v === 'number' ? Number(actual) : String(actual);
  const b = typeof v === 'number' ? v : String(v);
  switch (c.op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** A predicate for runs; parse errors throw before any run is tested. */
export function compileFilter(src: string): (run: Run) => boolean {
  const clauses = parseFilter(src);
  return (run) =>
    clauses.every((c) => {
      const actual = c.entity === 'attributes' ? attribute(run, c.key) : own(run[c.entity] as Record<string, string | number>, c.key);
      return test(c, actual);
    });
}
