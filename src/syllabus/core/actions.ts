// Links from syllabus topics to the commands that practise them. A link is shown
// only when its command is registered, so a topic never points at a feature that
// is not there yet; as features land, their links appear by themselves.

export type LinkedFeature = 'scaffold' | 'docker' | 'registry' | 'deploy' | 'experiments';

export interface TopicActionRule {
  readonly feature: LinkedFeature;
  /** The command run by the topic's inline action. */
  readonly command: string;
  readonly pattern: RegExp;
}

/** First match wins, so the more specific rules come first. */
export const TOPIC_ACTION_RULES: readonly TopicActionRule[] = [
  { feature: 'scaffold', command: 'mlops.scaffold.modelApi', pattern: /\b(fast ?api|flask)\b|\bapis? (para|for) (los )?model/i },
  { feature: 'docker', command: 'mlops.docker.build', pattern: /\bdocker\b|contenedoriza|containeri[sz]/i },
  { feature: 'registry', command: 'mlops.registry.show', pattern: /(manejo|gesti[oó]n) de versiones de modelos|model version(ing)? management|registro de modelos|model registry/i },
  {
    feature: 'deploy',
    command: 'mlops.deploy.containerizeAndDeploy',
    pattern: /\bkubernetes\b|\bk8s\b|servicios de contenedores|container services|\brollback\b/i,
  },
  { feature: 'experiments', command: 'mlops.experiments.focus', pattern: /\bmlflow\b|\bdvc\b|seguimiento de experimentos|experiment tracking/i },
];

export interface TopicLink {
  readonly feature: LinkedFeature;
  readonly command: string;
}

export function linkForTopic(text: string, isAvailable: (command: string) => boolean): TopicLink | undefined {
  for (const rule of TOPIC_ACTION_RULES) {
    if (rule.pattern.test(text) && isAvailable(rule.command)) return { feature: rule.feature, command: rule.command };
  }
  return undefined;
}
