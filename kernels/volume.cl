// General fixed-window pooling: 3-D windows (PyTorch max_pool3d, avg_pool3d; min as max with the
// order reversed), and 2-D windows (a depth of one) where a tensor is channels last or stored in a
// half type, with LP pooling too. Every tensor is read and written where its layout puts it, in
// its storage type (window.cl: STORAGE, CHANNELS_LAST, LOAD, STORE, POSITION, SPLIT), and computed
// in float. One work-item per output element forward, one per input element backward (a gather over the
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
// alone: KD KH KW (kernel), SD SH SW (stride), DD DH DW (dilation), POOL_MIN (1: the minimum), and
// window.cl's STORAGE and CHANNELS_LAST.

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
#define VOLUME_SHAPES const int C, const int D, const int H, const int W, const int OD, const int OH, const int OW, \
                      const int PD, const int PH, const int PW

// Memory positions of in-plane offsets of the input and of the output.
#define INPUT_AT(at) POSITION(plane, at, (ulong)D * H * W, C)
#define OUTPUT_AT(o) POSITION(plane, o, (ulong)OD * OH * OW, C)

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

__kernel void volume_extremum_forward(__global const store_t* input,
                                      __global store_t* output,
                                      __global int* indices,
                                      const ulong outputs,
                                      VOLUME_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    float best = POOL_MIN ? INFINITY : -INFINITY;
    int best_index = NO_INDEX;
    FOR_WINDOW_TAPS({
        const float v = LOAD(input, INPUT_AT(at));
        const bool better = POOL_MIN ? v < best : v > best;
        if (best_index < 0 || better || v != v) {
            best = v;
            best_index = at;
        }
    })
    STORE(output, o, best); // a stored value: exact in the type
    indices[o] = best_index;
}

// dX(d, h, w) = sum of dY over the windows whose winner is (d, h, w).
__kernel void volume_indexed_backward(__global const store_t* grad_output,
                                      __global const int* indices,
                                      __global store_t* grad_input,
                                      const ulong elements,
                                      VOLUME_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    const int self = (d * H + h) * W + w;
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(DD, DH, DW, {
        const ulong at = OUTPUT_AT(o);
        if (indices[at] == self) {
            sum += LOAD(grad_output, at);
        }
    })
    STORE(grad_input, i, sum);
}

// The sum of the window's in-bounds taps over its divisor.
__kernel void volume_avg_forward(__global const store_t* input,
                                 __global store_t* output,
                                 const ulong outputs,
                                 VOLUME_SHAPES,
                                 const int count_include_pad,
                                 const int divisor_override)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    float sum = 0.0f;
    FOR_WINDOW_TAPS({
        sum += LOAD(input, INPUT_AT(at));
    })
    STORE(output, o, sum / (float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override));
}

// dX(d, h, w) = sum over the windows containing (d, h, w) of dY / divisor.
__kernel void volume_avg_backward(__global const store_t* grad_output,
                                  __global store_t* grad_input,
                                  const ulong elements,
                                  VOLUME_SHAPES,
                                  const int count_include_pad,
                                  const int divisor_override)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(1, 1, 1, {
        sum += LOAD(grad_output, OUTPUT_AT(o)) / (float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);
    })
    STORE(grad_input, i, sum);
}

// LP pooling (2-D windows only: PyTorch has lp_pool1d and lp_pool2d), as direct.cl computes it:
// (avg(x^p) * taps)^(1/p), the average over in-bounds taps.
__kernel void volume_lp_forward(__global const store_t* input,
                                __global store_t* output,
                                const ulong outputs,
                                VOLUME_SHAPES,
                                const float norm)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    SPLIT(o, OD, OH, OW, C, plane, od, oh, ow)
    float sum = 0.0f;
    FOR_WINDOW_TAPS({
        sum += lp_power(LOAD(input, INPUT_AT(at)), norm);
    })
    const float mean = sum / (float)WINDOW_DIVISOR(od, oh, ow, 1, 0);
    STORE(output, o, lp_power(mean * (float)((long)KD * KH * KW), 1.0f / norm));
}

// The chain rule through y = (K*avg(x^p))^(1/p), as direct.cl's lp_backward_gather forms it.
__kernel void volume_lp_backward(__global const store_t* grad_output,
                                 __global const store_t* input,
                                 __global const store_t* output,
                                 __global store_t* grad_input,
                                 const ulong elements,
                                 VOLUME_SHAPES,
                                 const float norm)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    const float taps = (float)((long)KD * KH * KW);
    const float x = LOAD(input, i);
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(1, 1, 1, {
        const ulong at = OUTPUT_AT(o);
        const float scaled_mean = lp_power(LOAD(output, at), norm);
        if (scaled_mean != 0.0f) {
            const float outer = LOAD(grad_output, at) * (taps / (float)WINDOW_DIVISOR(od, oh, ow, 1, 0))
                    * lp_power(scaled_mean, 1.0f / norm - 1.0f);
            sum += outer * lp_power(x, norm - 1.0f);
        }
    })
    STORE(grad_input, i, sum);
}
