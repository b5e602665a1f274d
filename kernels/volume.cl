// 3-D fixed-window pooling (PyTorch max_pool3d, avg_pool3d; min as max with the order reversed):
// one work-item per output element forward, one per input element backward (a gather over the
// windows that can contain it, so no atomics and a fixed summation order). The rules are the 2-D
// ones of direct.cl with a depth axis (docs/SEMANTICS.md): taps are visited depth, then row, then
// column; padding taps are skipped; the max starts at -inf with the first in-bounds tap's index
// and a tap replaces it when strictly better or NaN (`v != v`; no fmax, which drops NaN), so ties
// keep the first tap and the last NaN owns the index. Backward sums in output order (od, oh, ow
// ascending), as the reference accumulates.
//
// Integer arithmetic (issue 10): window coordinates o*S - P + k*D, window ends and band offsets
// are int and fit, because per axis the padded input and the windows' reach are at most
// 2^31 - 1 (PoolSpec.outputShape). In-plane offsets (d*H + h)*W + w are formed only for taps
// inside the input, so they are below D*H*W <= 2^31 - 1 (the plane limit). Offsets into a tensor
// and element counts are ulong; the product of three divisor extents is long (window.cl).
//
// Shapes and padding are kernel arguments; the window is compile-time, so loops have constant
// bounds and strides divide by constants. Defines, each with a default so this file compiles
// alone: KD KH KW (kernel), SD SH SW (stride), DD DH DW (dilation), POOL_MIN (1: the minimum).

#ifndef KD
#define KD 2
#endif
#ifndef KH
#define KH 2
#endif
#ifndef KW
#define KW 2
#endif
#ifndef SD
#define SD 2
#endif
#ifndef SH
#define SH 2
#endif
#ifndef SW
#define SW 2
#endif
#ifndef DD
#define DD 1
#endif
#ifndef DH
#define DH 1
#endif
#ifndef DW
#define DW 1
#endif
#ifndef POOL_MIN
#define POOL_MIN 0
#endif

#define NO_INDEX (-1)

// The shapes every kernel here takes, after its buffers and element count.
#define VOLUME_SHAPES const int D, const int H, const int W, const int OD, const int OH, const int OW, \
                      const int PD, const int PH, const int PW

// Splits element `e` of a tensor with planes of SD_ x SH_ x SW_ into (plane, d, h, w).
#define SPLIT(e, SIZE_D, SIZE_H, SIZE_W, plane, d, h, w)                                       \
    const int w = (int)((e) % (SIZE_W));                                                      \
    const int h = (int)(((e) / (SIZE_W)) % (SIZE_H));                                         \
    const int d = (int)(((e) / ((ulong)(SIZE_W) * (SIZE_H))) % (SIZE_D));                     \
    const ulong plane = (e) / ((ulong)(SIZE_W) * (SIZE_H) * (SIZE_D));

// Visits the in-bounds taps of window (od, oh, ow) in depth, row, column order; BODY sees `at`,
// the tap's offset in its input plane.
#define FOR_WINDOW_TAPS(BODY)                                                                   \
    const int d0 = od * SD - PD;                                                              \
    const int h0 = oh * SH - PH;                                                              \
    const int w0 = ow * SW - PW;                                                              \
    for (int kd = 0; kd < KD; kd++) {                                                         \
        const int d = d0 + kd * DD;                                                           \
        if (d < 0 || d >= D) {                                                                \
            continue;                                                                         \
        }                                                                                     \
        for (int kh = 0; kh < KH; kh++) {                                                     \
            const int h = h0 + kh * DH;                                                       \
            if (h < 0 || h >= H) {                                                            \
                continue;                                                                     \
            }                                                                                 \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const int w = w0 + kw * DW;                                                   \
                if (w < 0 || w >= W) {                                                        \
                    continue;                                                                 \
                }                                                                             \
                const int at = (d * H + h) * W + w;                                           \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// Visits the windows that can contain input (d, h, w), in output order (od, oh, ow ascending:
// kernel taps descending); BODY sees `o`, the window's offset in its output plane, and od, oh, ow.
#define FOR_CANDIDATE_WINDOWS(DIL_D, DIL_H, DIL_W, BODY)                                        \
    for (int kd = KD - 1; kd >= 0; kd--) {                                                    \
        const int span_d = d + PD - kd * (DIL_D);                                             \
        if (span_d < 0 || span_d % SD != 0 || span_d / SD >= OD) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int od = span_d / SD;                                                           \
        for (int kh = KH - 1; kh >= 0; kh--) {                                                \
            const int span_h = h + PH - kh * (DIL_H);                                         \
            if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {                        \
                continue;                                                                     \
            }                                                                                 \
            const int oh = span_h / SH;                                                       \
            for (int kw = KW - 1; kw >= 0; kw--) {                                            \
                const int span_w = w + PW - kw * (DIL_W);                                     \
                if (span_w < 0 || span_w % SW != 0 || span_w / SW >= OW) {                    \
                    continue;                                                                 \
                }                                                                             \
                const int ow = span_w / SW;                                                   \
                const int o = (od * OH + oh) * OW + ow;                                       \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// The divisor of average window (od, oh, ow) with this build's window (window.cl).
#define WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override) \
    pooled_divisor_3d(od, oh, ow, D, H, W, KD, KH, KW, SD, SH, SW, PD, PH, PW, count_include_pad, divisor_override)

__kernel void volume_extremum_forward(__global const float* input,
                                      __global float* output,
                                      __global int* indices,
                                      const ulong outputs,
                                      VOLUME_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, plane, od, oh, ow)
    const __global float* in = input + plane * ((ulong)D * H * W);
    float best = POOL_MIN ? INFINITY : -INFINITY;
    int best_index = NO_INDEX;
    FOR_WINDOW_TAPS({
        const float v = in[at];
        const bool better = POOL_MIN ? v < best : v > best;
        if (best_index < 0 || better || v != v) {
            best = v;
            best_index = at;
        }
    })
    output[o] = best;
    indices[o] = best_index;
}

// dX(d, h, w) = sum of dY over the windows whose winner is (d, h, w).
__kernel void volume_indexed_backward(__global const float* grad_output,
                                      __global const int* indices,
                                      __global float* grad_input,
                                      const ulong elements,
                                      VOLUME_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, plane, d, h, w)
    const ulong plane_outputs = (ulong)OD * OH * OW;
    const __global float* gy = grad_output + plane * plane_outputs;
    const __global int* idx = indices + plane * plane_outputs;
    const int self = (d * H + h) * W + w;
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(DD, DH, DW, {
        if (idx[o] == self) {
            sum += gy[o];
        }
    })
    grad_input[i] = sum;
}

// The sum of the window's in-bounds taps over its divisor.
__kernel void volume_avg_forward(__global const float* input,
                                 __global float* output,
                                 const ulong outputs,
                                 VOLUME_SHAPES,
                                 const int count_include_pad,
                                 const int divisor_override)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, plane, od, oh, ow)
    const __global float* in = input + plane * ((ulong)D * H * W);
    float sum = 0.0f;
    FOR_WINDOW_TAPS({
        sum += in[at];
    })
    output[o] = sum / (float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);
}

// dX(d, h, w) = sum over the windows containing (d, h, w) of dY / divisor.
__kernel void volume_avg_backward(__global const float* grad_output,
                                  __global float* grad_input,
                                  const ulong elements,
                                  VOLUME_SHAPES,
                                  const int count_include_pad,
                                  const int divisor_override)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, plane, d, h, w)
    const __global float* gy = grad_output + plane * ((ulong)OD * OH * OW);
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(1, 1, 1, {
        sum += gy[o] / (float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);
    })
    grad_input[i] = sum;
}
