// A project's sample /predict body, read one way by every smoke test (Docker, deploy, the
// deployment panel): the file the project marker names (`samplePayload`), else
// sample-payload.json, and only a regular file inside the project, of a sane size (the
// marker comes with a cloned repository: it must not make a smoke test POST a file from
// elsewhere, such as ~/.docker/config.json). No editor API.
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserFacingError } from '../../common/errors';
import { t } from '../../common/l10n';
import { parseProjectMarker } from './projects';
import { isInside } from '../../common/files';

export const SAMPLE_PAYLOAD_FILE = 'sample-payload.json';
const MAX_BYTES = 1024 * 1024;

/** The sample body's file in `dir`, or undefined when it has none; throws when the marker names one outside the project. */
export async function samplePayloadFile(dir: string): Promise<string | undefined> {
  const markerText = await readFile(path.join(dir, '.mlops', 'project.json'), 'utf8').catch(() => undefined);
  const named = markerText !== undefined ? parseProjectMarker(dir, markerText).samplePayload : undefined;
  const rel = named ?? SAMPLE_PAYLOAD_FILE;
  const file = path.resolve(dir, rel);
  const inside = path.relative(dir, file);
  if (!inside || !isInside(inside) || rel.includes('\0')) {
    throw new UserFacingError(t('The project marker of {0} names a sample payload outside the project ({1}); it was not read.', dir, rel));
  }
  const info = await lstat(file).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile()) throw new UserFacingError(t('The sample payload {0} is not a regular file (a link or a folder); it was not read.', file));
  if (info.size > MAX_BYTES) throw new UserFacingError(t('The sample payload {0} is {1} MB; a /predict body over 1 MB is not sent.', file, (info.size / 1024 / 1024).toFixed(1)));
  return file;
}

/** The sample body's file and text, or undefined when the project has none. */
export async function readSamplePayload(dir: string): Promise<{ file: string; text: string } | undefined> {
  const file = await samplePayloadFile(dir);
  if (!file) return undefined;
  return { file, text: await readFile(file, 'utf8') };
}

/** The sample body parsed, or undefined when the project has none. */
export async function samplePayloadOf(dir: string): Promise<unknown> {
  const r = await readSamplePayload(dir);
  if (!r) return undefined;
  try {
    return JSON.parse(r.text) as unknown;
  } catch (err) {
    throw new UserFacingError(t('{0} is not valid JSON: {1}', r.file, (err as Error).message));
  }
}
