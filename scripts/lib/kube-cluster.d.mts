/** Runs test/env/kube-cluster.sh `command` and returns the KEY=VALUE lines it prints (none for `down`). */
export function kubeCluster(command?: 'up' | 'env' | 'down'): Record<string, string>;
