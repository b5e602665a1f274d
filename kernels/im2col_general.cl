// The seed's im2col algorithm for max and min on the general cases: 3-D windows (2-D windows are
// a depth of one), channels-last tensors and half storage types. im2col builds a column buffer,
// reduce_extremum takes each column's max or min and its winning index, and backward scatters
// each window's dY to its winning tap in a column buffer that col2im_gather folds back into dX,
// in a fixed order and without atomics. Tensors are read and written where their layout puts
// them, in their storage type (window.cl: STORAGE, CHANNELS_LAST, LOAD, STORE, POSITION, SPLIT);
// the column buffers hold compute_t (float32; double for float64), so values are widened once on
// load and rounded once on store.
//
// Column layout: tap r = (kd*KH + kh)*KW + kw of column j is at r * columns + j, where column j
// is the output's memory position (either layout), so neighbouring work-items touch neighbouring
// addresses and the reduction writes its column straight to output[j]. col_source holds each
// tap's in-plane offset (d*H + h)*W + w, or PADDING_TAP when the tap lies in the padding:
// padding is marked, never filled with a value that could win.
//
// The rules are volume.cl's (docs/SEMANTICS.md): taps in depth, row, column order; padding taps
// skipped; the best starts at -inf (+inf for min) with the first in-bounds tap's index, and a
// tap replaces it when strictly better or NaN (`v != v`; no fmax/fmin, which drop NaN), so ties
// keep the first tap and the last NaN owns the index. Backward, each input element sums dY over
// the windows that contain it in output order (od, oh, ow ascending: taps descending), as the
// reference and volume.cl do, so gradients are bit for bit theirs.
//
// Integer arithmetic (issue 10): window coordinates o*S - P + k*D, window ends and spans
// d + P - k*D are int and fit, because per axis the padded input and the windows' reach are at
// most 2^31 - 1 (PoolSpec.outputShape). In-plane offsets (d*H + h)*W + w are formed only for taps
// inside the input, or for indices checked to lie in the plane, so they are below
// D*H*W <= 2^31 - 1 (the plane limit). Tap numbers r and tap counts KD*KH*KW are long (three
// extents that each fit an int); column positions r * columns + j are ulong and below the
// column buffer's element count, which the host formed with saturating products and allocated
// before any device work (a window whose buffer cannot exist is refused there). Tensor
// positions and element counts are ulong (window.cl's POSITION, SPLIT).
//
// Shapes and the window are kernel arguments, so one build serves every shape and window per
// storage type, layout and op. Defines, each with a default so this file compiles alone:
// POOL_MIN (1: the minimum; reduce_extremum only), and window.cl's STORAGE and CHANNELS_LAST.

#ifndef POOL_MIN
#define POOL_MIN 0
#endif

#define PADDING_TAP (-1)

// The geometry every kernel here takes, after its buffers and counts.
#define GENERAL_GEOMETRY const int C, const int D, const int H, const int W,                  \
                         const int OD, const int OH, const int OW,                            \
                         const int KD, const int KH, const int KW,                            \
                         const int SD, const int SH, const int SW,                            \
                         const int PD, const int PH, const int PW,                            \
                         const int DD, const int DH, const int DW

#define IN_PLANE ((ulong)D * H * W)
#define OUT_PLANE ((ulong)OD * OH * OW)

// Column j: the output's memory position j, split into its plane and window (od, oh, ow).
__kernel void im2col(__global const store_t* input,
                     __global compute_t* col_values,
                     __global int* col_source,
                     const ulong columns,
                     GENERAL_GEOMETRY)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    SPLIT(j, OD, OH, OW, C, plane, od, oh, ow)
    const int d0 = od * SD - PD;
    const int h0 = oh * SH - PH;
    const int w0 = ow * SW - PW;
    long r = 0;
    for (int kd = 0; kd < KD; kd++) {
        const int d = d0 + kd * DD;
        for (int kh = 0; kh < KH; kh++) {
            const int h = h0 + kh * DH;
            for (int kw = 0; kw < KW; kw++, r++) {
                const int w = w0 + kw * DW;
                const ulong at = (ulong)r * columns + j;
                const bool inside = d >= 0 && d < D && h >= 0 && h < H && w >= 0 && w < W;
                const int source = inside ? (d * H + h) * W + w : PADDING_TAP;
                col_source[at] = source;
                col_values[at] = inside ? LOAD(input, POSITION(plane, source, IN_PLANE, C)) : 0.0f; // never read when padding
            }
        }
    }
}

// Column j's max (min with POOL_MIN) and winning in-plane offset, under the rule above; the value
// is stored in the tensor's type (a loaded value: exact in it).
__kernel void reduce_extremum(__global const compute_t* col_values,
                              __global const int* col_source,
                              __global store_t* output,
                              __global int* indices,
                              const ulong columns,
                              const long taps)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    compute_t best = POOL_MIN ? INFINITY : -INFINITY;
    int best_index = PADDING_TAP;
    for (long r = 0; r < taps; r++) {
        const ulong at = (ulong)r * columns + j;
        const int source = col_source[at];
        if (source == PADDING_TAP) {
            continue;
        }
        const compute_t v = col_values[at];
        const bool better = POOL_MIN ? v < best : v > best;
        if (best_index == PADDING_TAP || better || v != v) {
            best = v;
            best_index = source;
        }
    }
    STORE(output, j, best);
    indices[j] = best_index;
}

// dX_col for column j: dY at the winning tap, 0 at every other, so one pass both clears and
// fills the column. The winning tap is recovered from the index; an index that is no tap of
// the window (possible only for indices not made by a forward) wins no tap, as in volume.cl,
// where such an index matches no input of the window. Max and min share this kernel.
__kernel void scatter_to_columns(__global const store_t* grad_output,
                                 __global const int* indices,
                                 __global compute_t* col_grad,
                                 const ulong columns,
                                 GENERAL_GEOMETRY)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    SPLIT(j, OD, OH, OW, C, plane, od, oh, ow)
    const compute_t g = LOAD(grad_output, j);
    const int index = indices[j];
    long winner = -1;
    if (index >= 0 && (ulong)index < IN_PLANE) {
        const int span_w = index % W - (ow * SW - PW);
        const int span_h = index / W % H - (oh * SH - PH);
        const int span_d = index / W / H - (od * SD - PD);
        if (span_d >= 0 && span_d % DD == 0 && span_d / DD < KD && span_h >= 0 && span_h % DH == 0 && span_h / DH < KH
                && span_w >= 0 && span_w % DW == 0 && span_w / DW < KW) {
            winner = ((long)(span_d / DD) * KH + span_h / DH) * KW + span_w / DW;
        }
    }
    const long taps = (long)KD * KH * KW;
    for (long r = 0; r < taps; r++) {
        col_grad[(ulong)r * columns + j] = r == winner ? g : 0.0f;
    }
}

// col2im as a gather: input element i (its memory position) sums the column entries of every
// window tap that lands on it, taps descending, which visits the windows in output order
// (od, oh, ow ascending), the order in which the reference and volume.cl accumulate. A
// non-winning tap adds +0.0f, which changes no sum that starts at +0.0f. No atomics.
__kernel void col2im_gather(__global const compute_t* col_grad,
                            __global store_t* grad_input,
                            const ulong elements,
                            const ulong columns,
                            GENERAL_GEOMETRY)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    SPLIT(i, D, H, W, C, plane, d, h, w)
    compute_t sum = 0.0f;
    for (int kd = KD - 1; kd >= 0; kd--) {
        const int span_d = d + PD - kd * DD;
        if (span_d < 0 || span_d % SD != 0 || span_d / SD >= OD) {
            continue;
        }
        const int od = span_d / SD;
        for (int kh = KH - 1; kh >= 0; kh--) {
            const int span_h = h + PH - kh * DH;
            if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {
                continue;
            }
            const int oh = span_h / SH;
            for (int kw = KW - 1; kw >= 0; kw--) {
                const int span_w = w + PW - kw * DW;
                if (span_w < 0 || span_w % SW != 0 || span_w / SW >= OW) {
                    continue;
                }
                const int o = (od * OH + oh) * OW + span_w / SW;
                const long r = ((long)kd * KH + kh) * KW + kw;
                sum += col_grad[(ulong)r * columns + POSITION(plane, o, OUT_PLANE, C)];
            }
        }
    }
    STORE(grad_input, i, sum);
}
