import type * as vscode from 'vscode';
import { dockerConfigCredentials, registrySecretKey } from './core/model';

export interface RegistryLogin {
  readonly username: string;
  readonly password: string;
}

/**
 * Registry credentials: kept in the editor's secret storage by registry host (so a login
 * for `ghcr.io` serves `ghcr.io/org` too), else read from the Docker config as `docker
 * login` left them.
 */
export class RegistryCredentials {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async store(registry: string, login: RegistryLogin): Promise<void> {
    await this.secrets.store(registrySecretKey(registry), JSON.stringify(login));
  }

  async get(registry: string): Promise<RegistryLogin | undefined> {
    const stored = await this.secrets.get(registrySecretKey(registry));
    if (stored) {
      try {
        const login = JSON.parse(stored) as Partial<RegistryLogin>;
        if (typeof login.username === 'string' && typeof login.password === 'string') return { username: login.username, password: login.password };
      } catch {
        // not ours: fall through to the Docker config
      }
    }
    return dockerConfigCredentials(registry);
  }
}
