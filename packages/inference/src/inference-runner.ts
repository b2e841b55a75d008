import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import type {
  ExecutionProvider,
  LoadRequest,
  SessionSettings,
  ThreadRequest,
  ThreadResponse,
} from './inference-protocol.ts';

type Pending = { resolve: (value: ThreadResponse) => void; reject: (error: Error) => void };
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface LoadedModel {
  key: string;
  provider: ExecutionProvider;
  warnings: string[];
  fixedBatchSize: number | null;
}

export interface RunOutput {
  data: Float32Array;
  dims: number[];
}

const threadUrl = new URL('./inference-thread-entry.mjs', import.meta.url);

/**
 * Owns one worker thread holding the ONNX sessions, and talks to it by message.
 * Emits 'error' if the thread dies: the worker process must then stop, since
 * every session went with it.
 */
export class InferenceRunner extends EventEmitter {
  private readonly thread: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  constructor() {
    super();
    this.thread = new Worker(threadUrl);
    this.thread.on('message', (message: ThreadResponse) => {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      if (message.type === 'error') pending.reject(new Error(message.message));
      else pending.resolve(message);
    });
    const fail = (error: Error) => {
      this.exited = true;
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      if (this.listenerCount('error') > 0) this.emit('error', error);
    };
    this.thread.on('error', fail);
    this.thread.on('exit', (code) => fail(new Error(`inference thread exited with code ${code}`)));
  }

  private request(message: WithoutId<ThreadRequest>, transfer: ArrayBuffer[] = []): Promise<ThreadResponse> {
    if (this.exited) return Promise.reject(new Error('inference thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.thread.postMessage({ ...message, id }, transfer);
    });
  }

  async load(request: Omit<LoadRequest, 'id' | 'type' | 'settings'>, settings: SessionSettings): Promise<LoadedModel> {
    const response = await this.request({ type: 'load', ...request, settings });
    if (response.type !== 'loaded') throw new Error(`unexpected answer ${response.type} to load`);
    return {
      key: request.key,
      provider: response.provider,
      warnings: response.warnings,
      fixedBatchSize: response.fixedBatchSize,
    };
  }

  /** Run one batched tensor; `data` is transferred to the thread and unusable afterwards. */
  async run(key: string, data: Float32Array, dims: number[]): Promise<RunOutput> {
    const response = await this.request({ type: 'run', key, data, dims }, [data.buffer as ArrayBuffer]);
    if (response.type !== 'result') throw new Error(`unexpected answer ${response.type} to run`);
    return { data: response.data, dims: response.dims };
  }

  /** Release the session of `key` in the thread (no batch of it may be running). */
  async unload(key: string): Promise<void> {
    const response = await this.request({ type: 'unload', key });
    if (response.type !== 'unloaded') throw new Error(`unexpected answer ${response.type} to unload`);
  }

  /** The thread's id, for tests and logs: a recycled runner has a new one. */
  get threadId(): number {
    return this.thread.threadId;
  }

  async close(): Promise<void> {
    this.exited = true;
    this.thread.removeAllListeners('exit');
    await this.thread.terminate();
  }
}
