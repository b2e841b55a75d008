import { getContainerRuntimeClient } from 'testcontainers';

/** testcontainers' dockerode, connected to DOCKER_HOST (useDockerHost). */
export async function dockerode() {
  return (await getContainerRuntimeClient()).container.dockerode;
}

/** Containers of one Compose project, running or not, as the engine lists them. */
export async function projectContainers(project: string) {
  return (await dockerode()).listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
}

/** Is the engine behind DOCKER_HOST podman (whose libpod routes the Docker API lacks)? */
export async function isPodman(): Promise<boolean> {
  const version = await (await dockerode()).version();
  return (version.Components ?? []).some((component) => component.Name === 'Podman Engine');
}

/** A request the Docker API client has no method for (libpod routes), resolving with the parsed body. */
export async function engineRequest(method: 'GET' | 'POST', path: string): Promise<unknown> {
  const { modem } = await dockerode();
  return new Promise((resolve, reject) => {
    modem.dial(
      {
        path,
        method,
        statusCodes: { 200: true, 201: true, 204: true, 404: 'not found', 409: 'conflict', 500: 'error' },
      },
      (error: Error | null, body: unknown) => (error ? reject(error) : resolve(body)),
    );
  });
}

/**
 * Container output as `docker logs` prints it: stdout and stderr, demultiplexed from the API's
 * frames (8-byte headers: stream, 3 bytes padding, big-endian length).
 */
export async function containerLogs(id: string): Promise<string> {
  const raw = (await (await dockerode()).getContainer(id).logs({ stdout: true, stderr: true, follow: false })) as
    | Buffer
    | string;
  const buffer = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset] as number;
    const length = buffer.readUInt32BE(offset + 4);
    // Not framed (a TTY container): the bytes are the output itself.
    if (stream > 2 || buffer[offset + 1] !== 0 || offset + 8 + length > buffer.length) return buffer.toString();
    parts.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  return Buffer.concat(parts).toString();
}

/**
 * An image's HEALTHCHECK. podman 4.3's Docker-compatible image inspect leaves it out of `Config`
 * (Docker's has it there); its libpod route has it.
 */
export async function imageHealthcheck(image: string): Promise<{ Test?: string[] } | undefined> {
  const inspected = (await (await dockerode()).getImage(image).inspect()) as { Config?: { Healthcheck?: object } };
  if (inspected.Config?.Healthcheck) return inspected.Config.Healthcheck;
  if (!(await isPodman())) return undefined;
  const libpod = (await engineRequest('GET', `/v4.0.0/libpod/images/${encodeURIComponent(image)}/json`)) as {
    Healthcheck?: { Test?: string[] };
  };
  return libpod.Healthcheck;
}
