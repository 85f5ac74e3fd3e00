import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { allTopics, normalizeText, parseSyllabus } from '../../../src/syllabus/core/parser';
import { BUILTIN_SYLLABI } from '../../../src/syllabus/core/catalog';

const media = path.join(__dirname, '..', '..', '..', 'media', 'syllabi');
const read = (f: string): string => readFileSync(path.join(media, f), 'utf8');

describe('syllabus parser', () => {
  describe('the course syllabus (seed 000)', () => {
    const s = parseSyllabus(read('mlops-course.md'));
    const topics = allTopics(s);

    it('has 4 modules, 49 topics, 6 of them done, and no problems', () => {
      assert.equal(s.modules.length, 4);
      assert.equal(topics.length, 49);
      assert.equal(topics.filter((t) => t.doneInSource).length, 6);
      assert.deepEqual(s.problems, []);
    });

    it('reads each module title and its hours', () => {
      assert.deepEqual(
        s.modules.map((m) => [m.title, m.hours]),
        [
          ['Módulo 1: Computación en la Nube y Gestión de Datos', 4],
          ['Módulo 2: Tecnologías de Procesamiento Paralelo y Distribuido para Modelos de Aprendizaje Automático', 4],
          ['Módulo 3: Operacionalización de Modelos de Aprendizaje Automático', 6],
          ['Módulo 4: Machine Learning como Servicio (MLaaS)', 6],
        ],
      );
      assert.match(s.modules[0].description, /^Este módulo sienta las bases/);
    });

    it('groups sub-topics under the indented-from topic (e.g. Apache Spark)', () => {
      const spark = s.modules[1].topics.find((t) => t.text === 'Apache Spark para Machine Learning.');
      assert.ok(spark);
      assert.deepEqual(
        spark.children.map((c) => c.text.split(':')[0]),
        ['Fundamentos de Spark', 'Spark SQL para manipulación de datos.', 'MLlib', 'Entrenamiento de modelos distribuidos con Spark.', 'Optimización de rendimiento en Spark.'],
      );
      assert.deepEqual(
        s.modules.map((m) => m.topics.length),
        [3, 3, 3, 2],
      );
    });

    it('keeps the Spanish text with the obvious typos mended', () => {
      const text = read('mlops-course.md');
      for (const typo of ['cómputy', 'SQDatabase', 'denube', 'necesariapara', 'machi-ne', 'dato(ETL']) assert.ok(!text.includes(typo), typo);
      assert.ok(topics.some((t) => t.text.includes('servicios de cómputo y almacenamiento')));
      assert.ok(topics.some((t) => t.text.includes('Azure SQL Database')));
    });

    it('marks the Module 3 deployment group done but not its children', () => {
      const deploy = s.modules[2].topics.find((t) => t.text.startsWith('Despliegue de Modelos'));
      assert.ok(deploy?.doneInSource);
      assert.ok(deploy.children.every((c) => !c.doneInSource));
    });
  });

  it('reads every built-in syllabus without problems', () => {
    for (const b of BUILTIN_SYLLABI) {
      const s = parseSyllabus(read(b.file));
      assert.deepEqual(s.problems, [], b.file);
      assert.ok(s.title, `${b.file} has a title`);
      assert.ok(allTopics(s).length > 10, b.file);
      const keys = allTopics(s).map((t) => t.key);
      assert.equal(new Set(keys).size, keys.length, `${b.file}: unique topic keys`);
    }
  });

  it('accepts GitHub task boxes, bullets and numbers, and ☑ without the emoji selector', () => {
    const s = parseSyllabus('# M (2 hours)\n- [x] a\n* [ ] b\n1. [X] c\n☑ d\n✅e\n+ ✅ f\n');
    assert.deepEqual(
      allTopics(s).map((t) => [t.text, t.doneInSource]),
      [
        ['a', true],
        ['b', false],
        ['c', true],
        ['d', false],
        ['e', true],
        ['f', true],
      ],
    );
    assert.equal(s.modules[0].hours, 2);
    assert.deepEqual(s.problems, []);
  });

  it('reports what it cannot read, with line numbers, and keeps the rest', () => {
    const src = ['# Module A (3 horas)', 'A description.', '- [ ] first', 'stray prose', '- bullet without box', '✅', '#', '- [x] second'].join('\n');
    const s = parseSyllabus(src);
    assert.deepEqual(
      allTopics(s).map((t) => t.text),
      ['first', 'second'],
    );
    assert.deepEqual(
      s.problems.map((p) => p.line),
      [4, 5, 6, 7],
    );
    assert.match(s.problems[1].message, /without a checkbox/);
    assert.match(s.problems[2].message, /without text/);
  });

  it('puts topics before any heading in an unnamed module and says so', () => {
    const s = parseSyllabus('- [ ] orphan\n# Real\n- [ ] kept');
    assert.equal(s.modules.length, 2);
    assert.equal(s.modules[0].title, '');
    assert.equal(s.problems[0].line, 1);
  });

  it('skips front matter, comments and code fences, and drops headings without topics', () => {
    const s = parseSyllabus('---\ntitle: "Mine"\nauthor: x\n---\n# Course\n<!-- note\n- [ ] hidden -->\n## Week 1\n```\n- [ ] in code\n```\n- [ ] real');
    assert.equal(s.title, 'Mine');
    assert.deepEqual(
      s.modules.map((m) => m.title),
      ['Week 1'],
    );
    assert.deepEqual(
      allTopics(s).map((t) => t.text),
      ['real'],
    );
    assert.deepEqual(s.problems, []);
  });

  it('says when there is nothing to read', () => {
    const s = parseSyllabus('just some prose');
    assert.equal(s.modules.length, 0);
    assert.ok(s.problems.length > 0);
  });

  it('gives duplicate topics distinct keys', () => {
    const s = parseSyllabus('# A\n- [ ] Intro\n# B\n- [ ] intro');
    assert.deepEqual(
      allTopics(s).map((t) => t.key),
      ['intro', 'intro~2'],
    );
  });

  it('normalises text for identity: case, accents and punctuation do not matter', () => {
    assert.equal(normalizeText('¿Qué es MLaaS? Ventajas y desventajas.'), normalizeText('que es mlaas   ventajas y desventajas'));
  });

  it('caps nesting so deep indentation cannot make a pathological tree', () => {
    const src = '# M\n' + Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}- [ ] t${i}`).join('\n');
    const s = parseSyllabus(src);
    assert.equal(allTopics(s).length, 5000);
    let depth = 0;
    let t = s.modules[0].topics[0];
    while (t.children.length > 0) {
      t = t.children[0];
      depth++;
    }
    assert.ok(depth < 10, `depth ${depth}`);
  });

  describe('on random input (property-based)', () => {
    const lineArb = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('# ', '## M (4 horas)', '- [ ] ', '- [x] ', '✅ ', '☑️ ', '  - [ ] sub', '---', '```', '<!--', '-->', '\t✅ tab', '(1 h)', '\r', '\uFEFF'),
      fc.tuple(fc.constantFrom('', '  ', '\t', '    '), fc.constantFrom('- [ ] ', '✅ ', '☑️ ', '* [x] ', '1. [ ] '), fc.string({ maxLength: 20 })).map((p) => p.join('')),
    );
    const docArb = fc.array(lineArb, { maxLength: 60 }).map((ls) => ls.join('\n'));

    it('never throws; problems point at real lines; topic keys are unique; no module is empty', () => {
      fc.assert(
        fc.property(docArb, (doc) => {
          const s = parseSyllabus(doc);
          const lineCount = doc.split(/\r\n|\r|\n/).length;
          for (const p of s.problems) assert.ok(p.line >= 1 && p.line <= lineCount, `problem line ${p.line} of ${lineCount}`);
          const topics = allTopics(s);
          const keys = new Set(topics.map((t) => t.key));
          assert.equal(keys.size, topics.length, 'unique keys');
          for (const t of topics) {
            assert.ok(t.text.length > 0 && t.text === t.text.trim());
            assert.ok(t.line >= 1 && t.line <= lineCount);
          }
          for (const m of s.modules) assert.ok(m.topics.length > 0, 'no empty modules');
        }),
        { numRuns: 2000 },
      );
    });

    it('never throws on arbitrary strings, including non-string input', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 500 }), (doc) => {
          parseSyllabus(doc);
        }),
        { numRuns: 2000 },
      );
      assert.doesNotThrow(() => parseSyllabus(undefined as unknown as string));
    });

    it('finds exactly the topics it was given (generated syllabi round-trip)', () => {
      const topicArb = fc.record({
        text: fc.stringMatching(/^[A-Za-zÁÉÍÓÚáéíóúñ][A-Za-z0-9ÁÉÍÓÚáéíóúñ ,.:()]{0,30}[A-Za-z0-9.)]$/),
        done: fc.boolean(),
        style: fc.constantFrom('emoji', 'box'),
      });
      const moduleArb = fc.record({ title: fc.stringMatching(/^[A-Z][a-z]{2,12}$/), hours: fc.option(fc.integer({ min: 1, max: 40 })), topics: fc.array(topicArb, { minLength: 1, maxLength: 8 }) });
      fc.assert(
        fc.property(fc.array(moduleArb, { minLength: 1, maxLength: 5 }), (mods) => {
          const src = mods
            .map(
              (m) =>
                `# ${m.title}${m.hours != null ? ` (${m.hours} horas)` : ''}\n` +
                m.topics.map((t) => (t.style === 'emoji' ? `${t.done ? '✅' : '☑️'} ${t.text}` : `- [${t.done ? 'x' : ' '}] ${t.text}`)).join('\n'),
            )
            .join('\n\n');
          const s = parseSyllabus(src);
          assert.deepEqual(s.problems, []);
          assert.equal(s.modules.length, mods.length);
          s.modules.forEach((m, i) => {
            assert.equal(m.title, mods[i].title);
            assert.equal(m.hours, mods[i].hours ?? undefined);
            assert.deepEqual(
              m.topics.map((t) => [t.text, t.doneInSource]),
              mods[i].topics.map((t) => [t.text.replace(/\s+/g, ' ').trim(), t.done]),
            );
          });
        }),
        { numRuns: 500 },
      );
    });
  });
});
