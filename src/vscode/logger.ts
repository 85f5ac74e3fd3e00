import * as vscode from 'vscode';

/** One LogOutputChannel for the whole extension; each component tags its lines. */
export class Logger implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'MLOps Workbench') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  for(component: string): ComponentLogger {
    return new ComponentLogger(this.channel, component);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export class ComponentLogger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly component: string,
  ) {}
  trace(msg: string, ...args: unknown[]): void {
    this.channel.trace(`[${this.component}] ${msg}`, ...args);
  }
  debug(msg: string, ...args: unknown[]): void {
    this.channel.debug(`[${this.component}] ${msg}`, ...args);
  }
  info(msg: string, ...args: unknown[]): void {
    this.channel.info(`[${this.component}] ${msg}`, ...args);
  }
  warn(msg: string, ...args: unknown[]): void {
    this.channel.warn(`[${this.component}] ${msg}`, ...args);
  }
  error(msg: string | Error, ...args: unknown[]): void {
    this.channel.error(typeof msg === 'string' ? `[${this.component}] ${msg}` : msg, ...args);
  }
}
