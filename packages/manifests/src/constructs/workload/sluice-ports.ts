import type { Expr } from '../../template/expr.js';

/** The two ports both deployables serve: gRPC (agent: ext_authz and logs; controller: AgentSync) and HTTP. */
export interface SluicePorts {
  readonly grpc: { readonly $: Expr<number> };
  readonly http: { readonly $: Expr<number> };
}

/** Container ports, named so Services and probes refer to them by name. */
export function sluiceContainerPorts(ports: SluicePorts) {
  return [
    { name: 'grpc', containerPort: ports.grpc.$, protocol: 'TCP' },
    { name: 'http', containerPort: ports.http.$, protocol: 'TCP' },
  ];
}

/** The gRPC Service port, with its appProtocol so the mesh and Envoy treat it as HTTP/2. */
export function sluiceGrpcServicePort(ports: SluicePorts) {
  return { name: 'grpc', port: ports.grpc.$, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'grpc' };
}

/** Service ports with their appProtocol, so the mesh and Envoy treat gRPC as HTTP/2. */
export function sluiceServicePorts(ports: SluicePorts) {
  return [
    sluiceGrpcServicePort(ports),
    { name: 'http', port: ports.http.$, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' },
  ];
}

/** The controller's `/v1` API port (its own listener), for the container and the Service. */
export function sluiceApiContainerPort(port: Expr<number>) {
  return { name: 'api', containerPort: port, protocol: 'TCP' };
}

export function sluiceApiServicePort(port: Expr<number>) {
  return { name: 'api', port, targetPort: 'api', protocol: 'TCP', appProtocol: 'http' };
}
