/**
 * The Secrets half of the fake API server (`fake-kube-api-server.ts`), because no real API server can
 * run here: `GET` and `POST` on `/api/v1/namespaces/{ns}/secrets[/{name}]` as the real registry answers
 * them: 404 NotFound for a missing Secret, 409 AlreadyExists when creating one that exists, 201 with
 * the stored object on create (`type` defaults to Opaque, `stringData` merged into base64 `data`,
 * invalid base64 in `data` is 400), uid, resourceVersion and creationTimestamp set by the server.
 */
export interface FakeSecret {
  apiVersion: 'v1';
  kind: 'Secret';
  type: string;
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    [key: string]: unknown;
  };
  data: Record<string, string>;
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export class FakeSecrets {
  readonly #secrets = new Map<string, FakeSecret>();
  /** Creates answered 201, by name, for tests counting who won a race. */
  readonly created: string[] = [];

  constructor(
    readonly namespace: string,
    private readonly nextResourceVersion: () => string,
  ) {}

  get(name: string): FakeSecret | undefined {
    const secret = this.#secrets.get(name);
    return secret === undefined ? undefined : structuredClone(secret);
  }

  /** Puts a Secret in place as another writer (`kubectl create secret`) would. */
  put(name: string, data: Record<string, Buffer>): void {
    this.#store(
      name,
      Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v.toString('base64')])),
      'Opaque',
      {},
    );
  }

  read(name: string): [number, unknown] {
    const secret = this.#secrets.get(name);
    return secret === undefined
      ? [404, status(404, 'NotFound', `secrets "${name}" not found`)]
      : [200, secret];
  }

  create(body: unknown): [number, unknown] {
    const request = (body ?? {}) as {
      metadata?: { name?: string; namespace?: string; [key: string]: unknown };
      data?: Record<string, unknown>;
      stringData?: Record<string, unknown>;
      type?: string;
    };
    const name = request.metadata?.name ?? '';
    if (name === '')
      return [
        422,
        status(
          422,
          'Invalid',
          'Secret "" is invalid: metadata.name: Required value: name or generateName is required',
        ),
      ];
    if (request.metadata?.namespace !== undefined && request.metadata.namespace !== this.namespace)
      return [
        400,
        status(
          400,
          'BadRequest',
          'the namespace of the provided object does not match the namespace sent on the request',
        ),
      ];
    if (this.#secrets.has(name))
      return [409, status(409, 'AlreadyExists', `secrets "${name}" already exists`)];
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.data ?? {})) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0)
        return [
          400,
          status(
            400,
            'BadRequest',
            `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (data.${key})`,
          ),
        ];
      data[key] = value;
    }
    for (const [key, value] of Object.entries(request.stringData ?? {}))
      data[key] = Buffer.from(String(value)).toString('base64');
    const { name: _name, namespace: _namespace, ...rest } = request.metadata ?? {};
    const stored = this.#store(name, data, request.type ?? 'Opaque', rest);
    this.created.push(name);
    return [201, stored];
  }

  #store(
    name: string,
    data: Record<string, string>,
    type: string,
    metadata: Record<string, unknown>,
  ): FakeSecret {
    const secret: FakeSecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type,
      metadata: {
        ...metadata,
        name,
        namespace: this.namespace,
        uid: `secret-uid-${name}`,
        resourceVersion: this.nextResourceVersion(),
        creationTimestamp: new Date().toISOString(),
      },
      data,
    };
    this.#secrets.set(name, secret);
    return structuredClone(secret);
  }
}
