// The window arithmetic every kernel family shares (docs/SEMANTICS.md §2), in one place: the host
// puts this file in front of each kernel file it builds (KernelSource.load), so every family
// computes divisors, adaptive bounds and LP powers alike, and the Java reference mirrors each
// function named here. Names are lower case on purpose: the kernel files' -D window defines
// (KH, SW, ...) would rewrite parameters spelled like them.

// Round every product on its own, as the Java reference does: a fused a*b+c would round once.
#pragma OPENCL FP_CONTRACT OFF

// OP_KERNELS (direct.cl, volume.cl): the op whose kernels a build emits, 0 max/min, 1 average,
// 2 LP; -1, the default, all. The other ops' kernels stay in the source as static functions,
// which the compiler never emits: a 3x3 build of one op's kernels took 0.56-0.72 s on POCL
// against 1.37 s for all of direct.cl (the host builds per op: a plan runs one).
#ifndef OP_KERNELS
#define OP_KERNELS (-1)
#endif
#if OP_KERNELS == -1 || OP_KERNELS == 0
#define EXTREMUM_KERNEL __kernel
#else
#define EXTREMUM_KERNEL static
#endif
#if OP_KERNELS == -1 || OP_KERNELS == 1
#define AVG_KERNEL __kernel
#else
#define AVG_KERNEL static
#endif
#if OP_KERNELS == -1 || OP_KERNELS == 2
#define LP_KERNEL __kernel
#else
#define LP_KERNEL static
#endif

// The fixed-window geometry a kernel takes as arguments, in this order.
#define WINDOW_GEOMETRY const int H, const int W, const int OH, const int OW, \
                        const int KH, const int KW, const int SH, const int SW, \
                        const int PH, const int PW, const int DH, const int DW

// The divisor of average window (od, oh, ow), PyTorch's avg_pool2d/avg_pool3d rule: per axis the
// window end is clipped to size + padding before padding taps are counted; without
// count_include_pad only in-bounds taps count; a non-zero override replaces either. LP pools with
// count_include_pad and no padding, which makes it the window's in-bounds tap count
// (the reference's Window.average alike). The counts are long: a window of 46341x46341 padded taps has
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

// pooled_extent for the 8 windows o0 .. o0 + 7 of one axis (the CPU family's 8-lane kernels).
// Lanes may lie past the axis's last window (their callers mask or drop them): their starts are
// formed in long, where they cannot wrap, and their extents clamped to [0, taps].
static inline int8 pooled_extents8(const int o0, const int size, const int taps, const int stride, const int pad,
                                   const int count_include_pad)
{
    const long8 start = ((long8)(o0) + (long8)(0, 1, 2, 3, 4, 5, 6, 7)) * stride - pad;
    const long8 end = min(start + taps, (long8)((long)size + pad));
    return convert_int8(clamp(count_include_pad ? end - start : min(end, (long8)(size)) - max(start, (long8)(0)),
                              (long8)(0), (long8)(taps)));
}

// The divisors of 8 windows that differ only along the last axis, as floats: `extents` along it
// (pooled_extents8), `rest` the product of their extents along the others; pooled_divisor_3d's
// rule. Every product is at most the window's tap count: in int where that fits one
// (`int_products`, known at build time), which gives the long product's floats, else in long.
static inline float8 pooled_divisors8(const int8 extents, const long rest, const bool int_products,
                                      const int divisor_override)
{
    if (divisor_override != 0) {
        return (float8)((float)divisor_override);
    }
    return int_products ? convert_float8(extents * (int)rest) : convert_float8(convert_long8(extents) * rest);
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
// (1, x, x*x, x*x*x), sqrt for 1/2 (the root of p = 2), 1/sqrt for -1/2 (p = 2's backward),
// 1/x for -1, 1/(x*x) for -2; POW (pow(x, e)) otherwise (ReferencePooling.lpPower). One rule for
// float, double and float8 (x a variable: it is evaluated more than once; the constants are
// exact in every type).
#define LP_POWER(x, e, POW)                                                                     \
    ((e) == 1.0f ? (x)                                                                        \
   : (e) == 2.0f ? (x) * (x)                                                                  \
   : (e) == 3.0f ? (x) * (x) * (x)                                                            \
   : (e) == 0.5f ? sqrt(x)                                                                    \
   : (e) == -0.5f ? 1.0f / sqrt(x)                                                            \
   : (e) == -1.0f ? 1.0f / (x)                                                                \
   : (e) == -2.0f ? 1.0f / ((x) * (x))                                                        \
   : (e) == 0.0f ? 1.0f                                                                       \
   : (POW))

static inline float lp_power(const float x, const float e)
{
    return LP_POWER(x, e, pow(x, e));
}

// lp_power of each lane (lp_power8: 8 lanes; lp_power4: 4): its special cases as vector
// operations (per lane what the scalar one rounds), the general case the scalar pow lane by lane
// (a vector pow may round otherwise). With the scalar routine in every lane direct.cl's LP 3x3
// forward ran at 106 ms on POCL skylake-avx512, 58 with this.
static inline float8 lp_power8(const float8 x, const float e)
{
    return LP_POWER(x, e, ((float8)(pow(x.s0, e), pow(x.s1, e), pow(x.s2, e), pow(x.s3, e),
                                    pow(x.s4, e), pow(x.s5, e), pow(x.s6, e), pow(x.s7, e))));
}

static inline float4 lp_power4(const float4 x, const float e)
{
    return LP_POWER(x, e, ((float4)(pow(x.s0, e), pow(x.s1, e), pow(x.s2, e), pow(x.s3, e))));
}

// The statements that follow with `norm`, of type T, the exponent p (a kernel argument): a
// constant where p = 2 (the common case), so that LP_POWER's cases fold to products and square
// roots, and the runtime p otherwise. LP_POWER's chain of cases evaluated per tap held direct.cl's
// CPU 3x3 forward at 58 ms where this took 17, and its 2x2 backward gather at 117-142 ms where
// this took 77 (POCL skylake-avx512, 32x64x112x112); in the GPU family's unrolled blocks it also
// carried pow's code per tap. BODY is one macro argument: OpenCL C has no variadic macros
// (NVIDIA's compiler rejects them, POCL's accepts them), so BODY holds no comma outside parentheses.
#define LP_NORM_CASES_OF(T, BODY)                                                             \
    if (p == 2.0f) {                                                                          \
        const T norm = 2.0f;                                                                  \
        BODY                                                                                  \
    } else {                                                                                  \
        const T norm = p;                                                                     \
        BODY                                                                                  \
    }

// ---- storage type and memory layout of the general kernels (volume.cl, adaptive.cl, unpool.cl,
// fractional.cl); direct.cl uses the storage type (channels first, float32 and the half types
// only: it computes in float), im2col.cl neither.
//   STORAGE        0 float32 (default), 1 float16, 2 bfloat16, 3 float64: how tensors are stored.
//                  Values are computed in compute_t (float; double for float64, which needs
//                  cl_khr_fp64) and rounded once, to nearest even, when stored (DType.round).
//   CHANNELS_LAST  1: tensors lie N, (D,) H, W, C; 0 (default): N, C, (D,) H, W.

#ifndef STORAGE
#define STORAGE 0
#endif
#ifndef CHANNELS_LAST
#define CHANNELS_LAST 0
#endif

#if STORAGE == 3
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double compute_t;
typedef double8 compute8_t;
#else
typedef float compute_t;
typedef float8 compute8_t;
#endif

#if STORAGE == 0
typedef float store_t;
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
#elif STORAGE == 3
typedef double store_t;
#define LOAD(p, i) ((p)[i])
#define STORE(p, i, v) ((p)[i] = (v))
// lp_power in double (ReferencePooling.lpPower(double, double)).
static inline double lp_power_c(const double x, const double e)
{
    return LP_POWER(x, e, pow(x, e));
}
#elif STORAGE == 1
// half pointers are legal without cl_khr_fp16 for vload_half / vstore_half, which every device has.
typedef half store_t;
#define LOAD(p, i) vload_half((i), (p))
#define STORE(p, i, v) vstore_half_rte((v), (i), (p))
#elif STORAGE == 2
typedef ushort store_t;
// bfloat16 is the top half of a float32: widening is a shift; narrowing rounds to nearest even and
// keeps a NaN a (quiet) NaN (DType.floatToBfloat16).
static inline ushort bfloat16_bits(const float v)
{
    const uint b = as_uint(v);
    return (b & 0x7fffffffu) > 0x7f800000u ? (ushort)((b >> 16) | 0x40u) : (ushort)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
}
#define LOAD(p, i) as_float((uint)(p)[i] << 16)
#define STORE(p, i, v) ((p)[i] = bfloat16_bits(v))
#else
#error "STORAGE must be 0 (float32), 1 (float16), 2 (bfloat16) or 3 (float64)"
#endif
#if STORAGE != 3
#define lp_power_c lp_power // lp_power in compute_t
#endif

// Eight consecutive elements from position i (LOAD8: widened to float8) and to it (STORE8: rounded
// once per lane, as STORE). Positions need no alignment.
// The half types move their 16-bit lanes through a vector type of the element's alignment: POCL
// lowers vload_half8 to an aligned 16-byte load (SIGSEGV at other positions) and vstore8 of a
// ushort8 to eight 2-byte stores (bfloat16 2x2 max backward 2x slower than float16).
typedef ushort8 __attribute__((aligned(2))) ushort8_unaligned;
#define LOAD_BITS8(p, i) (*(const __global ushort8_unaligned*)((p) + (i)))
#define STORE_BITS8(p, i, bits) (*(__global ushort8_unaligned*)((p) + (i)) = (bits))
#if STORAGE == 0 || STORAGE == 3
#define LOAD8(p, i) vload8(0, (p) + (i))
#define STORE8(p, i, v) vstore8((v), 0, (p) + (i))
#elif STORAGE == 1
// Converted in registers (vload_half8 / vstore_half8_rte on a private vector: F16C instructions).
static inline float8 half8_to_float8(const ushort8 bits)
{
    return vload_half8(0, (const half*)&bits);
}
// The same bits for values a kernel compares (LOAD8_COMPARED): NaN lanes are rebuilt from their
// bits, quiet with the payload kept as F16C gives them (StorageConversionTest), which keeps
// `v != v` a float compare: on a plain vload_half8 result LLVM rewrites it into a compare of the
// halves, which POCL does lane by lane (float16 NHWC 2x2 max forward 4x bfloat16's time; bench,
// POCL, 2026-11-26). Loads that are only summed keep LOAD8 (the select costs them time).
// Sign-extended, shifted by 13 and or-ed with a quiet NaN's exponent: sign in bit 31, payload in
// bits 13-21 (fewest operations: the forward takes it per tap).
static inline float8 half8_to_float8_compared(const ushort8 bits)
{
    const int8 h = convert_int8(as_short8(bits));
    const uint8 nan = (as_uint8(h) << 13) | (uint8)(0x7fc00000u);
    return select(half8_to_float8(bits), as_float8(nan), (h & (int8)(0x7fff)) > (int8)(0x7c00));
}
static inline ushort8 float8_to_half8(const float8 v)
{
    ushort8 bits;
    vstore_half8_rte(v, 0, (half*)&bits);
    return bits;
}
#define LOAD8(p, i) half8_to_float8(LOAD_BITS8(p, i))
#define LOAD8_COMPARED(p, i) half8_to_float8_compared(LOAD_BITS8(p, i))
#define BITS8(v) float8_to_half8(v) /* the stored bits of 8 lanes */
#define FLOAT8_OF_BITS(bits) half8_to_float8(bits) /* and back */
#define STORE8(p, i, v) STORE_BITS8(p, i, BITS8(v))
#else
static inline ushort8 bfloat16_bits8(const float8 v)
{
    const uint8 b = as_uint8(v);
    const uint8 rounded = (b + (uint8)(0x7fffu) + ((b >> 16) & (uint8)(1u))) >> 16;
    const uint8 quiet = (b >> 16) | (uint8)(0x40u);
    return convert_ushort8(select(rounded, quiet, (b & (uint8)(0x7fffffffu)) > (uint8)(0x7f800000u)));
}
#define LOAD8(p, i) as_float8(convert_uint8(LOAD_BITS8(p, i)) << 16)
#define BITS8(v) bfloat16_bits8(v)
#define FLOAT8_OF_BITS(bits) as_float8(convert_uint8(bits) << 16)
#define STORE8(p, i, v) STORE_BITS8(p, i, BITS8(v))
#endif

// STORE8 of values the type already represents (loaded from it, or 0): nothing to round, so
// bfloat16 keeps the top halves (its rounding was the bulk of the 2x2 max backward's work).
#if STORAGE == 2
#define STORE8_EXACT(p, i, v) STORE_BITS8(p, i, convert_ushort8(as_uint8(v) >> 16))
#else
#define STORE8_EXACT(p, i, v) STORE8(p, i, v)
#endif
#ifndef LOAD8_COMPARED
#define LOAD8_COMPARED LOAD8 /* float16 alone needs another form */
#endif

// a[0 .. n) (n a constant) of one row: element INDEX of `row` where INSIDE holds, else 0, both
// expressions of the span offset `i`. The half types read the bits one by one and widen them 8
// at a time (one instruction each), where LOAD per element widened each on its own (float16
// average 3x3 forward: its row-end segments, which read their spans so, took most of it).
#if STORAGE == 0 || STORAGE == 3
#define LOAD_SPAN(a, n, row, INDEX, INSIDE)                                                     \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < (n); i++) {                                                           \
        a[i] = (INSIDE) ? LOAD(row, INDEX) : 0.0f;                                            \
    }
#else
#define LOAD_SPAN(a, n, row, INDEX, INSIDE)                                                     \
    {                                                                                         \
        ushort bits_[((n) + 7) / 8 * 8];                                                      \
        _Pragma("unroll")                                                                     \
        for (int i = 0; i < ((n) + 7) / 8 * 8; i++) {                                         \
            bits_[i] = i < (n) && (INSIDE) ? ((const __global ushort*)(row))[INDEX] : (ushort)0; \
        }                                                                                     \
        _Pragma("unroll")                                                                     \
        for (int k_ = 0; k_ < (n); k_ += 8) {                                                 \
            float f_[8];                                                                      \
            vstore8(FLOAT8_OF_BITS(vload8(0, bits_ + k_)), 0, f_);                            \
            _Pragma("unroll")                                                                 \
            for (int j_ = 0; j_ < 8 && k_ + j_ < (n); j_++) {                                 \
                a[k_ + j_] = f_[j_];                                                          \
            }                                                                                 \
        }                                                                                     \
    }
#endif

// Lanes FROM .. TO - 1 of v (clipped to 0 .. 7) to positions i + FROM .. i + TO - 1: rounded as
// STORE8 rounds them, all 8 at once, then stored lane by lane (a row's end: the other lanes lie
// past it). For the half types one conversion instruction where STORE lane by lane ran POCL's
// software rounding per lane (float16 average 3x3 forward: its row-end segments took 70% of it).
#if STORAGE == 0 || STORAGE == 3
#define STORE_LANES_BETWEEN(p, i, v, FROM, TO)                                                \
    {                                                                                         \
        compute_t lanes_[8];                                                                  \
        vstore8((v), 0, lanes_);                                                              \
        for (int j_ = max((FROM), 0); j_ < min((TO), 8); j_++) {                              \
            (p)[(i) + j_] = lanes_[j_];                                                       \
        }                                                                                     \
    }
#else
#define STORE_LANES_BETWEEN(p, i, v, FROM, TO)                                                \
    {                                                                                         \
        ushort lanes_[8];                                                                     \
        vstore8(BITS8(v), 0, lanes_);                                                         \
        for (int j_ = max((FROM), 0); j_ < min((TO), 8); j_++) {                              \
            ((__global ushort*)(p))[(i) + j_] = lanes_[j_];                                   \
        }                                                                                     \
    }
#endif
// The first `count` lanes of v to positions i .. i + count - 1.
#define STORE_LANES(p, i, v, count) STORE_LANES_BETWEEN(p, i, v, 0, count)

// The memory position of logical element (plane, at) of a tensor with C channels and planes of
// `plane_size` elements: plane = n*C + c and `at` the in-plane offset d*H*W + h*W + w.
#if CHANNELS_LAST
#define POSITION(plane, at, plane_size, C) \
    ((((ulong)(plane) / (ulong)(C)) * (ulong)(plane_size) + (ulong)(at)) * (ulong)(C) + (ulong)(plane) % (ulong)(C))
#else
#define POSITION(plane, at, plane_size, C) ((ulong)(plane) * (ulong)(plane_size) + (ulong)(at))
#endif

// Splits memory position `e` of such a tensor into its plane and in-plane offset `at` (SPLIT_PLANE),
// and the offset into (d, h, w) (SPLIT). Work-items take positions in memory order, so neighbours
// touch neighbouring addresses in either layout (along W channels first, along C channels last).
#if CHANNELS_LAST
#define SPLIT_PLANE(e, plane_size, C, plane, at)                                                \
    const ulong plane = ((e) / (ulong)(C) / (ulong)(plane_size)) * (ulong)(C) + (e) % (ulong)(C); \
    const ulong at = (e) / (ulong)(C) % (ulong)(plane_size);
#else
#define SPLIT_PLANE(e, plane_size, C, plane, at)                                                \
    const ulong plane = (e) / (ulong)(plane_size);                                            \
    const ulong at = (e) % (ulong)(plane_size);
#endif

#define SPLIT(e, SIZE_D, SIZE_H, SIZE_W, C, plane, d, h, w)                                    \
    SPLIT_PLANE(e, (ulong)(SIZE_D) * (SIZE_H) * (SIZE_W), C, plane, plane##_at)               \
    const int w = (int)(plane##_at % (ulong)(SIZE_W));                                        \
    const int h = (int)(plane##_at / (ulong)(SIZE_W) % (ulong)(SIZE_H));                      \
    const int d = (int)(plane##_at / ((ulong)(SIZE_W) * (SIZE_H)));
