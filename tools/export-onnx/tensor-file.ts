import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';

/**
 * Tensors exchanged with export_onnx.py: `<stem>.bin` holds raw float32
 * little-endian values, `<stem>.json` their dims.
 */
export interface TensorFile {
  data: Float32Array;
  dims: number[];
}

interface Sidecar {
  dtype: 'float32';
  byte_order: 'little';
  dims: number[];
}

// Float32Array uses the host's byte order; every platform onnxruntime-node ships for is little-endian.
function assertLittleEndian(): void {
  if (endianness() !== 'LE') throw new Error('tensor files are little-endian; this host is big-endian');
}

export async function readTensor(stem: string): Promise<TensorFile> {
  assertLittleEndian();
  const sidecar = JSON.parse(await readFile(`${stem}.json`, 'utf8')) as Sidecar;
  if (sidecar.dtype !== 'float32' || sidecar.byte_order !== 'little') {
    throw new Error(`${stem}.json: expected little-endian float32, got ${JSON.stringify(sidecar)}`);
  }
  const bytes = await readFile(`${stem}.bin`);
  // Copy: a Buffer's offset into its pool need not be 4-byte aligned.
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = sidecar.dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) {
    throw new Error(`${stem}.bin holds ${data.length} floats, dims [${sidecar.dims.join(', ')}] need ${expected}`);
  }
  return { data, dims: sidecar.dims };
}

export async function writeTensor(stem: string, data: Float32Array, dims: number[]): Promise<void> {
  assertLittleEndian();
  const sidecar: Sidecar = { dtype: 'float32', byte_order: 'little', dims };
  await writeFile(`${stem}.bin`, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  await writeFile(`${stem}.json`, `${JSON.stringify(sidecar)}\n`);
}
