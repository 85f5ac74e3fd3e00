import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SyllabusModel } from '../../../src/syllabus/core/model';
import { allTopics, parseSyllabus } from '../../../src/syllabus/core/parser';
import { reconcile, setDone, similarity } from '../../../src/syllabus/core/progress';

const course = parseSyllabus(readFileSync(path.join(__dirname, '..', '..', '..', 'media', 'syllabi', 'mlops-course.md'), 'utf8'));

describe('syllabus progress', () => {
  it('starts from the marks in the source', () => {
    const r = reconcile(course, {});
    assert.equal(r.done.size, 6);
  });

  it('stores only what differs from the source', () => {
    const key = allTopics(course).find((t) => !t.doneInSource)!.key;
    let p = setDone(course, {}, key, true);
    assert.deepEqual(p, { [key]: true });
    p = setDone(course, p, key, false);
    assert.deepEqual(p, {});
    const doneKey = allTopics(course).find((t) => t.doneInSource)!.key;
    assert.deepEqual(setDone(course, {}, doneKey, false), { [doneKey]: false });
  });

  it('keeps progress when topics are reordered or moved to another module', () => {
    const a = parseSyllabus('# A\n- [ ] Docker basics\n- [ ] Kubernetes\n# B\n- [ ] MLflow');
    const b = parseSyllabus('# B\n- [ ] MLflow\n- [ ] Kubernetes\n# A\n- [ ] Docker basics');
    const p = setDone(a, {}, 'kubernetes', true);
    assert.ok(reconcile(b, p).done.has('kubernetes'));
  });

  it('carries progress across a rewording, and keeps unmatched entries for later', () => {
    const before = parseSyllabus('# M\n- [ ] Creación de APIs para modelos: Flask, FastAPI.\n- [ ] Contenedorización de modelos con Docker.\n- [ ] Tema que se quitará');
    let p = {};
    for (const t of allTopics(before)) p = setDone(before, p, t.key, true);
    const after = parseSyllabus('# M\n- [ ] Creación de APIs REST para modelos: Flask y FastAPI\n- [ ] Contenedorización de modelos con Docker y Podman\n- [ ] Algo nuevo del todo');
    const r = reconcile(after, p);
    const done = allTopics(after).filter((t) => r.done.has(t.key)).map((t) => t.text);
    assert.deepEqual(done, ['Creación de APIs REST para modelos: Flask y FastAPI', 'Contenedorización de modelos con Docker y Podman']);
    assert.equal(r.renamed.size, 2);
    assert.ok('tema que se quitara' in r.progress, 'the removed topic’s progress is kept');
  });

  it('does not move progress to a topic that merely shares a word or two', () => {
    assert.ok(similarity('introduccion a mlaas', 'introduccion a dask para computo paralelo en python') < 0.6);
    const before = parseSyllabus('# M\n- [ ] Introducción a MLaaS');
    const after = parseSyllabus('# M\n- [ ] Introducción a Dask para cómputo paralelo en Python');
    const r = reconcile(after, setDone(before, {}, allTopics(before)[0].key, true));
    assert.equal(r.done.size, 0);
  });

  it('the model counts per module and in hours', () => {
    const m = new SyllabusModel(course, {}, 'x');
    assert.deepEqual(
      course.modules.map((mod) => m.countsFor(mod)),
      [
        { done: 5, total: 13 },
        { done: 0, total: 14 },
        { done: 1, total: 14 },
        { done: 0, total: 8 },
      ],
    );
    const key = course.modules[2].topics[0].key;
    assert.equal(m.setDone(key, true), true);
    assert.equal(m.setDone(key, true), false, 'no change the second time');
    const t = m.totals();
    assert.equal(t.done, 7);
    assert.equal(t.total, 49);
    assert.equal(t.hoursTotal, 20);
    assert.equal(t.hoursDone, Math.round((4 * 5) / 13 * 10 + (6 * 2) / 14 * 10) / 10);
  });
});
