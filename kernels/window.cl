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

// The divisor of average window (oh, ow), PyTorch's avg_pool2d rule: the window end is clipped to
// size + padding before padding taps are counted; without count_include_pad only in-bounds taps
// count; a non-zero override replaces either. LP pools with count_include_pad and no padding,
// which makes it the window's in-bounds tap count (ReferencePooling.AvgWindow alike). The counts
// are long: a window of 46341x46341 padded taps has more than 2^31 - 1 of them. Window
// coordinates fit an int for every geometry the host accepts (PoolSpec.outputShape).
static inline long pooled_divisor(const int oh, const int ow, const int height, const int width,
                                  const int kernel_h, const int kernel_w, const int stride_h, const int stride_w,
                                  const int pad_h, const int pad_w, const int count_include_pad, const int divisor_override)
{
    const int h_start = oh * stride_h - pad_h;
    const int w_start = ow * stride_w - pad_w;
    const int h_end = min(h_start + kernel_h, height + pad_h);
    const int w_end = min(w_start + kernel_w, width + pad_w);
    const long padded = (long)(h_end - h_start) * (w_end - w_start);
    const long inside = (long)(min(h_end, height) - max(h_start, 0)) * (min(w_end, width) - max(w_start, 0));
    return divisor_override != 0 ? divisor_override : count_include_pad ? padded : inside;
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
