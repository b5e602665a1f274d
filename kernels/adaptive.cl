// Adaptive max and average pooling, direct kernels: one work-item per output element forward,
// one per input element backward (a gather, so no atomics and a fixed summation order).
//
// PyTorch's windows: output row r of OH spans input rows floor(r*H/OH) (inclusive) to
// ceil((r+1)*H/OH) (exclusive), likewise columns. Every window holds at least one row, also
// when the output is larger than the input. Backward inverts the rule: input row h lies in the
// windows of output rows floor(h*OH/H) to ceil((h+1)*OH/H), the same formula with the roles of
// input and output swapped.
//
// Integer arithmetic (issue 10): window bounds are computed in long and are at most H (W, OH, OW);
// in-plane offsets h*W + w, window starts h0*W + w0 and window sizes rows*cols are at most H*W,
// which the host keeps at or below 2^31 - 1 (AdaptiveWindows.outputShape rejects larger input and
// output planes before any device work), so they are int.
//
// Shapes are kernel arguments; this file has no defines.


#define PLANE_SHAPES const int H, const int W, const int OH, const int OW


// Max under PyTorch's rule: the best starts at -inf with the window's first tap as index; a tap
// replaces it when greater or NaN (`v != v`; no fmax, which drops NaN), so ties keep the first
// tap and the last NaN owns the index.
__kernel void adaptive_max_forward(__global const float* input,
                                   __global float* output,
                                   __global int* indices,
                                   const ulong outputs,
                                   PLANE_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    const int ow = (int)(o % OW);
    const int oh = (int)((o / OW) % OH);
    const __global float* in = input + (o / ((ulong)OW * OH)) * (ulong)H * W;
    const int h0 = adaptive_start(oh, H, OH);
    const int h1 = adaptive_end(oh, H, OH);
    const int w0 = adaptive_start(ow, W, OW);
    const int w1 = adaptive_end(ow, W, OW);
    float best = -INFINITY;
    int best_index = h0 * W + w0;
    for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
            const float v = in[h * W + w];
            if (v > best || v != v) {
                best = v;
                best_index = h * W + w;
            }
        }
    }
    output[o] = best;
    indices[o] = best_index;
}

// The mean of the window, summed row-major as the reference does.
__kernel void adaptive_avg_forward(__global const float* input,
                                   __global float* output,
                                   const ulong outputs,
                                   PLANE_SHAPES)
{
    const ulong o = get_global_id(0);
    if (o >= outputs) {
        return;
    }
    const int ow = (int)(o % OW);
    const int oh = (int)((o / OW) % OH);
    const __global float* in = input + (o / ((ulong)OW * OH)) * (ulong)H * W;
    const int h0 = adaptive_start(oh, H, OH);
    const int h1 = adaptive_end(oh, H, OH);
    const int w0 = adaptive_start(ow, W, OW);
    const int w1 = adaptive_end(ow, W, OW);
    float sum = 0.0f;
    for (int h = h0; h < h1; h++) {
        for (int w = w0; w < w1; w++) {
            sum += in[(ulong)h * W + w];
        }
    }
    output[o] = sum / (float)((h1 - h0) * (w1 - w0));
}

// dX[h, w] sums dY over the windows whose winner is (h, w), visited in row-major output order
// as the reference accumulates them.
__kernel void adaptive_max_backward(__global const float* grad_output,
                                    __global const int* indices,
                                    __global float* grad_input,
                                    const ulong elements,
                                    PLANE_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    const int w = (int)(i % W);
    const int h = (int)((i / W) % H);
    const ulong plane_output = (i / ((ulong)W * H)) * (ulong)OH * OW;
    const int self = h * W + w;
    float sum = 0.0f;
    for (int oh = adaptive_start(h, OH, H); oh < adaptive_end(h, OH, H); oh++) {
        for (int ow = adaptive_start(w, OW, W); ow < adaptive_end(w, OW, W); ow++) {
            const ulong o = plane_output + (ulong)oh * OW + ow;
            if (indices[o] == self) {
                sum += grad_output[o];
            }
        }
    }
    grad_input[i] = sum;
}

// dX[h, w] sums dY / window size over the windows that contain (h, w), in row-major output order.
__kernel void adaptive_avg_backward(__global const float* grad_output,
                                    __global float* grad_input,
                                    const ulong elements,
                                    PLANE_SHAPES)
{
    const ulong i = get_global_id(0);
    if (i >= elements) {
        return;
    }
    const int w = (int)(i % W);
    const int h = (int)((i / W) % H);
    const ulong plane_output = (i / ((ulong)W * H)) * (ulong)OH * OW;
    float sum = 0.0f;
    for (int oh = adaptive_start(h, OH, H); oh < adaptive_end(h, OH, H); oh++) {
        const int rows = adaptive_end(oh, H, OH) - adaptive_start(oh, H, OH);
        for (int ow = adaptive_start(w, OW, W); ow < adaptive_end(w, OW, W); ow++) {
            const int cols = adaptive_end(ow, W, OW) - adaptive_start(ow, W, OW);
            sum += grad_output[plane_output + (ulong)oh * OW + ow] / (float)(rows * cols);
        }
    }
    grad_input[i] = sum;
}
