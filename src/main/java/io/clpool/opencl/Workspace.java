package io.clpool.opencl;

import java.util.HashMap;
import java.util.Map;

/**
 * Scratch buffers reused across calls (column buffers and the like), grown when a call needs
 * more and released on close. Callers hold the context's lock while they use a buffer, so that
 * no other dispatch can interleave with theirs.
 */
final class Workspace implements AutoCloseable {
    private final ClContext context;
    private final Map<String, ClBuffer> buffers = new HashMap<>();

    Workspace(ClContext context) {
        this.context = context;
    }

    /** A buffer of at least {@code bytes} named {@code purpose}, reused when large enough. */
    ClBuffer get(String purpose, long bytes) {
        ClBuffer buffer = buffers.get(purpose);
        if (buffer != null && buffer.bytes() >= bytes) {
            return buffer;
        }
        if (buffer != null) {
            buffers.remove(purpose);
            buffer.close();
        }
        buffer = context.allocate(bytes, purpose);
        buffers.put(purpose, buffer);
        return buffer;
    }

    /** Bytes held now. */
    long bytes() {
        return buffers.values().stream().mapToLong(ClBuffer::bytes).sum();
    }

    @Override
    public void close() {
        buffers.values().forEach(ClBuffer::close);
        buffers.clear();
    }
}
