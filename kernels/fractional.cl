// Fractional max pooling (PyTorch fractional_max_pool2d), direct kernels: one work-item per
// output element forward, one per input element backward (a gather: no atomics, a fixed
// summation order).
//
// Window placement (FractionalWindows, PyTorch's generate_intervals): per plane, sample 0 places
// the columns and sample 1 the rows; window o < out - 1 of an axis starts at
// int((o + u) * alpha) - int(u * alpha), all in float (each operation rounded, FP_CONTRACT off
// in window.cl, the casts truncating), and the last window at in - k. alpha = (in - k) / (out - 1)
// comes from the host: an OpenCL float division need not be correctly rounded, Java's is.
//
// The host accepts a geometry only when every window lies inside the input
// (PoolOp.FractionalMax.outputShape); the clamp below keeps that true for any argument anyway,
// and keeps the starts non-decreasing in o, which the backward's binary search relies on.
//
// Integer arithmetic: in-plane offsets h*W + w are at most H*W <= 2^31 - 1 (checked on the
// host); plane offsets are ulong.

// Values and gradients are read and written where their layout puts them, in their storage type,
// computed in float (window.cl: STORAGE, CHANNELS_LAST); samples are float32, (n, c, axis).
#define FRACTIONAL_SHAPES const int C, const int H, const int W, const int OH, const int OW, \
                          const int KH, const int KW, const float alpha_h, const float alpha_w

static inline int fractional_start(const int o, const float u, const float alpha, const int in, const int out, const int k)
{
    if (o >= out - 1) {
        return in - k;
    }
    const int start = (int)(((float)o + u) * alpha) - (int)(u * alpha);
    return min(max(start, 0), in - k);
}

// The first output o in [0, out) whose window starts after `t`, or `out`: starts are
// non-decreasing, so a binary search.
static inline int fractional_first_after(const int t, const float u, const float alpha, const int in, const int out, const int k)
{
    int lo = 0;
    int hi = out;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (fractional_start(mid, u, alpha, in, out, k) > t) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

// Max under PyTorch's rule (its CPU loop): rows then columns; the best starts at -inf with the
// window's first tap as index; a tap replaces it when greater or NaN (`v != v`; no fmax), so ties
// keep the first tap and the last NaN owns the index.
__kernel void fractional_max_forward(__global const store_t* input,
                                     __global const float* samples,
                                     __global store_t* output,
                                     __global int* indices,
                                     const ulong outputs,
                                     FRACTIONAL_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, 1, OH, OW, C, plane, od, oh, ow)
    const int h0 = fractional_start(oh, samples[2 * plane + 1], alpha_h, H, OH, KH);
    const int w0 = fractional_start(ow, samples[2 * plane], alpha_w, W, OW, KW);
    float best = -INFINITY;
    int best_index = h0 * W + w0;
    for (int h = h0; h < h0 + KH; h++) {
        for (int w = w0; w < w0 + KW; w++) {
            const float v = LOAD(input, POSITION(plane, h * W + w, (ulong)H * W, C));
            if (v > best || v != v) {
                best = v;
                best_index = h * W + w;
            }
        }
    }
    STORE(output, o, best);
    indices[o] = best_index;
}

// dX[h, w] sums dY over the windows whose winner is (h, w), visited in row-major output order as
// the reference's scatter accumulates them. Only the windows that contain (h, w) are visited (a
// row range and a column range found by binary search), and an index is only compared, never
// dereferenced: an index outside its window contributes nothing.
__kernel void fractional_max_backward(__global const store_t* grad_output,
                                      __global const int* indices,
                                      __global const float* samples,
                                      __global store_t* grad_input,
                                      const ulong elements,
                                      FRACTIONAL_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, 1, H, W, C, plane, d, h, w)
    const float u_h = samples[2 * plane + 1];
    const float u_w = samples[2 * plane];
    const int oh0 = fractional_first_after(h - KH, u_h, alpha_h, H, OH, KH);
    const int oh1 = fractional_first_after(h, u_h, alpha_h, H, OH, KH);
    const int ow0 = fractional_first_after(w - KW, u_w, alpha_w, W, OW, KW);
    const int ow1 = fractional_first_after(w, u_w, alpha_w, W, OW, KW);
    const int self = h * W + w;
    float sum = 0.0f;
    for (int oh = oh0; oh < oh1; oh++) {
        for (int ow = ow0; ow < ow1; ow++) {
            const ulong o = POSITION(plane, oh * OW + ow, (ulong)OH * OW, C);
            if (indices[o] == self) {
                sum += LOAD(grad_output, o);
            }
        }
    }
    STORE(grad_input, i, sum);
}
