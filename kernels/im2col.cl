// The seed's algorithm on the device, for every fixed-window pooling: im2col builds a column
// buffer, one reduction kernel takes each column's max, min, mean or LP norm, and backward
// scatters each window's gradient into a column buffer that a col2im gather folds back into dX,
// in a fixed order and without atomics.
//
// Column layout: tap r of column j is at r * columns + j, where column j enumerates
// (plane, oh, ow) row-major, so neighbouring work-items touch neighbouring addresses.
// col_source holds each tap's offset h * W + w in its input plane, or PADDING_TAP when the tap
// lies in the padding: padding is marked, never filled with a value that could win or count.
//
// Integer arithmetic (issue 10): window coordinates (o*S - P + k*D, window ends, H + P,
// h + P - k*D) are int, and fit: the host rejects, before any device work, shapes whose padded
// input H + 2P or whose windows' reach (OH - 1)*S + max(S, D*(K - 1) + 1) pass 2^31 - 1 on either
// axis (PoolSpec.outputShape). In-plane offsets h*W + w are formed only for taps inside the input,
// or for indices checked to lie in the plane, so they are below H*W <= 2^31 - 1 (the plane limit).
// Tap numbers r = kh*KW + kw and tap counts can pass 2^31 - 1 (a 46341x46341 window): long.
//
// Shapes are kernel arguments, so one build serves every shape. Defines, each with a default so
// this file compiles alone:
//   POOL_OP       what reduce_columns and scatter_to_columns compute: POOL_MAX (default),
//                 POOL_MIN, POOL_AVG or POOL_LP.
//   POOL_INDICES  1: the max/min reduction also writes each window's winning index. Defaults to
//                 1 for max/min; average and LP have no indices.

#define POOL_MAX 0
#define POOL_MIN 1
#define POOL_AVG 2
#define POOL_LP 3

#ifndef POOL_OP
#define POOL_OP POOL_MAX
#endif

#define POOL_EXTREMUM (POOL_OP == POOL_MAX || POOL_OP == POOL_MIN)

#ifndef POOL_INDICES
#define POOL_INDICES POOL_EXTREMUM
#endif

#if POOL_OP < POOL_MAX || POOL_OP > POOL_LP
#error "POOL_OP must be POOL_MAX, POOL_MIN, POOL_AVG or POOL_LP"
#endif
#if POOL_INDICES && !POOL_EXTREMUM
#error "POOL_INDICES needs POOL_OP POOL_MAX or POOL_MIN"
#endif


#define PADDING_TAP (-1)


// The geometry every kernel here shares: window.cl's argument list.
#define GEOMETRY WINDOW_GEOMETRY

// The scalar parameters of the op, after the geometry: the average's divisor options, the LP norm.
#if POOL_OP == POOL_AVG
#define OP_PARAMETERS , const int count_include_pad, const int divisor_override
#elif POOL_OP == POOL_LP
#define OP_PARAMETERS , const float norm
#else
#define OP_PARAMETERS
#endif

// What the reduction writes: values, and the winning indices where asked.
#if POOL_INDICES
#define REDUCE_RESULTS __global float* output, __global int* indices
#else
#define REDUCE_RESULTS __global float* output
#endif

// What the backward scatter reads besides dY: max/min the winners; LP the forward's x and y.
#if POOL_EXTREMUM
#define SCATTER_OPERANDS __global const int* indices,
#elif POOL_OP == POOL_LP
#define SCATTER_OPERANDS __global const float* input, __global const float* output,
#else
#define SCATTER_OPERANDS
#endif

bool tap_inside(const int h, const int w, const int H, const int W)
{
    return h >= 0 && h < H && w >= 0 && w < W;
}

__kernel void im2col(__global const float* input,
                     __global float* col_values,
                     __global int* col_source,
                     const ulong columns,
                     GEOMETRY)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
    const ulong plane = j / ((ulong)OW * OH);
    const __global float* in = input + plane * (ulong)H * W;
    const int h0 = oh * SH - PH;
    const int w0 = ow * SW - PW;
    for (int kh = 0; kh < KH; kh++) {
        const int h = h0 + kh * DH;
        for (int kw = 0; kw < KW; kw++) {
            const int w = w0 + kw * DW;
            const ulong at = ((ulong)kh * KW + kw) * columns + j;
            const bool inside = tap_inside(h, w, H, W);
            col_source[at] = inside ? h * W + w : PADDING_TAP;
            col_values[at] = inside ? in[h * W + w] : 0.0f; // never read for a padding tap
        }
    }
}

// One column's result, padding taps skipped, in-bounds taps visited in row-major tap order:
//   max/min: PyTorch's rule. The best starts at -inf (+inf for min) with the first in-bounds
//            tap's index; a tap replaces it when strictly better or NaN, so ties keep the first
//            tap and the last NaN owns the index. `v != v` is isnan(v); the build never enables
//            fast math, and fmax/fmin are not used because they drop NaN.
//   average: the sum of the taps over window_divisor.
//   LP:      PyTorch's lp_pool2d, (mean(x^p) * KH*KW)^(1/p), the mean over the in-bounds taps.
//            lp_power: PyTorch's exact powers for p = 1, 2, 3, else pow (not powr, so that a
//            negative x with an integral p has its real power).
__kernel void reduce_columns(__global const float* col_values,
                             __global const int* col_source,
                             REDUCE_RESULTS,
                             const ulong columns,
                             GEOMETRY OP_PARAMETERS)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
#if POOL_OP == POOL_MAX
    float acc = -INFINITY;
#elif POOL_OP == POOL_MIN
    float acc = INFINITY;
#else
    float acc = 0.0f;
#endif
#if POOL_EXTREMUM
    int best_index = PADDING_TAP;
#endif
    const long taps = (long)KH * KW;
    for (long r = 0; r < taps; r++) {
        const ulong at = (ulong)r * columns + j;
        const int source = col_source[at];
        if (source == PADDING_TAP) {
            continue;
        }
        const float v = col_values[at];
#if POOL_EXTREMUM
        if (best_index == PADDING_TAP) {
            best_index = source;
        }
        const bool better = POOL_OP == POOL_MIN ? v < acc : v > acc;
        if (better || v != v) {
            acc = v;
            best_index = source;
        }
#elif POOL_OP == POOL_AVG
        acc += v;
#else
        acc += lp_power(v, norm);
#endif
    }
#if POOL_EXTREMUM
    output[j] = acc;
#else
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
#if POOL_OP == POOL_AVG
    output[j] = acc / (float)pooled_divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, count_include_pad, divisor_override);
#else
    const float mean = acc / (float)pooled_divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, 1, 0);
    output[j] = lp_power(mean * (float)((long)KH * KW), 1.0f / norm);
#endif
#endif
#if POOL_INDICES
    indices[j] = best_index;
#endif
}

// dX_col for one column: every tap of column j is written, so one pass both clears the column
// buffer and fills it; padding taps get 0 (col2im_gather never reads them).
//   max/min: dY at the winning tap, recovered from the plane index. Indices were checked on the
//            host to lie inside their windows, and only taps < KH*KW are ever written.
//   average: dY / window_divisor at every in-bounds tap.
//   LP:      the chain rule through y = (K*mean(x^p))^(1/p), K = KH*KW, n in-bounds taps:
//            dY * (K/n) * (y^p)^(1/p - 1) * x^(p-1) at every in-bounds tap, and nothing where
//            y^p is 0 (PyTorch's sign/relu guard).
__kernel void scatter_to_columns(__global const float* grad_output,
                                 SCATTER_OPERANDS
                                 __global float* col_grad,
                                 const ulong columns,
                                 GEOMETRY OP_PARAMETERS)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
    const int h0 = oh * SH - PH;
    const int w0 = ow * SW - PW;
    const float g = grad_output[j];
#if POOL_EXTREMUM
    const int index = indices[j];
    const long winner = (long)((index / W - h0) / DH) * KW + (index % W - w0) / DW;
#elif POOL_OP == POOL_AVG
    const float share = g / (float)pooled_divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW,
                                                  count_include_pad, divisor_override);
#else
    const __global float* in = input + (j / ((ulong)OW * OH)) * (ulong)H * W;
    const float scaled_mean = lp_power(output[j], norm);
    const float divisor = (float)pooled_divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, 1, 0);
    const float outer = g * ((float)((long)KH * KW) / divisor) * lp_power(scaled_mean, 1.0f / norm - 1.0f);
#endif
    for (int kh = 0; kh < KH; kh++) {
        const int h = h0 + kh * DH;
        for (int kw = 0; kw < KW; kw++) {
            const int w = w0 + kw * DW;
            const long r = (long)kh * KW + kw;
#if POOL_EXTREMUM
            const float value = r == winner ? g : 0.0f;
#elif POOL_OP == POOL_AVG
            const float value = tap_inside(h, w, H, W) ? share : 0.0f;
#else
            const float value = tap_inside(h, w, H, W) && scaled_mean != 0.0f
                    ? outer * lp_power(in[h * W + w], norm - 1.0f) : 0.0f;
#endif
            col_grad[(ulong)r * columns + j] = value;
        }
    }
}

// col2im as a gather: each input element sums the column entries of every window tap that
// lands on it. Taps are visited last to first, which visits the windows in row-major output
// order, the order in which the reference accumulates: the sums round alike, and two runs are
// bitwise equal. No atomics.
__kernel void col2im_gather(__global const float* col_grad,
                            __global float* grad_input,
                            const ulong elements,
                            const ulong columns,
                            GEOMETRY)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    const int w = (int)(i % W);
    const int h = (int)((i / W) % H);
    const ulong plane_column = (i / ((ulong)W * H)) * (ulong)OH * OW;
    float sum = 0.0f;
    for (int kh = KH - 1; kh >= 0; kh--) {
        const int oh_span = h + PH - kh * DH;
        if (oh_span < 0 || oh_span % SH != 0 || oh_span / SH >= OH) {
            continue;
        }
        const int oh = oh_span / SH;
        for (int kw = KW - 1; kw >= 0; kw--) {
            const int ow_span = w + PW - kw * DW;
            if (ow_span < 0 || ow_span % SW != 0 || ow_span / SW >= OW) {
                continue;
            }
            const ulong j = plane_column + (ulong)oh * OW + ow_span / SW;
            sum += col_grad[((ulong)kh * KW + kw) * columns + j];
        }
    }
    grad_input[i] = sum;
}
