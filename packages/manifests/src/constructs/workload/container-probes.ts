/**
 * The probes both Sluice deployables answer on their `http` port: `/healthz` (the process is alive) and
 * `/readyz` (it serves: the agent's gRPC server is up, the controller has loaded its policy sources).
 */
export function sluiceProbes() {
  return {
    livenessProbe: {
      httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 2,
      failureThreshold: 3,
      successThreshold: 1,
    },
    readinessProbe: {
      httpGet: { path: '/readyz', port: 'http', scheme: 'HTTP' },
      initialDelaySeconds: 1,
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    },
  };
}
