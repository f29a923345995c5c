// Reuses fixed-size buffers on the output path: allocating one per 64 KiB of output lets garbage
// ArrayBuffers pile up faster than the GC returns them (measured: hundreds of MB during a flood).

export class BufferPool {
  private readonly free: ArrayBuffer[] = [];

  constructor(
    readonly size: number,
    private readonly keep: number,
  ) {}

  take(): ArrayBuffer {
    return this.free.pop() ?? new ArrayBuffer(this.size);
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size && this.free.length < this.keep) this.free.push(buffer);
  }
}
