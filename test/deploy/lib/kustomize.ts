/**
 * A small Kustomize renderer, so the manifests are tested without a kustomize binary.
 * Supports what k8s/ uses: `resources` (files and directories), `components`, `patches`
 * holding strategic-merge patches (from `path` or inline `patch`, matched on kind and name or
 * an explicit `target`; `$patch: delete` of a whole object), `images` and `namespace`.
 * Anything else in a kustomization is an error, so a new field cannot be silently skipped by
 * the tests; when `kubectl` is installed the tests also compare this renderer's output with
 * `kubectl kustomize`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

export type KObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string; namespace?: string };
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  components?: string[];
  patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'components', 'patches', 'images']);

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'ClusterTriggerAuthentication',
]);

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function readYamlDocuments(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  const result: unknown[] = [];
  for (const document of documents) {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) result.push(value);
  }
  return result;
}

function asKObject(value: unknown, source: string): KObject {
  if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`${source}: not a Kubernetes object (apiVersion and kind required)`);
  }
  if (!isObject(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${source}: ${value.kind} without metadata.name`);
  }
  return value as KObject;
}

function kustomizationFile(dir: string): string {
  for (const name of ['kustomization.yaml', 'kustomization.yml', 'Kustomization']) {
    const file = path.join(dir, name);
    if (existsSync(file)) return file;
  }
  throw new Error(`${dir}: no kustomization.yaml`);
}

function readKustomization(dir: string, extraComponents: readonly string[]): Kustomization {
  const file = kustomizationFile(dir);
  const [value] = readYamlDocuments(file);
  if (!isObject(value)) throw new Error(`${file}: empty`);
  const unsupported = Object.keys(value).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${file}: ${unsupported.join(', ')} not supported by test/deploy/lib/kustomize.ts (extend it)`);
  }
  const kustomization = value as Kustomization;
  return { ...kustomization, components: [...(kustomization.components ?? []), ...extraComponents] };
}

const key = (o: KObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Strategic-merge list keys of the fields k8s/ patches (others lists are replaced). */
function mergeKey(field: string, parentPath: readonly string[]): string | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'ports':
      // Container ports merge on containerPort, Service ports on port.
      return parentPath.includes('containers') || parentPath.includes('initContainers') ? 'containerPort' : 'port';
    default:
      return undefined;
  }
}

export function strategicMerge(base: unknown, patch: unknown, at: readonly string[] = []): unknown {
  if (isObject(patch) && ('$patch' in patch || Object.keys(patch).some((k) => k.startsWith('$')))) {
    throw new Error(`${at.join('.')}: $patch directives are not supported by the test renderer`);
  }
  if (isObject(base) && isObject(patch)) {
    const result: Record<string, unknown> = { ...base };
    for (const [field, value] of Object.entries(patch)) {
      if (value === null) delete result[field];
      else result[field] = strategicMerge(base[field], value, [...at, field]);
    }
    return result;
  }
  if (Array.isArray(base) && Array.isArray(patch)) {
    const field = at[at.length - 1] ?? '';
    const mk = mergeKey(field, at.slice(0, -1));
    if (mk === undefined) return patch;
    // As Kubernetes' strategic merge orders it: the patch's items first (merged into the
    // base item with the same key), then the base items the patch does not mention.
    const patchKeys = new Set(patch.filter(isObject).map((item) => item[mk]));
    const merged = patch.map((item, index) => {
      const existing = isObject(item) ? base.find((b) => isObject(b) && b[mk] === item[mk]) : undefined;
      return existing === undefined ? item : strategicMerge(existing, item, [...at, String(index)]);
    });
    return [...merged, ...base.filter((item) => !(isObject(item) && patchKeys.has(item[mk])))];
  }
  return patch;
}

function applyPatch(
  objects: KObject[],
  patch: KObject,
  target: { kind?: string; name?: string } | undefined,
  source: string,
) {
  const kind = target?.kind ?? patch.kind;
  const name = target?.name ?? patch.metadata.name;
  const matches = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (matches.length !== 1) throw new Error(`${source}: patch for ${kind}/${name} matches ${matches.length} objects`);
  const index = objects.indexOf(matches[0] as KObject);
  const { metadata, apiVersion: _a, kind: _k, $patch: directive, ...rest } = patch;
  if (directive !== undefined) {
    // `$patch: delete` on the whole object removes it (as a component replacing a base resource
    // does); any other directive, or one inside an object, is not supported.
    if (directive !== 'delete' || Object.keys(rest).length > 0)
      throw new Error(`${source}: only a bare "$patch: delete" of a whole object is supported`);
    objects.splice(index, 1);
    return;
  }
  const { name: _n, namespace: _ns, ...metadataRest } = metadata;
  objects[index] = strategicMerge(objects[index], { ...rest, metadata: metadataRest }) as KObject;
}

/** Pod specs of workload objects (the places `images` rewrites). */
export function podSpecs(o: KObject): Record<string, unknown>[] {
  const spec = o.spec;
  if (!isObject(spec)) return [];
  if (o.kind === 'CronJob') {
    const jobTemplate = spec.jobTemplate;
    const template = isObject(jobTemplate) && isObject(jobTemplate.spec) ? jobTemplate.spec.template : undefined;
    return isObject(template) && isObject(template.spec) ? [template.spec] : [];
  }
  return isObject(spec.template) && isObject(spec.template.spec) ? [spec.template.spec] : [];
}

export function containersOf(podSpec: Record<string, unknown>): Record<string, unknown>[] {
  return ['initContainers', 'containers'].flatMap((field) => {
    const list = podSpec[field];
    return Array.isArray(list) ? list.filter(isObject) : [];
  });
}

function applyImages(objects: KObject[], images: NonNullable<Kustomization['images']>) {
  for (const o of objects) {
    for (const podSpec of podSpecs(o)) {
      for (const container of containersOf(podSpec)) {
        if (typeof container.image !== 'string') continue;
        const [withoutDigest, oldDigest] = container.image.split('@') as [string, string | undefined];
        const slash = withoutDigest.lastIndexOf('/');
        const colon = withoutDigest.lastIndexOf(':');
        const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
        const oldTag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
        const rule = images.find((image) => image.name === name);
        if (!rule) continue;
        const digest = rule.digest ?? (rule.newTag === undefined ? oldDigest : undefined);
        const tag = rule.digest !== undefined ? undefined : (rule.newTag ?? oldTag);
        container.image = `${rule.newName ?? name}${tag !== undefined ? `:${tag}` : ''}${digest !== undefined ? `@${digest}` : ''}`;
      }
    }
  }
}

function loadResource(entry: string, dir: string): KObject[] {
  const target = path.resolve(dir, entry);
  if (!existsSync(target)) throw new Error(`${dir}: resource ${entry} not found`);
  if (statSync(target).isDirectory()) return build(target);
  return readYamlDocuments(target).map((doc, i) => asKObject(doc, `${target}#${i}`));
}

function applyOwnTransformers(objects: KObject[], kustomization: Kustomization, dir: string) {
  for (const entry of kustomization.patches ?? []) {
    if (entry.path !== undefined && entry.patch !== undefined)
      throw new Error(`${dir}: patch with both path and patch`);
    const documents =
      entry.path !== undefined
        ? readYamlDocuments(path.resolve(dir, entry.path))
        : parseAllDocuments(entry.patch ?? '').map((d) => d.toJS() as unknown);
    const source = entry.path ?? 'inline patch';
    if (documents.length !== 1) throw new Error(`${dir}: ${source} must hold exactly one strategic-merge patch`);
    if (Array.isArray(documents[0])) throw new Error(`${dir}: ${source}: JSON 6902 patches are not supported`);
    applyPatch(objects, asKObject(documents[0], source), entry.target, `${dir}: ${source}`);
  }
  if (kustomization.images) applyImages(objects, kustomization.images);
  if (kustomization.namespace !== undefined) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = kustomization.namespace;
  }
}

/**
 * Render a kustomization directory. `extraComponents` (paths relative to `dir`) are added to
 * its `components`, to render an overlay with a component it does not list yet.
 */
export function build(dir: string, extraComponents: readonly string[] = []): KObject[] {
  const kustomization = readKustomization(dir, extraComponents);
  if (kustomization.kind === 'Component') throw new Error(`${dir}: a Component cannot be built on its own`);
  const objects = structuredClone((kustomization.resources ?? []).flatMap((entry) => loadResource(entry, dir)));
  for (const component of kustomization.components ?? []) {
    const componentDir = path.resolve(dir, component);
    const inner = readKustomization(componentDir, []);
    if (inner.kind !== 'Component') throw new Error(`${componentDir}: kind must be Component`);
    objects.push(...structuredClone((inner.resources ?? []).flatMap((entry) => loadResource(entry, componentDir))));
    applyOwnTransformers(objects, inner, componentDir);
  }
  applyOwnTransformers(objects, kustomization, dir);
  const seen = new Set<string>();
  for (const o of objects) {
    if (seen.has(key(o))) throw new Error(`${dir}: ${key(o)} defined twice`);
    seen.add(key(o));
  }
  return objects;
}

export const objectKey = key;
