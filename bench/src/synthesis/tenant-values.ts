/** Chart values with N tenants for the synthesis benchmark. Pure. */

export interface BenchTenant {
  readonly name: string;
  readonly hosts: string[];
  readonly backend: { readonly service: string; readonly port: number };
  readonly namespace?: string;
}

/**
 * `count` tenants `shop0`…, two hosts each, every third in its own namespace: the shape of a real
 * multi-tenant install (examples/multi-tenant), distinct names and hosts so the duplicate checks pass.
 */
export function benchTenants(count: number): BenchTenant[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `shop${index}`,
    hosts: [`shop${index}.example.com`, `www.shop${index}.example.com`],
    backend: { service: 'web', port: 8080 },
    ...(index % 3 === 1 ? { namespace: `tenant-${index}` } : {}),
  }));
}
