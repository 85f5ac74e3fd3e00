// The templates as the extension loads them.
import path from 'node:path';
import { loadTemplates as load } from '../../../src/scaffold/core/templates';

export const templatesRoot = path.resolve(__dirname, '..', '..', '..', 'media', 'templates', 'model-api');
export const loadTemplates = (): Promise<Map<string, string>> => load(templatesRoot) as Promise<Map<string, string>>;
