// The window arithmetic every kernel family shares (docs/SEMANTICS.md §2), in one place: the host
// puts this file in front of each kernel file it builds (KernelSource.load), so every family
// computes divisors, adaptive bounds and LP powers alike, and the Java reference mirrors each
// function named here. Names are lower case on purpose: the kernel files' -D window defines
// (KH, SW, ...) would rewrite parameters spelled like them.

// Round every product on its own, as the Java reference does: a fused a*b+c would round once.
#pragma OPENCL FP_CONTRACT OFF

// The fixed-window geometry a kernel takes as arguments, in this order.
#define WINDOW_GEOMETRY const int H, const int W, const int OH, const int OW, \
                        const int KH, const int KW, const int SH, const int SW, \
                        const int PH, const int PW, const int DH, const int DW

// The divisor of average window (od, oh, ow), PyTorch's avg_pool2d/avg_pool3d rule: per axis the
// window end is clipped to size + padding before padding taps are counted; without
// count_include_pad only in-bounds taps count; a non-zero override replaces either. LP pools with
// count_include_pad and no padding, which makes it the window's in-bounds tap count
// (ReferencePooling.AvgWindow alike). The counts are long: a window of 46341x46341 padded taps has
// more than 2^31 - 1 of them, and a 3-D window's product of three extents is formed in long from
// extents that each fit an int. Window coordinates fit an int for every geometry the host accepts
// (PoolSpec.outputShape).
static inline long pooled_extent(const int o, const int size, const int taps, const int stride, const int pad,
                                 const int count_include_pad)
{
    const int start = o * stride - pad;
    const int end = min(start + taps, size + pad);
    return count_include_pad ? end - start : min(end, size) - max(start, 0);
}

static inline long pooled_divisor_3d(const int od, const int oh, const int ow, const int depth, const int height,
                                     const int width, const int kernel_d, const int kernel_h, const int kernel_w,
                                     const int stride_d, const int stride_h, const int stride_w, const int pad_d,
                                     const int pad_h, const int pad_w, const int count_include_pad,
                                     const int divisor_override)
{
    return divisor_override != 0 ? divisor_override
         : pooled_extent(od, depth, kernel_d, stride_d, pad_d, count_include_pad)
           * pooled_extent(oh, height, kernel_h, stride_h, pad_h, count_include_pad)
           * pooled_extent(ow, width, kernel_w, stride_w, pad_w, count_include_pad);
}

// The 2-D divisor: the 3-D rule with a depth of one.
static inline long pooled_divisor(const int oh, const int ow, const int height, const int width,
                                  const int kernel_h, const int kernel_w, const int stride_h, const int stride_w,
                                  const int pad_h, const int pad_w, const int count_include_pad, const int divisor_override)
{
    return pooled_divisor_3d(0, oh, ow, 1, height, width, 1, kernel_h, kernel_w, 1, stride_h, stride_w, 0, pad_h, pad_w,
                             count_include_pad, divisor_override);
}

// Adaptive windows (AdaptiveWindows.start/end): output o of `out` spans input [floor(o*in/out),
// ceil((o+1)*in/out)). The operands are non-negative, so integer division floors. Swapping `in`
// and `out` gives the outputs whose windows hold input o (the backward gathers use that).
static inline int adaptive_start(const int o, const int in, const int out)
{
    return (int)(((long)o * in) / out);
}

static inline int adaptive_end(const int o, const int in, const int out)
{
    return (int)(((long)(o + 1) * in + out - 1) / out);
}

// x^e as PyTorch's pow computes it for the exponents it special-cases: exactly for 0, 1, 2, 3
// (1, x, x*x, x*x*x), sqrt for 1/2 (the root of p = 2); pow otherwise (ReferencePooling.lpPower).
static inline float lp_power(const float x, const float e)
{
    return e == 1.0f ? x
         : e == 2.0f ? x * x
         : e == 3.0f ? x * x * x
         : e == 0.5f ? sqrt(x)
         : e == 0.0f ? 1.0f
         : pow(x, e);
}
