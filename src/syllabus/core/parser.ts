// The syllabus format: a small Markdown dialect, read by this one parser for the
// built-in syllabi and for a user's own file alike.
//
//   ---                       optional front matter; `title:` names the syllabus
//   title: My course
//   ---
//   # Module 1: Clouds (4 horas)   a heading (any level) starts a module; "(N horas)",
//                                  "(N hours)" or "(N h)" gives its hours
//   Free text under a heading      the module's description (until its first topic)
//   ✅ A topic                     done      (also "- [x] A topic")
//   ☑️ A topic                     to do     (also "- [ ] A topic")
//     - [ ] A sub-topic            grouping: a topic indented deeper than the topic
//                                  above it is that topic's child, at any depth
//
// The grouping rule is indentation and nothing else: a line's wording never makes
// it a group. The shipped syllabi mark their groups by indenting the sub-topics.
// Lines that are none of these are reported with their line numbers as problems;
// parsing never throws and always returns what it could read.

export interface Topic {
  /** Stable identity: the normalised text, made unique within the syllabus. */
  readonly key: string;
  readonly text: string;
  /** The state the source marks (✅ / [x] → true). */
  readonly doneInSource: boolean;
  /** 1-based line in the source. */
  readonly line: number;
  readonly children: Topic[];
}

export interface Module {
  readonly key: string;
  /** The heading without "#" and without the hours note; '' for topics before any heading. */
  readonly title: string;
  readonly hours?: number;
  readonly description: string;
  readonly line: number;
  readonly topics: Topic[];
}

export interface Problem {
  readonly line: number;
  readonly message: string;
  readonly text: string;
}

export interface Syllabus {
  readonly title?: string;
  readonly modules: Module[];
  readonly problems: Problem[];
}

const HEADING_START = /^\s{0,3}#{1,6}\s/;

/**
 * An ATX heading's title: up to 3 spaces, 1 to 6 "#", whitespace, the title without a
 * closing run of "#" (after whitespace, as CommonMark says). The title is cut by hand: a
 * regex with a lazy title before optional spaces and hashes backtracks for minutes on one
 * long line (every save of the syllabus parses it on the extension host).
 */
export function headingTitle(line: string): string | undefined {
  const m = HEADING_START.exec(line);
  if (!m) return undefined;
  const title = line.slice(m[0].length).trim();
  let end = title.length;
  while (end > 0 && title[end - 1] === '#') end--;
  if (end === 0) return '';
  return end < title.length && /\s/.test(title[end - 1]!) ? title.slice(0, end).trim() : title;
}
const HOURS = /\(\s*(\d+(?:[.,]\d+)?)\s*(?:horas?|hours?|hrs?|h)\s*\)/i;
// Optional bullet, then a marker. U+2705 ✅ = done; U+2611 ☑ (with or without
// the emoji selector U+FE0F) = to do; GitHub task boxes.
const TOPIC = /^(\s*)(?:(?:[-*+]|\d+[.)])\s+)?(?:(\u2705)|(\u2611\uFE0F?)|\[([ xX])\])\uFE0F?\s*(.*)$/;
const BULLET = /^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$/;
/** Deeper indentation than this is flattened, so no input makes a pathological tree. */
const MAX_DEPTH = 6;
const FENCE = /^\s{0,3}(```|~~~)/;

export function normalizeText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function indentWidth(ws: string): number {
  let w = 0;
  for (const ch of ws) w += ch === '\t' ? 4 - (w % 4) : 1;
  return w;
}

function cleanTopicText(raw: string): string {
  return raw.replace(/\s+/g, ' ').trim();
}

export function parseSyllabus(source: string): Syllabus {
  const problems: Problem[] = [];
  const modules: Array<Module & { topics: Topic[] }> = [];
  const usedTopicKeys = new Map<string, number>();
  const usedModuleKeys = new Map<string, number>();
  let title: string | undefined;

  const text = typeof source === 'string' ? source : '';
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);

  let current: (Module & { topics: Topic[]; description: string }) | undefined;
  // Stack of (indent, topic) for the grouping rule, reset at each module.
  let stack: Array<{ indent: number; topic: Topic }> = [];
  let inFence = false;
  let inComment = false;
  let i = 0;

  const uniqueKey = (used: Map<string, number>, base: string): string => {
    const b = base || 'untitled';
    const n = (used.get(b) ?? 0) + 1;
    used.set(b, n);
    return n === 1 ? b : `${b}~${n}`;
  };

  const startModule = (rawTitle: string, line: number): void => {
    const m = HOURS.exec(rawTitle);
    const hours = m ? Number(m[1].replace(',', '.')) : undefined;
    const cleanTitle = (m ? rawTitle.replace(HOURS, '') : rawTitle).replace(/\s+/g, ' ').replace(/\s*[:\-–—]\s*$/, '').trim();
    current = {
      key: uniqueKey(usedModuleKeys, normalizeText(cleanTitle)),
      title: cleanTitle,
      ...(hours !== undefined && Number.isFinite(hours) ? { hours } : {}),
      description: '',
      line,
      topics: [],
    };
    modules.push(current);
    stack = [];
  };

  // Front matter: only `title:` is read; the rest is ignored.
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, idx) => idx > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) {
      for (const l of lines.slice(1, end)) {
        const t = /^title\s*:\s*(.*)$/.exec(l);
        if (t) title = t[1].trim().replace(/^(["'])(.*)\1$/, '$2') || undefined;
      }
      i = end + 1;
    } else {
      problems.push({ line: 1, message: 'front matter opened with "---" is never closed', text: lines[0] });
      i = 1;
    }
  }

  for (; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i];

    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (FENCE.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    if (line.trim() === '') continue;
    if (/^\s*<!--/.test(line)) {
      if (!line.includes('-->')) inComment = true;
      continue;
    }

    const heading = headingTitle(line);
    if (heading !== undefined) {
      if (heading === '') {
        problems.push({ line: lineNo, message: 'heading without a title', text: line });
        continue;
      }
      startModule(heading, lineNo);
      continue;
    }

    const topicMatch = TOPIC.exec(line);
    if (topicMatch) {
      const [, ws, check, todo, box, rest] = topicMatch;
      const body = cleanTopicText(rest);
      if (body === '') {
        problems.push({ line: lineNo, message: 'topic marker without text', text: line });
        continue;
      }
      if (!current) {
        startModule('', lineNo);
        problems.push({ line: lineNo, message: 'topic before any "#" heading: put in an unnamed module', text: line });
      }
      const done = check !== undefined || (box !== undefined && box.toLowerCase() === 'x');
      void todo;
      const topic: Topic = {
        key: uniqueKey(usedTopicKeys, normalizeText(body)),
        text: body,
        doneInSource: done,
        line: lineNo,
        children: [],
      };
      const indent = indentWidth(ws);
      while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
      if (stack.length >= MAX_DEPTH) {
        problems.push({ line: lineNo, message: `nested deeper than ${MAX_DEPTH} levels: kept at level ${MAX_DEPTH}`, text: line.trim() });
        while (stack.length >= MAX_DEPTH) stack.pop();
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.topic.children.push(topic);
      else current!.topics.push(topic);
      stack.push({ indent, topic });
      continue;
    }

    if (current && current.topics.length === 0) {
      // Prose under a heading, before its first topic: the module's description.
      current.description = current.description ? `${current.description} ${line.trim()}` : line.trim();
      continue;
    }

    const bullet = BULLET.exec(line);
    problems.push({
      line: lineNo,
      message: bullet
        ? 'list item without a checkbox: start it with "- [ ]", "- [x]", ✅ or ☑️'
        : 'not a heading, description or topic: topics start with ✅, ☑️, "- [ ]" or "- [x]"',
      text: line.length > 200 ? `${line.slice(0, 200)}…` : line,
    });
  }

  if (inFence) problems.push({ line: lines.length, message: 'code block opened with ``` is never closed', text: '' });

  // Headings with no topics are titles or section labels, not modules.
  const kept = modules.filter((m) => m.topics.length > 0);
  if (kept.length === 0 && problems.length === 0) {
    problems.push({ line: 1, message: 'no topics found: a topic line starts with ✅, ☑️, "- [ ]" or "- [x]"', text: lines[0] ?? '' });
  }
  return { ...(title !== undefined ? { title } : {}), modules: kept, problems };
}

/** Depth-first walk over a module's topics (groups before their children). */
export function* walkTopics(topics: readonly Topic[]): Generator<Topic> {
  for (const t of topics) {
    yield t;
    yield* walkTopics(t.children);
  }
}

export function allTopics(s: Syllabus): Topic[] {
  return s.modules.flatMap((m) => [...walkTopics(m.topics)]);
}
