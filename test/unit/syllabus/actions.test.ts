import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TOPIC_ACTION_RULES, linkForTopic } from '../../../src/syllabus/core/actions';
import { allTopics, parseSyllabus } from '../../../src/syllabus/core/parser';

const root = path.join(__dirname, '..', '..', '..');
const course = parseSyllabus(readFileSync(path.join(root, 'media', 'syllabi', 'mlops-course.md'), 'utf8'));
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const contributed = new Set<string>(manifest.contributes.commands.map((c: { command: string }) => c.command));

describe('syllabus topic links', () => {
  const everything = (): boolean => true;
  const linked = (feature: string): string[] =>
    allTopics(course)
      .filter((t) => linkForTopic(t.text, everything)?.feature === feature)
      .map((t) => t.text.slice(0, 40));

  it('links the course topics about model APIs, Docker, model versions, Kubernetes/container services and MLflow/DVC', () => {
    assert.deepEqual(linked('scaffold'), ['Creación de APIs para modelos: Flask, Fa']);
    assert.deepEqual(linked('docker'), ['Contenedorización de modelos con Docker.']);
    assert.deepEqual(linked('deploy'), ['Despliegue en la nube: serverless functi']);
    assert.deepEqual(linked('registry'), ['Manejo de versiones de modelos y rollbac']);
    assert.deepEqual(linked('experiments'), ['Herramientas para el seguimiento de expe']);
  });

  it('shows no link while the feature’s command is not registered', () => {
    for (const t of allTopics(course)) assert.equal(linkForTopic(t.text, () => false), undefined);
    const only = (id: string) => (c: string) => c === id;
    assert.equal(linkForTopic('Contenedorización de modelos con Docker.', only('mlops.docker.build'))?.command, 'mlops.docker.build');
  });

  it('every linked command that the manifest contributes has an inline menu on matching topics', () => {
    const inline = (manifest.contributes.menus?.['view/item/context'] ?? []) as Array<{ command: string; when?: string; group?: string }>;
    for (const rule of TOPIC_ACTION_RULES) {
      if (!contributed.has(rule.command)) continue;
      const entry = inline.find((m) => m.command === rule.command && m.when?.includes('mlops.views.syllabus') && m.when.includes(`link:${rule.feature}`));
      assert.ok(entry, `no inline syllabus menu for ${rule.command}`);
      assert.equal(entry.group?.startsWith('inline'), true);
    }
  });
});
