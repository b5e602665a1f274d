// The seed's algorithm on the device: im2col builds a column buffer, a reduction takes each
// column's max (or min) and its index, and backward scatters dY into a column buffer that a
// col2im gather folds back into dX, in a fixed order and without atomics.
//
// Column layout: tap r of column j is at r * columns + j, where column j enumerates
// (plane, oh, ow) row-major, so neighbouring work-items touch neighbouring addresses.
// col_source holds each tap's offset h * W + w in its input plane, or PADDING_TAP when the tap
// lies in the padding: padding is marked, never filled with a value that could win.
//
// Shapes are kernel arguments, so one build serves every shape. Defines, each with a default so
// this file compiles alone:
//   POOL_MIN  1: the reduction keeps the minimum instead of the maximum.

#ifndef POOL_MIN
#define POOL_MIN 0
#endif

#define PADDING_TAP (-1)

// The geometry every kernel here shares, passed in this order.
#define GEOMETRY const int H, const int W, const int OH, const int OW, \
                 const int KH, const int KW, const int SH, const int SW, \
                 const int PH, const int PW, const int DH, const int DW

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
            const ulong at = (ulong)(kh * KW + kw) * columns + j;
            const bool inside = h >= 0 && h < H && w >= 0 && w < W;
            col_source[at] = inside ? h * W + w : PADDING_TAP;
            col_values[at] = inside ? in[h * W + w] : 0.0f; // never read for a padding tap
        }
    }
}

// The best of one column under PyTorch's rule: padding taps are skipped; the best starts at
// -inf (+inf for min) with the first in-bounds tap's index; a tap replaces it when strictly
// better or NaN, so ties keep the first tap and the last NaN owns the index.
// `v != v` is isnan(v) without the builtin call (the build never enables fast math).
__kernel void reduce_extremum(__global const float* col_values,
                              __global const int* col_source,
                              __global float* output,
                              __global int* indices,
                              const ulong columns,
                              const int taps)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    float best = POOL_MIN ? INFINITY : -INFINITY;
    int best_index = PADDING_TAP;
    for (int r = 0; r < taps; r++) {
        const ulong at = (ulong)r * columns + j;
        const int source = col_source[at];
        if (source == PADDING_TAP) {
            continue;
        }
        const float v = col_values[at];
        if (best_index == PADDING_TAP) {
            best_index = source;
        }
        const bool better = POOL_MIN ? v < best : v > best;
        if (better || v != v) {
            best = v;
            best_index = source;
        }
    }
    output[j] = best;
    indices[j] = best_index;
}

// dX_col[winner(j), j] = dY[j] and 0 for every other tap of column j: one pass that both zeroes
// the column buffer and scatters into it. The winning tap is recovered from the plane index;
// indices were checked on the host to lie inside their windows, and only taps < KH*KW are
// ever written.
__kernel void scatter_to_columns(__global const float* grad_output,
                                 __global const int* indices,
                                 __global float* col_grad,
                                 const ulong columns,
                                 GEOMETRY)
{
    const ulong j = get_global_id(0);
    if (j >= columns) {
        return;
    }
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
    const int index = indices[j];
    const int h = index / W;
    const int w = index - h * W;
    const int winner = ((h - (oh * SH - PH)) / DH) * KW + (w - (ow * SW - PW)) / DW;
    const float g = grad_output[j];
    for (int r = 0; r < KH * KW; r++) {
        col_grad[(ulong)r * columns + j] = r == winner ? g : 0.0f;
    }
}

// col2im as a gather: each input element sums, in tap order, the column entries of every
// window tap that lands on it. Deterministic, no atomics.
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
    for (int kh = 0; kh < KH; kh++) {
        const int oh_span = h + PH - kh * DH;
        if (oh_span < 0 || oh_span % SH != 0 || oh_span / SH >= OH) {
            continue;
        }
        const int oh = oh_span / SH;
        for (int kw = 0; kw < KW; kw++) {
            const int ow_span = w + PW - kw * DW;
            if (ow_span < 0 || ow_span % SW != 0 || ow_span / SW >= OW) {
                continue;
            }
            const ulong j = plane_column + (ulong)oh * OW + ow_span / SW;
            sum += col_grad[(ulong)(kh * KW + kw) * columns + j];
        }
    }
    grad_input[i] = sum;
}
