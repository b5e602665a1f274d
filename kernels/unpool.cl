// Max unpooling (PyTorch max_unpool2d / max_unpool3d): each value is written at its index in a zero
// plane. Where several values of a plane share an index, the last in row-major order wins. A
// parallel scatter would let the runtime pick the winner, so the write is split in two
// deterministic passes: unpool_claim records, per output element, the highest position that
// targets it with an integer atomic_max (the same result in any order), and unpool_gather copies
// that value.
//
// Positions are logical in-plane offsets stored plus one, so the owner buffer (channels first,
// whatever the tensors' layout) starts as zeros (no owner). Values and gradients are read and
// written where their layout puts them, in their storage type (window.cl: STORAGE, CHANNELS_LAST).
// Indices are checked on the host; the kernels still skip any outside the plane, so no input
// makes them touch memory outside their buffers. Shapes are kernel arguments.
//
// Integer arithmetic: an index is an int offset in the output plane, and a value's position in
// its pooled plane plus one is an int: both planes hold at most 2^31 - 1 elements
// (Validation.requireUnpoolShapes), so the position is at most 2^31 - 2 before the +1.

// owners[plane, index[j]] = max(owners[...], position of j in its plane + 1).
__kernel void unpool_claim(__global const int* indices,
                           volatile __global int* owners,
                           const ulong values,
                           const ulong pooled_plane,
                           const ulong output_plane,
                           const int C)
{
    const ulong j = get_global_id(0);
    if (j >= values) {
        return;
    }
    const int index = indices[j];
    if (index < 0 || (ulong)index >= output_plane) {
        return;
    }
    SPLIT_PLANE(j, pooled_plane, C, plane, at)
    atomic_max(&owners[plane * output_plane + index], (int)at + 1);
}

// output[o] = the value that owns o, or 0.
__kernel void unpool_gather(__global const store_t* values,
                            __global const int* owners,
                            __global store_t* output,
                            const ulong elements,
                            const ulong pooled_plane,
                            const ulong output_plane,
                            const int C)
{
    const ulong o = get_global_id(0);
    if (o >= elements) {
        return;
    }
    SPLIT_PLANE(o, output_plane, C, plane, at)
    const int owner = owners[plane * output_plane + at];
    STORE(output, o, owner > 0 ? LOAD(values, POSITION(plane, owner - 1, pooled_plane, C)) : 0.0f);
}

// Backward: dValues[j] = dOut[plane, index[j]]; a gather, one work-item per value.
__kernel void unpool_backward(__global const store_t* grad_output,
                              __global const int* indices,
                              __global store_t* grad_values,
                              const ulong values,
                              const ulong pooled_plane,
                              const ulong output_plane,
                              const int C)
{
    const ulong j = get_global_id(0);
    if (j >= values) {
        return;
    }
    const int index = indices[j];
    const bool inside = index >= 0 && (ulong)index < output_plane;
    SPLIT_PLANE(j, pooled_plane, C, plane, at)
    STORE(grad_values, j, inside ? LOAD(grad_output, POSITION(plane, index, output_plane, C)) : 0.0f);
}
