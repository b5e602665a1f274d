// Fractional max pooling (PyTorch fractional_max_pool2d and fractional_max_pool3d), direct kernels: one work-item per
// output element forward, one per input element backward (a gather: no atomics, a fixed
// summation order).
//
// Window placement (FractionalWindows, PyTorch's generate_intervals): per plane, SK samples (2 in
// 2-D, 3 in 3-D), sample SD placing the depth, SH the rows, SW the columns (2-D: SH 1, SW 0, and a
// depth of 1 whose only window starts at 0; 3-D: SD 0, SH 1, SW 2, FractionalMaxPool3d.cpp); window o < out - 1 of an axis starts at
// int((o + u) * alpha) - int(u * alpha), all in float (each operation rounded, FP_CONTRACT off
// in window.cl, the casts truncating), and the last window at in - k. alpha = (in - k) / (out - 1)
// comes from the host: an OpenCL float division need not be correctly rounded, Java's is.
//
// The host accepts a geometry only when every window lies inside the input
// (PoolOp.FractionalMax.outputShape); the clamp below keeps that true for any argument anyway,
// and keeps the starts non-decreasing in o, which the backward's binary search relies on.
//
// Integer arithmetic: in-plane offsets (d*H + h)*W + w are at most D*H*W <= 2^31 - 1 (checked on the
// host); plane offsets are ulong.

// Values and gradients are read and written where their layout puts them, in their storage type,
// computed in compute_t (window.cl: STORAGE, CHANNELS_LAST); samples are float32, (n, c, axis).
// float64 places its windows in double: samples widened, alpha a double from the host
// (FractionalWindows.alpha(in, out, k, type)), PyTorch's double sample and accumulation type.
#define FRACTIONAL_SHAPES const int C, const int D, const int H, const int W, const int OD, const int OH, const int OW, \
                          const int KD, const int KH, const int KW, \
                          const compute_t alpha_d, const compute_t alpha_h, const compute_t alpha_w, \
                          const int SK, const int SD, const int SH, const int SW

static inline int fractional_start(const int o, const compute_t u, const compute_t alpha, const int in, const int out, const int k)
{
    if (o >= out - 1) {
        return in - k;
    }
    const int start = (int)(((compute_t)o + u) * alpha) - (int)(u * alpha);
    return min(max(start, 0), in - k);
}

// The first output o in [0, out) whose window starts after `t`, or `out`: starts are
// non-decreasing, so a binary search.
static inline int fractional_first_after(const int t, const compute_t u, const compute_t alpha, const int in, const int out, const int k)
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

// Max under PyTorch's rule (its CPU loop): depth, then rows, then columns; the best starts at -inf with the
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
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    const int d0 = fractional_start(od, samples[SK * plane + SD], alpha_d, D, OD, KD);
    const int h0 = fractional_start(oh, samples[SK * plane + SH], alpha_h, H, OH, KH);
    const int w0 = fractional_start(ow, samples[SK * plane + SW], alpha_w, W, OW, KW);
    compute_t best = -INFINITY;
    int best_index = (d0 * H + h0) * W + w0;
    for (int d = d0; d < d0 + KD; d++) {
        for (int h = h0; h < h0 + KH; h++) {
            for (int w = w0; w < w0 + KW; w++) {
                const int at = (d * H + h) * W + w;
                const compute_t v = LOAD(input, POSITION(plane, at, (ulong)D * H * W, C));
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

// dX[d, h, w] sums dY over the windows whose winner is (d, h, w), visited in (od, oh, ow) output
// order as the reference's scatter accumulates them. Only the windows that contain (d, h, w) are
// visited (a depth, a row and a column range found by binary search), and an index is only compared, never
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
    SPLIT(i, D, H, W, C, plane, d, h, w)
    const compute_t u_d = samples[SK * plane + SD];
    const compute_t u_h = samples[SK * plane + SH];
    const compute_t u_w = samples[SK * plane + SW];
    const int od0 = fractional_first_after(d - KD, u_d, alpha_d, D, OD, KD);
    const int od1 = fractional_first_after(d, u_d, alpha_d, D, OD, KD);
    const int oh0 = fractional_first_after(h - KH, u_h, alpha_h, H, OH, KH);
    const int oh1 = fractional_first_after(h, u_h, alpha_h, H, OH, KH);
    const int ow0 = fractional_first_after(w - KW, u_w, alpha_w, W, OW, KW);
    const int ow1 = fractional_first_after(w, u_w, alpha_w, W, OW, KW);
    const int self = (d * H + h) * W + w;
    compute_t sum = 0.0f;
    for (int od = od0; od < od1; od++) {
        for (int oh = oh0; oh < oh1; oh++) {
            for (int ow = ow0; ow < ow1; ow++) {
                const ulong o = POSITION(plane, (od * OH + oh) * OW + ow, (ulong)OD * OH * OW, C);
                if (indices[o] == self) {
                    sum += LOAD(grad_output, o);
                }
            }
        }
    }
    STORE(grad_input, i, sum);
}
