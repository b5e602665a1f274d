// Adaptive max and average pooling over 2 or 3 spatial axes (a 2-D plane is a volume of depth 1),
// direct kernels: one work-item per output element forward, one per input element backward (a
// gather, so no atomics and a fixed summation order).
//
// PyTorch's windows, per axis: output row r of OH spans input rows floor(r*H/OH) (inclusive) to
// ceil((r+1)*H/OH) (exclusive), likewise depth slices and columns. Every window holds at least one
// element, also when the output is larger than the input. Backward inverts the rule: input row h
// lies in the windows of output rows floor(h*OH/H) to ceil((h+1)*OH/H), the same formula with the
// roles of input and output swapped.
//
// Integer arithmetic (issue 10): window bounds are computed in long and are at most D (H, W, OD,
// OH, OW); in-plane offsets (d*H + h)*W + w and window sizes are at most D*H*W, which the host keeps
// at or below 2^31 - 1 (AdaptiveWindows.outputShape rejects larger input and output planes before
// any device work), so they are int.
//
// Tensors are read and written where their layout puts them, in their storage type, computed in
// float (window.cl: STORAGE, CHANNELS_LAST). Shapes are kernel arguments.


#define PLANE_SHAPES const int C, const int D, const int H, const int W, const int OD, const int OH, const int OW

// Memory positions of in-plane offsets of the input and of the output.
#define INPUT_AT(at) POSITION(plane, at, (ulong)D * H * W, C)
#define OUTPUT_AT(o) POSITION(plane, o, (ulong)OD * OH * OW, C)

// The window of output (od, oh, ow): input [d0, d1) x [h0, h1) x [w0, w1).
#define ADAPTIVE_WINDOW                                                                         \
    const int d0 = adaptive_start(od, D, OD);                                                 \
    const int d1 = adaptive_end(od, D, OD);                                                   \
    const int h0 = adaptive_start(oh, H, OH);                                                 \
    const int h1 = adaptive_end(oh, H, OH);                                                   \
    const int w0 = adaptive_start(ow, W, OW);                                                 \
    const int w1 = adaptive_end(ow, W, OW);


// Max under PyTorch's rule: the best starts at -inf with the window's first tap as index; a tap
// replaces it when greater or NaN (`v != v`; no fmax, which drops NaN), so ties keep the first
// tap and the last NaN owns the index.
__kernel void adaptive_max_forward(__global const store_t* input,
                                   __global store_t* output,
                                   __global int* indices,
                                   const ulong outputs,
                                   PLANE_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    ADAPTIVE_WINDOW
    compute_t best = -INFINITY;
    int best_index = (d0 * H + h0) * W + w0;
    for (int d = d0; d < d1; d++) {
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                const int at = (d * H + h) * W + w;
                const compute_t v = LOAD(input, INPUT_AT(at));
                if (v > best || v != v) {
                    best = v;
                    best_index = at;
                }
            }
        }
    }
    STORE(output, o, best);
    indices[o] = best_index;
}

// The mean of the window, summed in depth, row, column order as the reference does.
__kernel void adaptive_avg_forward(__global const store_t* input,
                                   __global store_t* output,
                                   const ulong outputs,
                                   PLANE_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    ADAPTIVE_WINDOW
    compute_t sum = 0.0f;
    for (int d = d0; d < d1; d++) {
        for (int h = h0; h < h1; h++) {
            for (int w = w0; w < w1; w++) {
                sum += LOAD(input, INPUT_AT((d * H + h) * W + w));
            }
        }
    }
    STORE(output, o, sum / (compute_t)((d1 - d0) * (h1 - h0) * (w1 - w0)));
}

// The output windows that hold input (d, h, w), in output order; BODY sees `o`, the window's
// offset in its output plane, and od, oh, ow.
#define FOR_HOLDING_WINDOWS(BODY)                                                               \
    for (int od = adaptive_start(d, OD, D); od < adaptive_end(d, OD, D); od++) {              \
        for (int oh = adaptive_start(h, OH, H); oh < adaptive_end(h, OH, H); oh++) {          \
            for (int ow = adaptive_start(w, OW, W); ow < adaptive_end(w, OW, W); ow++) {      \
                const int o = (od * OH + oh) * OW + ow;                                       \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// dX[d, h, w] sums dY over the windows whose winner is (d, h, w), visited in output order as the
// reference accumulates them.
__kernel void adaptive_max_backward(__global const store_t* grad_output,
                                    __global const int* indices,
                                    __global store_t* grad_input,
                                    const ulong elements,
                                    PLANE_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    const int self = (d * H + h) * W + w;
    compute_t sum = 0.0f;
    FOR_HOLDING_WINDOWS({
        const ulong at = OUTPUT_AT(o);
        if (indices[at] == self) {
            sum += LOAD(grad_output, at);
        }
    })
    STORE(grad_input, i, sum);
}

// dX[d, h, w] sums dY / window size over the windows that contain (d, h, w), in output order.
__kernel void adaptive_avg_backward(__global const store_t* grad_output,
                                    __global store_t* grad_input,
                                    const ulong elements,
                                    PLANE_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    compute_t sum = 0.0f;
    FOR_HOLDING_WINDOWS({
        ADAPTIVE_WINDOW
        sum += LOAD(grad_output, OUTPUT_AT(o)) / (compute_t)((d1 - d0) * (h1 - h0) * (w1 - w0));
    })
    STORE(grad_input, i, sum);
}
