// General fixed-window pooling: 3-D windows (PyTorch max_pool3d, avg_pool3d; min as max with the
// order reversed), and 2-D windows (a depth of one) where a tensor is channels last or stored in a
// half type, with LP pooling too. Every tensor is read and written where its layout puts it, in
// its storage type (window.cl: STORAGE, CHANNELS_LAST, LOAD, STORE, POSITION, SPLIT), and computed
// in compute_t (float; double for float64). One work-item per output element forward, one per
// input element backward (a gather over the windows that can contain it, so no atomics and a
// fixed summation order); the vector and row kernels below take several (8 on the CPU family, 4
// on the GPU family) with the same rules per element. The rules are the 2-D
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
// and element counts are ulong (offset_t), uint only on the GPU family where the host proved every
// element count of the launch's tensors below 2^31 (OFFSETS_32); the product of three divisor
// extents is long (window.cl).
//
// Shapes and padding are kernel arguments; the window is compile-time, so loops have constant
// bounds and strides divide by constants. Defines, each with a default so this file compiles
// alone: KD KH KW (kernel), SD SH SW (stride), DD DH DW (dilation), POOL_MIN (1: the minimum),
// window.cl's OP_KERNELS (the op whose kernels the build emits; all by default),
// GPU_FAMILY (1: explicit work-groups, scalar kernels only), OFFSETS_32 (see above), and
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

#ifndef GPU_FAMILY
#define GPU_FAMILY 0
#endif
#ifndef OFFSETS_32
#define OFFSETS_32 0
#endif

// Tensor offsets and the range's slab/row index: uint on the GPU family where the host proved
// every element count below 2^31 (OFFSETS_32: 32-bit division, not the 64-bit one a GPU emulates),
// else ulong (the CPU family always).
#if GPU_FAMILY && OFFSETS_32
#define offset_t uint
#else
#define offset_t ulong
#endif

// Work-items form a 3-D range whose dimension 0 is the innermost memory axis, so neighbouring
// work-items touch neighbouring addresses and every division is uniform across dimension 0 (POCL
// hoists it out of its work-item loop and vectorizes; a GPU coalesces):
//   channels first: (w, h, plane·D + d), a tensor position (slab·H + h)·W + w;
//   channels last:  (c, w, (n·D + d)·H + h), a tensor position (row·W + w)·C + c.
// ITEM declares the work-item's (d, h, w), its position, and BASE/STEP: where in-plane offset `at`
// of a tensor with planes of `plane_size` lies, BASE(plane_size) + at·STEP. Items past the range
// (it is rounded up to whole work-groups in dimensions 0 and 1) return.
#if GPU_FAMILY
// The GPU family: the same range and positions, launched in explicit work-groups (VolumeKernels),
// so dimensions 0 and 1 are rounded up; the guard compares the unconverted ids, so no rounded id
// can wrap in an int, and comes first (no vectorizer to please).
#if CHANNELS_LAST
#define ITEM(SIZE_D, SIZE_H, SIZE_W, d, h, w, position)                                        \
    if (get_global_id(0) >= (size_t)C || get_global_id(1) >= (size_t)(SIZE_W)) {             \
        return;                                                                               \
    }                                                                                         \
    const int channel = (int)get_global_id(0);                                                \
    const int w = (int)get_global_id(1);                                                      \
    const offset_t row = (offset_t)get_global_id(2);                                          \
    const int h = (int)(row % (offset_t)(SIZE_H));                                            \
    const int d = (int)(row / (offset_t)(SIZE_H) % (offset_t)(SIZE_D));                       \
    const offset_t sample = row / (offset_t)(SIZE_H) / (offset_t)(SIZE_D);                    \
    const offset_t position = (row * (SIZE_W) + w) * C + channel;
#define BASE(plane_size) (sample * (offset_t)(plane_size) * C + channel)
#define STEP ((offset_t)C)
#define OFFSET(at) ((offset_t)(at) * C)
#else
#define ITEM(SIZE_D, SIZE_H, SIZE_W, d, h, w, position)                                        \
    if (get_global_id(0) >= (size_t)(SIZE_W) || get_global_id(1) >= (size_t)(SIZE_H)) {      \
        return;                                                                               \
    }                                                                                         \
    const int w = (int)get_global_id(0);                                                      \
    const int h = (int)get_global_id(1);                                                      \
    const offset_t slab = (offset_t)get_global_id(2);                                         \
    const int d = (int)(slab % (offset_t)(SIZE_D));                                           \
    const offset_t plane = slab / (offset_t)(SIZE_D);                                         \
    const offset_t position = (slab * (SIZE_H) + h) * (SIZE_W) + w;
#define BASE(plane_size) (plane * (offset_t)(plane_size))
#define STEP ((offset_t)1)
#define OFFSET(at) (at)
#endif
#elif CHANNELS_LAST
#define ITEM(SIZE_D, SIZE_H, SIZE_W, d, h, w, position)                                        \
    const int channel = (int)get_global_id(0);                                                \
    const int w = (int)get_global_id(1);                                                      \
    const ulong row = get_global_id(2);                                                       \
    /* Divisions before the range check: they depend on dimension 2 alone, so POCL can hoist   \
       them out of its work-item loops only where nothing conditional comes first. */         \
    const int h = (int)(row % (ulong)(SIZE_H));                                               \
    const int d = (int)(row / (ulong)(SIZE_H) % (ulong)(SIZE_D));                             \
    const ulong sample = row / (ulong)(SIZE_H) / (ulong)(SIZE_D);                             \
    if (channel >= C || w >= (SIZE_W)) {                                                      \
        return;                                                                               \
    }                                                                                         \
    const ulong position = (row * (SIZE_W) + w) * C + channel;
#define BASE(plane_size) (sample * (ulong)(plane_size) * C + channel)
#define STEP ((ulong)C)
#define OFFSET(at) ((ulong)(at) * C)
#else
#define ITEM(SIZE_D, SIZE_H, SIZE_W, d, h, w, position)                                        \
    const int w = (int)get_global_id(0);                                                      \
    const int h = (int)get_global_id(1);                                                      \
    const ulong slab = get_global_id(2);                                                      \
    /* Divisions before the range check: see the channels-last ITEM. */                       \
    const int d = (int)(slab % (ulong)(SIZE_D));                                              \
    const ulong plane = slab / (ulong)(SIZE_D);                                               \
    if (w >= (SIZE_W) || h >= (SIZE_H)) {                                                     \
        return;                                                                               \
    }                                                                                         \
    const ulong position = (slab * (SIZE_H) + h) * (SIZE_W) + w;
#define BASE(plane_size) (plane * (ulong)(plane_size))
#define STEP ((ulong)1)
#define OFFSET(at) (at) /* an int: 32-bit offsets from the plane's start let POCL vectorize the loads */
#endif

// Visits the taps of window (od, oh, ow) in depth, row, column order; BODY sees `inside` (false
// for a padding tap) and `at`, the tap's offset in its input plane, clamped into the plane for a
// padding tap so that every load stays in bounds. Masked rather than skipped: the same control
// flow for every work-item, which POCL's vectorizer needs.
#define FOR_WINDOW_TAPS(BODY)                                                                   \
    const int d0 = od * SD - PD;                                                              \
    const int h0 = oh * SH - PH;                                                              \
    const int w0 = ow * SW - PW;                                                              \
    for (int kd = 0; kd < KD; kd++) {                                                         \
        const int d = d0 + kd * DD;                                                           \
        const bool d_in = d >= 0 && d < D;                                                    \
        const int dc = clamp(d, 0, D - 1);                                                    \
        for (int kh = 0; kh < KH; kh++) {                                                     \
            const int h = h0 + kh * DH;                                                       \
            const bool h_in = d_in && h >= 0 && h < H;                                        \
            const int hc = clamp(h, 0, H - 1);                                                \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const int w = w0 + kw * DW;                                                   \
                const bool inside = h_in && w >= 0 && w < W;                                  \
                const int at = (dc * H + hc) * W + clamp(w, 0, W - 1);                        \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// Visits the output rows (od, oh) whose windows can contain input row (d, h), in output order
// (od, oh ascending: kernel taps descending).
#define FOR_CANDIDATE_OUTPUT_ROWS(DIL_D, DIL_H, BODY)                                           \
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
            BODY                                                                              \
        }                                                                                     \
    }

// Visits the windows that can contain input (d, h, w), in output order (od, oh, ow ascending:
// kernel taps descending); BODY sees `o`, the window's offset in its output plane, and od, oh, ow.
#define FOR_CANDIDATE_WINDOWS(DIL_D, DIL_H, DIL_W, BODY)                                        \
    FOR_CANDIDATE_OUTPUT_ROWS(DIL_D, DIL_H, {                                                 \
        for (int kw = KW - 1; kw >= 0; kw--) {                                                \
            const int span_w = w + PW - kw * (DIL_W);                                         \
            if (span_w < 0 || span_w % SW != 0 || span_w / SW >= OW) {                        \
                continue;                                                                     \
            }                                                                                 \
            const int ow = span_w / SW;                                                       \
            const int o = (od * OH + oh) * OW + ow;                                           \
            BODY                                                                              \
        }                                                                                     \
    })

// With disjoint windows (stride at least the effective kernel on every axis, known at build time)
// an input element lies in at most one window, the one starting at or before it: on each axis
// o = (x + P) / S, if the tap x + P − o·S falls on the window's taps. A direct computation instead
// of the candidate loop: no loop, no divergence. BODY runs at most once, so the sums are the
// loop's bit for bit (0 + one term, in both).
#define FOR_THE_DISJOINT_WINDOW(DIL_D, DIL_H, DIL_W, BODY)                                      \
    {                                                                                         \
        const int od = (d + PD) / SD;                                                         \
        const int oh = (h + PH) / SH;                                                         \
        const int ow = (w + PW) / SW;                                                         \
        const int td = d + PD - od * SD;                                                      \
        const int th = h + PH - oh * SH;                                                      \
        const int tw = w + PW - ow * SW;                                                      \
        if (od < OD && oh < OH && ow < OW && td % (DIL_D) == 0 && td / (DIL_D) < KD          \
                && th % (DIL_H) == 0 && th / (DIL_H) < KH && tw % (DIL_W) == 0 && tw / (DIL_W) < KW) { \
            const int o = (od * OH + oh) * OW + ow;                                           \
            BODY                                                                              \
        }                                                                                     \
    }

#define DISJOINT_WINDOWS (SD >= DD * (KD - 1) + 1 && SH >= DH * (KH - 1) + 1 && SW >= DW * (KW - 1) + 1)
#if DISJOINT_WINDOWS
#define FOR_CANDIDATES FOR_THE_DISJOINT_WINDOW
#else
#define FOR_CANDIDATES FOR_CANDIDATE_WINDOWS
#endif

#if DISJOINT_WINDOWS
// Disjoint windows split the input into cells of SD×SH×SW positions, one per window start: cell
// (cd, ch, cw) starts at (cd·SD − PD, ch·SH − PH, cw·SW − PW), and holds its window's taps and the
// positions no window covers. The cell kernels (one work-item per cell, both families) load the
// window's dY (and index) once and write every position of the cell, with the gathers' bits: 0 + dY
// (or 0 + dY / divisor) at the window's taps, where max/min's index also names the position, else 0.
#define CELLS(SIZE, P, S) (((SIZE) - 1 + (P)) / (S) + 1)
// Cell (cd, ch, cw)'s window (od, oh, ow), whether it has one (cells past the last window, the
// input's tail that no window reaches, read the last window, masked), and its first position.
#define CELL_WINDOW(cd, ch, cw)                                                               \
    const bool window = (cd) < OD && (ch) < OH && (cw) < OW;                                  \
    const int od = min((cd), OD - 1);                                                         \
    const int oh = min((ch), OH - 1);                                                         \
    const int ow = min((cw), OW - 1);                                                         \
    const int d0 = (cd) * SD - PD;                                                            \
    const int h0 = (ch) * SH - PH;                                                            \
    const int w0 = (cw) * SW - PW;

#if SD * SH * SW <= 32
#define UNROLL_CELL _Pragma("unroll")
#else
#define UNROLL_CELL
#endif
// The cell's positions, in depth, row, column order; BODY sees `at` (the offset in the input
// plane) and `tap` (the position is a tap of the window). CHECKED skips positions outside the input.
// The last cell can run past the input by up to a stride, and its first position plus a stride
// past 2^31 - 1: every bound is compared as a distance from the cell's start (D - d0 cannot wrap:
// d0 >= -PD), so no sum is formed before it is known to lie inside the input.
#define CELL_POSITIONS(DIL_D, DIL_H, DIL_W, CHECKED, BODY)                                    \
    UNROLL_CELL for (int td = 0; td < SD; td++) {                                             \
        UNROLL_CELL for (int th = 0; th < SH; th++) {                                         \
            UNROLL_CELL for (int tw = 0; tw < SW; tw++) {                                     \
                if ((CHECKED) && (td >= D - d0 || th >= H - h0 || tw >= W - w0                \
                                  || d0 + td < 0 || h0 + th < 0 || w0 + tw < 0)) {            \
                    continue;                                                                 \
                }                                                                             \
                const int d = d0 + td;                                                        \
                const int h = h0 + th;                                                        \
                const int w = w0 + tw;                                                        \
                const bool tap = window && td % (DIL_D) == 0 && td / (DIL_D) < KD             \
                        && th % (DIL_H) == 0 && th / (DIL_H) < KH && tw % (DIL_W) == 0 && tw / (DIL_W) < KW; \
                const int at = (d * H + h) * W + w;                                           \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }
// A cell wholly inside the input takes the unchecked, unrolled loop (INTERIOR_TAPS' reason).
#define FOR_CELL_POSITIONS(DIL_D, DIL_H, DIL_W, BODY)                                         \
    if (d0 >= 0 && d0 <= D - SD && h0 >= 0 && h0 <= H - SH && w0 >= 0 && w0 <= W - SW) {      \
        CELL_POSITIONS(DIL_D, DIL_H, DIL_W, 0, BODY)                                          \
    } else {                                                                                  \
        CELL_POSITIONS(DIL_D, DIL_H, DIL_W, 1, BODY)                                          \
    }
#endif

// The divisor of average window (od, oh, ow) with this build's window (window.cl).
#define WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override) \
    pooled_divisor_3d(od, oh, ow, D, H, W, KD, KH, KW, SD, SH, SW, PD, PH, PW, count_include_pad, divisor_override)
// The divisors of the 8 windows ow0 .. ow0 + 7 of output row (od, oh) as one float8 (the 8-lane
// kernels; lanes past OW are masked or not stored, whatever their divisor): pooled_divisors8, the
// row's depth and height extents formed once for its 8 windows. Per lane and tap, 8 scalar
// divisors took most of the 3x3x3 s1 average backward's 274 ms (POCL skylake-avx512).
#define DIVISORS8(od, oh, ow0, count_include_pad, divisor_override)                             \
    pooled_divisors8(pooled_extents8(ow0, W, KW, SW, PW, count_include_pad),                  \
                     pooled_extent(od, D, KD, SD, PD, count_include_pad)                      \
                         * pooled_extent(oh, H, KH, SH, PH, count_include_pad),               \
                     (long)KD * KH <= 2147483647L / KW, divisor_override)

#define INPUT_PLANE ((offset_t)D * H * W)
#define OUTPUT_PLANE ((offset_t)OD * OH * OW)

EXTREMUM_KERNEL void volume_extremum_forward(__global const store_t* input,
                                      __global store_t* output,
                                      __global int* indices,
                                      VOLUME_SHAPES)
{
    ITEM(OD, OH, OW, od, oh, ow, o)
    const __global store_t* in = input + BASE(INPUT_PLANE);
    compute_t best = POOL_MIN ? INFINITY : -INFINITY;
    int best_index = NO_INDEX;
    FOR_WINDOW_TAPS({
        const compute_t v = LOAD(in, OFFSET(at));
        const bool better = POOL_MIN ? v < best : v > best;
        const bool take = inside && (best_index < 0 || better || v != v);
        best = take ? v : best;
        best_index = take ? at : best_index;
    })
    STORE(output, o, best); // a stored value: exact in the type
    indices[o] = best_index;
}

// dX(d, h, w) = sum of dY over the windows whose winner is (d, h, w).
EXTREMUM_KERNEL void volume_indexed_backward(__global const store_t* grad_output,
                                      __global const int* indices,
                                      __global store_t* grad_input,
                                      VOLUME_SHAPES)
{
    ITEM(D, H, W, d, h, w, i)
    const offset_t out_base = BASE(OUTPUT_PLANE);
    const __global store_t* gy = grad_output + out_base;
    const __global int* idx = indices + out_base;
    const int self = (d * H + h) * W + w;
    compute_t sum = 0.0f;
    FOR_CANDIDATES(DD, DH, DW, {
        if (idx[OFFSET(o)] == self) {
            sum += LOAD(gy, OFFSET(o));
        }
    })
    STORE(grad_input, i, sum);
}

// The sum of the window's in-bounds taps over its divisor.
AVG_KERNEL void volume_avg_forward(__global const store_t* input,
                                 __global store_t* output,
                                 VOLUME_SHAPES,
                                 const int count_include_pad,
                                 const int divisor_override)
{
    ITEM(OD, OH, OW, od, oh, ow, o)
    const __global store_t* in = input + BASE(INPUT_PLANE);
    compute_t sum = 0.0f;
    FOR_WINDOW_TAPS({
        const compute_t v = LOAD(in, OFFSET(at));
        sum = inside ? sum + v : sum;
    })
    STORE(output, o, sum / (compute_t)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override));
}

// dX(d, h, w) = sum over the windows containing (d, h, w) of dY / divisor.
AVG_KERNEL void volume_avg_backward(__global const store_t* grad_output,
                                  __global store_t* grad_input,
                                  VOLUME_SHAPES,
                                  const int count_include_pad,
                                  const int divisor_override)
{
    ITEM(D, H, W, d, h, w, i)
    const __global store_t* gy = grad_output + BASE(OUTPUT_PLANE);
    compute_t sum = 0.0f;
    FOR_CANDIDATES(1, 1, 1, {
        sum += LOAD(gy, OFFSET(o)) / (compute_t)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);
    })
    STORE(grad_input, i, sum);
}

// LP pooling (PyTorch's lp_pool2d, and lp_pool3d with a depth), as direct.cl computes it:
// (avg(x^p) * taps)^(1/p), the average over in-bounds taps.
LP_KERNEL void volume_lp_forward(__global const store_t* input,
                                __global store_t* output,
                                VOLUME_SHAPES,
                                const compute_t p)
{
    ITEM(OD, OH, OW, od, oh, ow, o)
    const __global store_t* in = input + BASE(INPUT_PLANE);
    LP_NORM_CASES_OF(compute_t,
        compute_t sum = 0.0f;
        FOR_WINDOW_TAPS({
            const compute_t term = lp_power_c(LOAD(in, OFFSET(at)), norm);
            sum = inside ? sum + term : sum;
        })
        const compute_t mean = sum / (compute_t)WINDOW_DIVISOR(od, oh, ow, 1, 0);
        STORE(output, o, lp_power_c(mean * (compute_t)((long)KD * KH * KW), 1.0f / norm));
    )
}

// The chain rule through y = (K*avg(x^p))^(1/p), as direct.cl's lp_backward_gather forms it.
LP_KERNEL void volume_lp_backward(__global const store_t* grad_output,
                                 __global const store_t* input,
                                 __global const store_t* output,
                                 __global store_t* grad_input,
                                 VOLUME_SHAPES,
                                 const compute_t p)
{
    ITEM(D, H, W, d, h, w, i)
    const offset_t out_base = BASE(OUTPUT_PLANE);
    const compute_t taps = (compute_t)((long)KD * KH * KW);
    const compute_t x = LOAD(input, i);
    LP_NORM_CASES_OF(compute_t,
        compute_t sum = 0.0f;
        FOR_CANDIDATES(1, 1, 1, {
            const offset_t at = out_base + o * STEP;
            const compute_t scaled_mean = lp_power_c(LOAD(output, at), norm);
            if (scaled_mean != 0.0f) {
                const compute_t outer = LOAD(grad_output, at) * (taps / (compute_t)WINDOW_DIVISOR(od, oh, ow, 1, 0))
                        * lp_power_c(scaled_mean, 1.0f / norm - 1.0f);
                sum += outer * lp_power_c(x, norm - 1.0f);
            }
        })
        STORE(grad_input, i, sum);
    )
}

#if GPU_FAMILY && !CHANNELS_LAST
// ---- GPU family, channels first: ROWS outputs down a column per work-item ----------------------
// Windows that overlap down H share input rows: a work-item takes outputs oh0 .. oh0 + ROWS − 1
// of column ow and loads each input row of their joint span once (clamped, so in bounds), feeding
// every window that contains it. Per window the taps still come in depth, row, column order (rows
// ascend through the span), so results are the scalar kernels' bit for bit. With COLS_F > 1 a
// work-item takes COLS_F columns ow .. ow + COLS_F − 1 of those rows and loads each span row's
// SPAN_COLUMNS inputs once for all of them. Range: (ceil(OW/COLS_F), ceil(OH/ROWS), planes·OD),
// rounded up to work-groups. Rows past OH and columns past OW are computed from clamped loads and
// never stored; the host takes these kernels only when (OH − 1 + ROWS − 1)·SH + (KH − 1)·DH + 1
// and (OW − 1 + COLS_F − 1)·SW + (KW − 1)·DW + 1 fit an int (VolumeKernels), so none overflows.
#ifndef ROWS
#define ROWS 4
#endif
#define ROW_SPAN ((ROWS - 1) * SH + (KH - 1) * DH + 1)
// COLS_F: VolumeKernels' clpool.gpu.volumeForwardColumns, 1 unless a benchmark asks for 2 or 4
// (and then only where SPAN_COLUMNS is small: the span row is held in registers).
#ifndef COLS_F
#define COLS_F 1
#endif
#define SPAN_COLUMNS ((COLS_F - 1) * SW + (KW - 1) * DW + 1)

// A loop over a work-item's block of rows, columns or span row (a constant bound of at most 16)
// fully unrolled, so that the block's arrays are indexed by constants and stay in registers. The
// compiler may leave such a loop rolled where its body is large: clang's PTX of the average's
// forward kept its four sums in local memory while its last loop, a divisor per row, was rolled.
#define UNROLL_BLOCK _Pragma("unroll")

// A _rows work-item's sums, one per row, from 0. The loops over ROWS have constant bounds, so the
// per-row arrays stay in registers.
#define ZEROED_ROW_SUMS                                                                         \
    compute_t sum[ROWS];                                                                      \
    for (int j = 0; j < ROWS; j++) {                                                          \
        sum[j] = 0.0f;                                                                        \
    }

// A work-item's sums, one per element of its block of ROWS x COLS, from 0.
#define ZEROED_BLOCK_SUMS(COLS)                                                               \
    compute_t sum[ROWS][COLS];                                                                \
    for (int j = 0; j < ROWS; j++) {                                                          \
        for (int c = 0; c < (COLS); c++) {                                                    \
            sum[j][c] = 0.0f;                                                                 \
        }                                                                                     \
    }

// A _rows work-item over a tensor of SIZE_D x SIZE_H x SIZE_W per plane, PER_W columns of it per
// work-item, range (ceil(SIZE_W/PER_W), ceil(SIZE_H/ROWS), planes·SIZE_D): returns past the
// extent, else names its first column w, first row h0, depth d, plane and the offset `first` of
// its first element.
#define ROW_BLOCK_ITEM(SIZE_D, SIZE_H, SIZE_W, PER_W, d, h0, w, first)                          \
    if (get_global_id(0) >= (size_t)(((SIZE_W) + (PER_W) - 1) / (PER_W))                       \
            || get_global_id(1) >= (size_t)(((SIZE_H) + ROWS - 1) / ROWS)) {                  \
        return;                                                                               \
    }                                                                                         \
    const int w = (int)get_global_id(0) * (PER_W);                                            \
    const int h0 = (int)get_global_id(1) * ROWS;                                              \
    const offset_t slab = (offset_t)get_global_id(2);                                         \
    const int d = (int)(slab % (offset_t)(SIZE_D));                                           \
    const offset_t plane = slab / (offset_t)(SIZE_D);                                         \
    const offset_t first = (slab * (SIZE_H) + h0) * (SIZE_W) + w;

#define ROWS_ITEM                                                                               \
    ROW_BLOCK_ITEM(OD, OH, OW, COLS_F, od, oh0, ow, o0)                                       \
    const __global store_t* in = input + plane * INPUT_PLANE;

// Full unrolling of a _rows work-item's loops where they are small (every loop bound is a build
// constant), so the per-row arrays are indexed by constants. On an H100 (2026-11-27) the average's
// forward measured the same with it as without; max's forward gained with the row fold below,
// which the unrolled loops serve. Each factor is bounded first, so the product cannot wrap in the
// preprocessor's 64-bit arithmetic.
#define UNROLLED_SPAN_TAPS 64
#if KD <= UNROLLED_SPAN_TAPS && ROW_SPAN <= UNROLLED_SPAN_TAPS && KW <= UNROLLED_SPAN_TAPS \
        && KD * ROW_SPAN * KW <= UNROLLED_SPAN_TAPS
#define UNROLL_SPAN _Pragma("unroll")
#else
#define UNROLL_SPAN
#endif

// Visits the span's rows in depth, row order; ROW_BODY sees the row's r (0 .. ROW_SPAN − 1 from
// the first output's first tap row), h_in (the row lies inside the input), dc and hc (its clamped
// depth and row) and w0 (the first output's first tap column).
#define FOR_SPAN_ROWS(ROW_BODY)                                                               \
    const int d0 = od * SD - PD;                                                              \
    const int h0 = oh0 * SH - PH;                                                             \
    const int w0 = ow * SW - PW;                                                              \
    UNROLL_SPAN for (int kd = 0; kd < KD; kd++) {                                             \
        const int d = d0 + kd * DD;                                                           \
        const bool d_in = d >= 0 && d < D;                                                    \
        const int dc = clamp(d, 0, D - 1);                                                    \
        UNROLL_SPAN for (int r = 0; r < ROW_SPAN; r++) {                                      \
            const int h = h0 + r;                                                             \
            const bool h_in = d_in && h >= 0 && h < H;                                        \
            const int hc = clamp(h, 0, H - 1);                                                \
            ROW_BODY                                                                          \
        }                                                                                     \
    }

// Column s (0 .. SPAN_COLUMNS − 1) of the span row FOR_SPAN_ROWS gives: `inside` the input, `at`
// its (clamped) in-plane offset. SPAN_TAP: the first output's tap kw.
#define SPAN_COLUMN(s)                                                                        \
    const int w = w0 + (s);                                                                   \
    const bool inside = h_in && w >= 0 && w < W;                                              \
    const int at = (dc * H + hc) * W + clamp(w, 0, W - 1);
#define SPAN_TAP(kw) SPAN_COLUMN((kw) * DW)

// BODY runs for each output j whose window holds span row r (constant after unrolling).
#define FOR_ROWS_HOLDING(r, BODY)                                                             \
    UNROLL_SPAN for (int j = 0; j < ROWS; j++) {                                              \
        const int t = (r) - j * SH;                                                           \
        if (t >= 0 && t % DH == 0 && t / DH < KH) {                                           \
            BODY                                                                              \
        }                                                                                     \
    }

// Visits the span's taps in depth, row, column order; BODY runs for each output j whose window
// holds the row, with `v`, `inside` and `at` as FOR_WINDOW_TAPS gives them.
#define FOR_ROW_TAPS(BODY)                                                                    \
    FOR_SPAN_ROWS(                                                                            \
        UNROLL_SPAN for (int kw = 0; kw < KW; kw++) {                                         \
            SPAN_TAP(kw)                                                                      \
            const compute_t v = LOAD(in, at);                                                 \
            FOR_ROWS_HOLDING(r, BODY)                                                         \
        })

// The extremum rule, tap by tap and span row by span row alike: a candidate v (at `index`, taken
// only where `valid`) replaces the best so far when it is the first, strictly better, or NaN.
#define FOLD_EXTREMUM(best, best_index, v, index, valid)                                      \
    {                                                                                         \
        const bool better = POOL_MIN ? (v) < (best) : (v) > (best);                           \
        const bool take = (valid) && ((best_index) < 0 || better || (v) != (v));              \
        best = take ? (v) : (best);                                                           \
        best_index = take ? (index) : (best_index);                                           \
    }

#if COLS_F == 1
EXTREMUM_KERNEL void volume_extremum_forward_rows(__global const store_t* input,
                                           __global store_t* output,
                                           __global int* indices,
                                           VOLUME_SHAPES)
{
    ROWS_ITEM
    compute_t best[ROWS];
    int best_index[ROWS];
    for (int j = 0; j < ROWS; j++) {
        best[j] = POOL_MIN ? INFINITY : -INFINITY;
        best_index[j] = NO_INDEX;
    }
    // Each span row's best over its KW taps once, then folded into the outputs whose windows hold
    // the row: the same rule per fold, so the same value and index as tap by tap (direct.cl's
    // COLUMN_WINDOWS folds the same way).
    FOR_SPAN_ROWS({
        compute_t row_best = POOL_MIN ? INFINITY : -INFINITY;
        int row_index = NO_INDEX;
        UNROLL_SPAN for (int kw = 0; kw < KW; kw++) {
            SPAN_TAP(kw)
            const compute_t v = LOAD(in, at);
            FOLD_EXTREMUM(row_best, row_index, v, at, inside)
        }
        FOR_ROWS_HOLDING(r, FOLD_EXTREMUM(best[j], best_index[j], row_best, row_index, row_index >= 0))
    })
    for (int j = 0; j < ROWS; j++) { // constant bounds, so the arrays stay in registers
        if (oh0 + j < OH) {
            STORE(output, o0 + (offset_t)j * OW, best[j]);
            indices[o0 + (offset_t)j * OW] = best_index[j];
        }
    }
}

AVG_KERNEL void volume_avg_forward_rows(__global const store_t* input,
                                      __global store_t* output,
                                      VOLUME_SHAPES,
                                      const int count_include_pad,
                                      const int divisor_override)
{
    ROWS_ITEM
    ZEROED_ROW_SUMS
    FOR_ROW_TAPS({
        (void)at;
        sum[j] = inside ? sum[j] + v : sum[j];
    })
    UNROLL_BLOCK for (int j = 0; j < ROWS; j++) {
        if (oh0 + j < OH) {
            STORE(output, o0 + (offset_t)j * OW,
                  sum[j] / (compute_t)WINDOW_DIVISOR(od, oh0 + j, ow, count_include_pad, divisor_override));
        }
    }
}
#else
// COLS_F > 1: each span row's SPAN_COLUMNS inputs are loaded once (LOAD_SPAN_ROW), then every
// column's windows take their taps from them in the order above, so the same bits. The loops over
// the span row, the columns and the taps are unrolled, so the arrays are indexed by constants
// (VolumeKernels takes COLS_F > 1 only where SPAN_COLUMNS is at most 16).
#define LOAD_SPAN_ROW                                                                         \
    compute_t span_v[SPAN_COLUMNS];                                                           \
    bool span_in[SPAN_COLUMNS];                                                               \
    int span_at[SPAN_COLUMNS];                                                                \
    UNROLL_BLOCK for (int s = 0; s < SPAN_COLUMNS; s++) {                                     \
        SPAN_COLUMN(s)                                                                        \
        span_v[s] = LOAD(in, at);                                                             \
        span_in[s] = inside;                                                                  \
        span_at[s] = at;                                                                      \
    }

// Tap kw of column c's windows in the span row LOAD_SPAN_ROW holds: its index there.
#define SPAN_TAP_OF(c, kw) ((c) * SW + (kw) * DW)

EXTREMUM_KERNEL void volume_extremum_forward_rows(__global const store_t* input,
                                           __global store_t* output,
                                           __global int* indices,
                                           VOLUME_SHAPES)
{
    ROWS_ITEM
    compute_t best[ROWS][COLS_F];
    int best_index[ROWS][COLS_F];
    UNROLL_BLOCK for (int j = 0; j < ROWS; j++) {
        UNROLL_BLOCK for (int c = 0; c < COLS_F; c++) {
            best[j][c] = POOL_MIN ? INFINITY : -INFINITY;
            best_index[j][c] = NO_INDEX;
        }
    }
    FOR_SPAN_ROWS({
        LOAD_SPAN_ROW
        UNROLL_BLOCK for (int c = 0; c < COLS_F; c++) {
            compute_t row_best = POOL_MIN ? INFINITY : -INFINITY;
            int row_index = NO_INDEX;
            UNROLL_BLOCK for (int kw = 0; kw < KW; kw++) {
                const int s = SPAN_TAP_OF(c, kw);
                FOLD_EXTREMUM(row_best, row_index, span_v[s], span_at[s], span_in[s])
            }
            FOR_ROWS_HOLDING(r, FOLD_EXTREMUM(best[j][c], best_index[j][c], row_best, row_index, row_index >= 0))
        }
    })
    UNROLL_BLOCK for (int j = 0; j < ROWS; j++) { // constant bounds, so the arrays stay in registers
        UNROLL_BLOCK for (int c = 0; c < COLS_F; c++) {
            if (oh0 + j < OH && ow + c < OW) {
                STORE(output, o0 + (offset_t)j * OW + c, best[j][c]);
                indices[o0 + (offset_t)j * OW + c] = best_index[j][c];
            }
        }
    }
}

AVG_KERNEL void volume_avg_forward_rows(__global const store_t* input,
                                      __global store_t* output,
                                      VOLUME_SHAPES,
                                      const int count_include_pad,
                                      const int divisor_override)
{
    ROWS_ITEM
    ZEROED_BLOCK_SUMS(COLS_F)
    FOR_SPAN_ROWS({
        LOAD_SPAN_ROW
        UNROLL_BLOCK for (int c = 0; c < COLS_F; c++) {
            FOR_ROWS_HOLDING(r, {
                UNROLL_BLOCK for (int kw = 0; kw < KW; kw++) {
                    const int s = SPAN_TAP_OF(c, kw);
                    sum[j][c] = span_in[s] ? sum[j][c] + span_v[s] : sum[j][c];
                }
            })
        }
    })
    UNROLL_BLOCK for (int j = 0; j < ROWS; j++) {
        UNROLL_BLOCK for (int c = 0; c < COLS_F; c++) {
            if (oh0 + j < OH && ow + c < OW) {
                STORE(output, o0 + (offset_t)j * OW + c,
                      sum[j][c] / (compute_t)WINDOW_DIVISOR(od, oh0 + j, ow + c, count_include_pad, divisor_override));
            }
        }
    }
}
#endif

// Backward, ROWS input rows h0 .. h0 + ROWS − 1 of COLS_V columns w .. w + COLS_V − 1 per
// work-item: each window of the block's joint candidates (od, oh, ow ascending, the reference's
// order for every element) is read once and added to the elements it holds. Range:
// (ceil(W/COLS_V), ceil(H/ROWS), planes·D). The host takes these kernels only when
// H − 1 + ROWS − 1 + PH fits an int (VolumeKernels); elements past H or W are never stored.
// COLS_V: VolumeKernels' clpool.gpu.volumeColumns, 1 unless a benchmark asks for 2 or 4.
#ifndef COLS_V
#define COLS_V 1
#endif
// How many window positions along an axis can hold one of n consecutive inputs, for windows whose
// last tap lies extent_less_1 past their first and stride s: (n − 1 + extent_less_1)/s + 1
// exactly where s = 1, one more otherwise (the run need not start on a stride). Stride 1 used to
// take the one more too: a window past the block's last row, read (an average's division too) and
// added to no row.
#define CANDIDATE_SPAN(n, extent_less_1, s) (((n) - 1 + (extent_less_1)) / (s) + ((s) == 1 ? 1 : 2))
#define OH_SPAN CANDIDATE_SPAN(ROWS, (KH - 1) * DH, SH)
#define OW_SPAN CANDIDATE_SPAN(COLS_V, (KW - 1) * DW, SW)
// The first of those window positions, for a run whose first position plus padding less
// (K − 1)·dilation is x (stride s > 0): floor(x / s) (C's division truncates toward 0, which
// below 0 is not the floor).
#define FIRST_CANDIDATE(x, s) ((x) >= 0 ? (x) / (s) : -((-(x) + (s) - 1) / (s)))
// A backward _rows work-item's sums into its elements of grad_input that lie inside the input.
#define STORE_INPUT_ROWS                                                                        \
    for (int j = 0; j < ROWS; j++) {                                                          \
        for (int c = 0; c < COLS_V; c++) {                                                    \
            if (h0 + j < H && w + c < W) {                                                    \
                STORE(grad_input, i0 + (offset_t)j * W + c, sum[j][c]);                       \
            }                                                                                 \
        }                                                                                     \
    }
#define ROWS_BACKWARD_ITEM                                                                      \
    ROW_BLOCK_ITEM(D, H, W, COLS_V, d, h0, w, i0)                                             \
    const offset_t out_base = plane * OUTPUT_PLANE;

// FOR_ROWS_CANDIDATES's loops fully unrolled where small, as UNROLL_SPAN's: for the average only. On
// an H100 (3x3x3 s1 p1, 32x64x4x56x56, 2026-11-27) unrolling took the average's backward from 0.625
// to 0.564 ms but max's from 0.251 to 0.313 ms (each window's index and dY loads, all hoisted).
#if COLS_V == 1
#define CANDIDATE_COLUMNS KW
#else
#define CANDIDATE_COLUMNS OW_SPAN
#endif
#if KD <= UNROLLED_SPAN_TAPS && OH_SPAN <= UNROLLED_SPAN_TAPS \
        && CANDIDATE_COLUMNS <= UNROLLED_SPAN_TAPS && KD * OH_SPAN * CANDIDATE_COLUMNS <= UNROLLED_SPAN_TAPS
#define UNROLL_CANDIDATES _Pragma("unroll")
#else
#define UNROLL_CANDIDATES
#endif

// The window columns ow, ascending, that can hold the block's columns, with BODY for each: with
// one column the KW windows that hold it; with more the OW_SPAN from ow_first, the first that can
// (COLUMN_CANDIDATES_START, once per work-item; some may hold none of them: FOR_HELD_COLUMNS skips
// those). FOR_HELD_COLUMNS: BODY for each column c of the block inside window column ow (c is 0
// with one column).
#if COLS_V == 1
#define COLUMN_CANDIDATES_START(DIL_W)
#define FOR_COLUMN_CANDIDATES(UNROLL, DIL_W, BODY)                                              \
    UNROLL for (int kw = KW - 1; kw >= 0; kw--) {                                             \
        const int span_w = w + PW - kw * (DIL_W);                                             \
        if (span_w < 0 || span_w % SW != 0 || span_w / SW >= OW) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int ow = span_w / SW;                                                           \
        BODY                                                                                  \
    }
#define FOR_HELD_COLUMNS(UNROLL, DIL_W, BODY)                                                   \
    {                                                                                         \
        const int c = 0;                                                                      \
        BODY                                                                                  \
    }
#else
#define COLUMN_CANDIDATES_START(DIL_W)                                                          \
    const int ow_first = FIRST_CANDIDATE(w + PW - (KW - 1) * (DIL_W), SW);
#define FOR_COLUMN_CANDIDATES(UNROLL, DIL_W, BODY)                                              \
    UNROLL for (int qw = 0; qw < OW_SPAN; qw++) {                                             \
        const int ow = ow_first + qw;                                                         \
        if (ow < 0 || ow >= OW) {                                                             \
            continue;                                                                         \
        }                                                                                     \
        BODY                                                                                  \
    }
#define FOR_HELD_COLUMNS(UNROLL, DIL_W, BODY)                                                   \
    UNROLL for (int c = 0; c < COLS_V; c++) {                                                 \
        const int tw = w + c + PW - ow * SW;                                                  \
        if (tw >= 0 && tw % (DIL_W) == 0 && tw / (DIL_W) < KW) {                              \
            BODY                                                                              \
        }                                                                                     \
    }
#endif

// Visits the windows that can hold the block's elements at depth d in output order (each loop
// prefixed by UNROLL: UNROLL_CANDIDATES, or nothing); BODY runs for each element (j, c) inside
// window (od, oh, ow), with `o` the window's offset in its output plane.
#define FOR_ROWS_CANDIDATES(UNROLL, DIL_D, DIL_H, DIL_W, WINDOW_BODY, BODY)                   \
    const int oh_first = FIRST_CANDIDATE(h0 + PH - (KH - 1) * (DIL_H), SH);                   \
    COLUMN_CANDIDATES_START(DIL_W)                                                            \
    UNROLL for (int kd = KD - 1; kd >= 0; kd--) {                                             \
        const int span_d = d + PD - kd * (DIL_D);                                             \
        if (span_d < 0 || span_d % SD != 0 || span_d / SD >= OD) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int od = span_d / SD;                                                           \
        UNROLL for (int q = 0; q < OH_SPAN; q++) {                                            \
            const int oh = oh_first + q;                                                      \
            if (oh < 0 || oh >= OH) {                                                         \
                continue;                                                                     \
            }                                                                                 \
            FOR_COLUMN_CANDIDATES(UNROLL, DIL_W, {                                            \
                const int o = (od * OH + oh) * OW + ow;                                       \
                WINDOW_BODY                                                                   \
                UNROLL for (int j = 0; j < ROWS; j++) {                                       \
                    const int t = h0 + j + PH - oh * SH;                                      \
                    if (t >= 0 && t % (DIL_H) == 0 && t / (DIL_H) < KH) {                     \
                        FOR_HELD_COLUMNS(UNROLL, DIL_W, BODY)                                 \
                    }                                                                         \
                }                                                                             \
            })                                                                                \
        }                                                                                     \
    }

EXTREMUM_KERNEL void volume_indexed_backward_rows(__global const store_t* grad_output,
                                           __global const int* indices,
                                           __global store_t* grad_input,
                                           VOLUME_SHAPES)
{
    ROWS_BACKWARD_ITEM
    ZEROED_BLOCK_SUMS(COLS_V)
    const int self0 = (d * H + h0) * W + w; // element (j, c)'s in-plane offset: self0 + j·W + c (below D·H·W inside)
    FOR_ROWS_CANDIDATES(/* not unrolled */, DD, DH, DW,
        const int winner = indices[out_base + o];
        const compute_t g = LOAD(grad_output, out_base + o);,
        {
            if (winner == self0 + j * W + c) {
                sum[j][c] += g;
            }
        })
    STORE_INPUT_ROWS
}

AVG_KERNEL void volume_avg_backward_rows(__global const store_t* grad_output,
                                       __global store_t* grad_input,
                                       VOLUME_SHAPES,
                                       const int count_include_pad,
                                       const int divisor_override)
{
    ROWS_BACKWARD_ITEM
    ZEROED_BLOCK_SUMS(COLS_V)
    FOR_ROWS_CANDIDATES(UNROLL_CANDIDATES, 1, 1, 1,
        const compute_t share = LOAD(grad_output, out_base + o)
                / (compute_t)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);,
        {
            sum[j][c] += share;
        })
    STORE_INPUT_ROWS
}

#endif

#if !CHANNELS_LAST
#if DISJOINT_WINDOWS
// Disjoint windows channels first, one work-item per cell (CELLS): the GPU family's, and the CPU
// family's for float64 and where its 8-cell rows (_windows_w8, below) do not exist. The window's dY
// and index are loaded once, not once per position, and no position searches for its window.
// Range: (cells along W, cells along H, planes·cells along D), rounded up to work-groups on the
// GPU family.
#define CELL_ITEM                                                                             \
    if (get_global_id(0) >= (size_t)CELLS(W, PW, SW) || get_global_id(1) >= (size_t)CELLS(H, PH, SH)) { \
        return;                                                                               \
    }                                                                                         \
    const int cw = (int)get_global_id(0);                                                     \
    const int ch = (int)get_global_id(1);                                                     \
    const offset_t slab = (offset_t)get_global_id(2);                                         \
    const int cd = (int)(slab % (offset_t)CELLS(D, PD, SD));                                  \
    const offset_t plane = slab / (offset_t)CELLS(D, PD, SD);                                 \
    CELL_WINDOW(cd, ch, cw)                                                                   \
    const offset_t out_at = plane * OUTPUT_PLANE + (offset_t)((od * OH + oh) * OW + ow);      \
    const offset_t in_base = plane * INPUT_PLANE;

EXTREMUM_KERNEL void volume_indexed_backward_windows(__global const store_t* grad_output,
                                              __global const int* indices,
                                              __global store_t* grad_input,
                                              VOLUME_SHAPES)
{
    CELL_ITEM
    const compute_t gain = 0.0f + LOAD(grad_output, out_at); // the gather's 0 + dY
    const int winner = indices[out_at];
    FOR_CELL_POSITIONS(DD, DH, DW, {
        STORE(grad_input, in_base + at, tap && winner == at ? gain : 0.0f);
    })
}

AVG_KERNEL void volume_avg_backward_windows(__global const store_t* grad_output,
                                          __global store_t* grad_input,
                                          VOLUME_SHAPES,
                                          const int count_include_pad,
                                          const int divisor_override)
{
    CELL_ITEM
    const compute_t share = 0.0f + LOAD(grad_output, out_at)
            / (compute_t)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override);
    FOR_CELL_POSITIONS(1, 1, 1, {
        STORE(grad_input, in_base + at, tap ? share : 0.0f);
    })
}
#endif
#endif

// The 8-lane kernels below compute in float vectors (their masks are int8): not built for float64,
// which the host sends to the scalar kernels above (VolumeKernels.vectorized, forwardName), nor
// for the GPU family, which runs only the scalar kernels (a GPU build compiles for seconds).
#if !CHANNELS_LAST && STORAGE != 3 && !GPU_FAMILY
// ---- channels first, eight outputs of a row per work-item ---------------------------------------
// The forward's taps along W for 8 consecutive outputs lie in one contiguous span of the input
// row, loaded once (clamped into the row) and split into 8-lane vectors with compile-time lane
// offsets, as direct.cl's segment kernels do for float32; lanes past the row's end, and taps in
// the padding, are masked. Built only when the span fits (KernelSource.directSegmentKernels, the
// host's rule for direct.cl's SPAN). The rules per lane are the scalar kernels' above, in the
// same order, so results are bit for bit theirs. Range: (ceil(OW/8), OH, planes·OD). Lanes past
// OW compute columns up to 7·SW beyond the windows' reach: the host takes these kernels only when
// (OW + 7)·SW + DW·(KW − 1) + 1 still fits an int (VolumeKernels), so no column overflows; a lane
// past OW is never stored.
#define W8_SPAN (7 * SW + (KW - 1) * DW + 1)
#if W8_SPAN <= 128 && 8 * SW <= 128
#define W8_KERNELS 1
#define W8_LANES(a, first) (float8)(a[(first)], a[(first) + SW], a[(first) + 2 * SW], a[(first) + 3 * SW], \
                                    a[(first) + 4 * SW], a[(first) + 5 * SW], a[(first) + 6 * SW], a[(first) + 7 * SW])

// A work-item of 8 consecutive elements of a row of a SIZE_D×SIZE_H×SIZE_W volume (the 8-lane
// kernels' range: (ceil(SIZE_W/8), SIZE_H, planes·SIZE_D)): its first column w0, row h, slab
// plane·SIZE_D + d, and which of its 8 lanes exist.
#define EIGHT_OF_A_ROW(SIZE_D, SIZE_H, SIZE_W, w0, h, d)                                        \
    const int w0 = (int)get_global_id(0) * 8;                                                 \
    const int h = (int)get_global_id(1);                                                      \
    const ulong slab = get_global_id(2);                                                      \
    const int d = (int)(slab % (ulong)(SIZE_D));                                              \
    const ulong plane = slab / (ulong)(SIZE_D);                                               \
    if (h >= (SIZE_H)) {                                                                      \
        return;                                                                               \
    }                                                                                         \
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7);                                         \
    const int8 exists = (int8)(w0) + lane < (int8)(SIZE_W);

// The work-item's 8 outputs (ow0 .. ow0 + 7 of row oh, slab plane·OD + od), the lanes that exist,
// and its plane's input.
#define ITEM_W8                                                                                 \
    EIGHT_OF_A_ROW(OD, OH, OW, ow0, oh, od)                                                   \
    const __global store_t* in = input + plane * INPUT_PLANE;                                 \
    const ulong o = (slab * OH + oh) * OW + ow0;                                              \
    const int wbase = ow0 * SW - PW;                                                          \
    const bool span_inside = wbase >= 0 && wbase + W8_SPAN <= W;

// Visits the rows of window row (od, oh) that lie inside, loads each row's span into `a`, and
// gives BODY each kernel column's 8-lane `v`, its lanes' in-plane offsets `at` and `inside`. A span
// inside the row is read straight (contiguous loads); only one that reaches past a side is
// clamped, element by element: POCL turned the clamped loads into gathers, which took half of the
// 2x2x2 average forward's time (perf, skylake-avx512).
#define FOR_W8_TAPS(BODY)                                                                       \
    for (int kd = 0; kd < KD; kd++) {                                                         \
        const int d = od * SD - PD + kd * DD;                                                 \
        if (d < 0 || d >= D) {                                                                \
            continue;                                                                         \
        }                                                                                     \
        for (int kh = 0; kh < KH; kh++) {                                                     \
            const int h = oh * SH - PH + kh * DH;                                             \
            if (h < 0 || h >= H) {                                                            \
                continue;                                                                     \
            }                                                                                 \
            const __global store_t* row = in + (d * H + h) * W;                               \
            float a[W8_SPAN];                                                                 \
            if (span_inside) {                                                                \
                for (int i = 0; i < W8_SPAN; i++) {                                           \
                    a[i] = LOAD(row, wbase + i);                                              \
                }                                                                             \
            } else {                                                                          \
                for (int i = 0; i < W8_SPAN; i++) {                                           \
                    a[i] = LOAD(row, clamp(wbase + i, 0, W - 1));                             \
                }                                                                             \
            }                                                                                 \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const float8 v = W8_LANES(a, kw * DW);                                        \
                const int8 w = (int8)(wbase + kw * DW) + lane * (int8)(SW);                   \
                const int8 inside = exists & (w >= (int8)(0)) & (w < (int8)(W));              \
                const int8 at = (int8)((d * H + h) * W) + w;                                  \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// Stores the lanes that exist: one vector store for a whole segment, else lane by lane.
#define STORE_W8(values, indices_or_none)                                                       \
    if (ow0 + 8 <= OW) {                                                                      \
        STORE8(output, o, values);                                                            \
        indices_or_none                                                                       \
    } else {                                                                                  \
        const float lanes[8] = {values.s0, values.s1, values.s2, values.s3, values.s4, values.s5, values.s6, values.s7}; \
        for (int l = 0; l < 8 && ow0 + l < OW; l++) {                                         \
            STORE(output, o + l, lanes[l]);                                                   \
        }                                                                                     \
    }

#if DD == 1 && DH == 1 && DW == 1
// Undilated windows: every tap clamped into the input, so no tap needs an "inside" or "empty"
// test. Exact as direct.cl's ROWS_WINDOWS_FAST (its comment says why): a window is a contiguous
// run along each axis that meets the input (PoolSpec), so a clamped plane, row or column repeats
// the border one next to it in scan order, with its value and index, and the step is idempotent;
// folding a run twice is folding it once (the step is associative). So the first tap's (value,
// index) is taken outright and the walk steps over every tap from it, itself included. A span
// inside the row with stride 1 gives each tap's lanes as one unaligned vector load. On POCL
// skylake-avx512 (8x32x16x56x56) the checked walk took the 3x3x3 s1 p1 forward 98-121 ms, this
// one 66-76.
#define FOR_CLAMPED_W8_TAPS(LOAD8_, BODY)                                                       \
    for (int kd = 0; kd < KD; kd++) {                                                         \
        const int d = clamp(od * SD - PD + kd, 0, D - 1);                                     \
        for (int kh = 0; kh < KH; kh++) {                                                     \
            const int h = clamp(oh * SH - PH + kh, 0, H - 1);                                 \
            const int row_at = (d * H + h) * W;                                               \
            const __global store_t* row = in + row_at;                                        \
            float a[W8_SPAN];                                                                 \
            if (!span_inside) { /* two loops: a select of addresses became gathers */         \
                for (int i = 0; i < W8_SPAN; i++) {                                           \
                    a[i] = LOAD(row, clamp(wbase + i, 0, W - 1));                             \
                }                                                                             \
            } else if (SW != 1) {                                                             \
                for (int i = 0; i < W8_SPAN; i++) {                                           \
                    a[i] = LOAD(row, wbase + i);                                              \
                }                                                                             \
            }                                                                                 \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const float8 v = span_inside && SW == 1 ? LOAD8_(row, wbase + kw)             \
                                                        : W8_LANES(a, kw);                    \
                const int8 w = (int8)(wbase + kw) + lane * (int8)(SW);                        \
                const int8 at = (int8)(row_at) + (span_inside ? w : clamp(w, (int8)(0), (int8)(W - 1))); \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// Whether every tap of the work-item's windows lies inside the input (its lanes past OW aside):
// then the checked walk's masks hold in every stored lane, and the clamped one, whose clamps then
// change nothing, visits the same taps in the same order without them (the average and LP
// forward: sums of the same terms in the same order, so the same bits).
#define W8_WINDOWS_INSIDE                                                                       \
    (span_inside && od * SD - PD >= 0 && (long)od * SD - PD + KD <= D                         \
                 && oh * SH - PH >= 0 && (long)oh * SH - PH + KH <= H)
#define IF_W8_WINDOWS_INSIDE(WALK) if (W8_WINDOWS_INSIDE) { WALK } else
#endif
#ifndef IF_W8_WINDOWS_INSIDE
#define IF_W8_WINDOWS_INSIDE(WALK) /* dilated windows: the checked walk alone */
#endif

EXTREMUM_KERNEL void volume_extremum_forward_w8(__global const store_t* input,
                                         __global store_t* output,
                                         __global int* indices,
                                         VOLUME_SHAPES)
{
    ITEM_W8
#if DD == 1 && DH == 1 && DW == 1
    float8 best;
    int8 best_index;
    {
        const int d = clamp(od * SD - PD, 0, D - 1);
        const int h = clamp(oh * SH - PH, 0, H - 1);
        const int8 w = clamp((int8)(wbase) + lane * (int8)(SW), (int8)(0), (int8)(W - 1));
        const __global store_t* row = in + (d * H + h) * W;
        best = (float8)(LOAD(row, w.s0), LOAD(row, w.s1), LOAD(row, w.s2), LOAD(row, w.s3),
                        LOAD(row, w.s4), LOAD(row, w.s5), LOAD(row, w.s6), LOAD(row, w.s7));
        best_index = (int8)((d * H + h) * W) + w;
    }
    FOR_CLAMPED_W8_TAPS(LOAD8_COMPARED, {
        const int8 take = (POOL_MIN ? v < best : v > best) | (v != v);
        best = select(best, v, take);
        best_index = select(best_index, at, take);
    })
#else
    float8 best = (float8)(POOL_MIN ? INFINITY : -INFINITY);
    int8 best_index = (int8)(NO_INDEX);
    FOR_W8_TAPS({
        const int8 better = POOL_MIN ? v < best : v > best;
        const int8 take = inside & ((best_index < 0) | better | (v != v));
        best = select(best, v, take);
        best_index = select(best_index, at, take);
    })
#endif
    STORE_W8(best, vstore8(best_index, 0, indices + o);)
    if (ow0 + 8 > OW) {
        const int lanes[8] = {best_index.s0, best_index.s1, best_index.s2, best_index.s3,
                              best_index.s4, best_index.s5, best_index.s6, best_index.s7};
        for (int l = 0; l < 8 && ow0 + l < OW; l++) {
            indices[o + l] = lanes[l];
        }
    }
}

AVG_KERNEL void volume_avg_forward_w8(__global const store_t* input,
                                    __global store_t* output,
                                    VOLUME_SHAPES,
                                    const int count_include_pad,
                                    const int divisor_override)
{
    ITEM_W8
    float8 sum = (float8)(0.0f);
    IF_W8_WINDOWS_INSIDE(FOR_CLAMPED_W8_TAPS(LOAD8, {
        sum += v;
        (void)at;
    }))
    {
        FOR_W8_TAPS({
            sum = select(sum, sum + v, inside);
            (void)at;
        })
    }
    const float8 mean = sum / DIVISORS8(od, oh, ow0, count_include_pad, divisor_override);
    STORE_W8(mean, )
}

// LP pooling, volume_lp_forward's rule in its order, lane by lane (lp_power8: window.cl's
// lp_power's bits in every lane).
LP_KERNEL void volume_lp_forward_w8(__global const store_t* input,
                                   __global store_t* output,
                                   VOLUME_SHAPES,
                                   const float p)
{
    ITEM_W8
    LP_NORM_CASES_OF(float,
        float8 sum = (float8)(0.0f);
        IF_W8_WINDOWS_INSIDE(FOR_CLAMPED_W8_TAPS(LOAD8, {
            sum += lp_power8(v, norm);
            (void)at;
        }))
        {
            FOR_W8_TAPS({
                sum = select(sum, sum + lp_power8(v, norm), inside);
                (void)at;
            })
        }
        const float8 mean = sum / DIVISORS8(od, oh, ow0, 1, 0);
        STORE_W8(lp_power8(mean * (float)((long)KD * KH * KW), 1.0f / norm), )
    )
}
#endif

#if !DISJOINT_WINDOWS && SW <= 8
// Overlapping windows with a stride of at most 8 along W: the gather for 8 consecutive input
// elements of a row per work-item. Their candidate windows share od and oh. For kernel column kw,
// lane l (column w0 + l) has a window where SW divides w0 + l + PW − kw·DW: the lanes l ≡ `first`
// (mod SW), whose windows are consecutive outputs of one output row, lane l's ow0 + l / SW (stride
// 1: every lane, ow0 + l). So one vector load of dY (and indices) from ow0, spread to the lanes
// (SPREAD_W8), where the scalar gather, vectorized by POCL across work-items, gathered them. Each
// lane visits its candidates in the scalar gather's order (kd, kh, kw descending: od, oh, ow
// ascending) and adds the same terms, so the sums are its bits. Range: (ceil(W/8), H, planes·D);
// the host takes these kernels only when W + 8 fits an int (VolumeKernels).
#define GATHER_W8_ITEM                                                                        \
    EIGHT_OF_A_ROW(D, H, W, w0, h, d)                                                         \
    const ulong out_base = plane * OUTPUT_PLANE;                                              \
    float8 sum = (float8)(0.0f);

// Each lane's window among those from ow0 (l / SW), and its place among SW lanes (l % SW).
#define WINDOW_OF_LANE (int8)(0 / SW, 1 / SW, 2 / SW, 3 / SW, 4 / SW, 5 / SW, 6 / SW, 7 / SW)
#define PHASE_OF_LANE (int8)(0 % SW, 1 % SW, 2 % SW, 3 % SW, 4 % SW, 5 % SW, 6 % SW, 7 % SW)

// Windows ow0 .. ow0 + 7's values `name` (a type8) moved to the lanes: lane l takes window
// l / SW's (nothing to move with stride 1).
#define SPREAD_W8(name, type)                                                                 \
    if (SW > 1) {                                                                             \
        type windows_[8];                                                                     \
        vstore8(name, 0, windows_);                                                           \
        name = (type##8)(windows_[0 / SW], windows_[1 / SW], windows_[2 / SW], windows_[3 / SW], \
                         windows_[4 / SW], windows_[5 / SW], windows_[6 / SW], windows_[7 / SW]); \
    }

// The candidate output rows (od, oh) of row (d, h) and, per kernel column, the lanes' windows:
// BODY sees the output row's offset `orow` (in the plane), ow0 (the first lane's window), each
// lane's window `ow` and `valid` (the lane has a window, and it exists).
#define FOR_CANDIDATE_ROWS_W8(DIL_D, DIL_H, DIL_W, BODY)                                      \
    FOR_CANDIDATE_OUTPUT_ROWS(DIL_D, DIL_H, {                                                 \
        const int orow = (od * OH + oh) * OW;                                                 \
        for (int kw = KW - 1; kw >= 0; kw--) {                                                \
            const int reach = w0 + PW - kw * (DIL_W); /* lane l's window starts at reach + l */ \
            const int first = (SW - reach % SW) % SW; /* the first lane SW divides: −reach mod SW */ \
            const int ow0 = (reach + first) / SW;                                             \
            const int8 ow = (int8)(ow0) + WINDOW_OF_LANE;                                     \
            const int8 valid = exists & (PHASE_OF_LANE == (int8)(first))                      \
                    & (ow >= (int8)(0)) & (ow < (int8)(OW));                                  \
            const bool whole = ow0 >= 0 && ow0 <= OW - 8;                                     \
            BODY                                                                              \
        }                                                                                     \
    })

// The lanes' windows' values of output row orow, as `name`: one vector load of windows ow0 ..
// ow0 + 7 where all 8 lie in the row, spread to the lanes, else lane by lane from clamped
// columns (masked by `valid` afterwards).
#define ROW_LANES_W8(name, LOAD_ONE, LOAD_EIGHT, type)                                        \
    type##8 name;                                                                             \
    if (whole) {                                                                              \
        name = LOAD_EIGHT(orow + ow0);                                                        \
        SPREAD_W8(name, type)                                                                 \
    } else {                                                                                  \
        const int8 c = clamp(ow, (int8)(0), (int8)(OW - 1)) + (int8)(orow);                   \
        name = (type##8)(LOAD_ONE(c.s0), LOAD_ONE(c.s1), LOAD_ONE(c.s2), LOAD_ONE(c.s3),      \
                         LOAD_ONE(c.s4), LOAD_ONE(c.s5), LOAD_ONE(c.s6), LOAD_ONE(c.s7));     \
    }

// Stores the 8 sums (lanes past W are not stored).
#define STORE_GATHER_W8                                                                       \
    const ulong i = (slab * H + h) * W + w0;                                                  \
    if (w0 + 8 <= W) {                                                                        \
        STORE8(grad_input, i, sum);                                                           \
    } else {                                                                                  \
        const float lanes[8] = {sum.s0, sum.s1, sum.s2, sum.s3,                               \
                                sum.s4, sum.s5, sum.s6, sum.s7};                              \
        for (int l = 0; l < 8 && w0 + l < W; l++) {                                           \
            STORE(grad_input, i + l, lanes[l]);                                               \
        }                                                                                     \
    }

#define GRAD_ONE(at) LOAD(gy, at)
#define GRAD_EIGHT(at) LOAD8(gy, at)
#define INDEX_ONE(at) idx[at]
#define INDEX_EIGHT(at) vload8(0, idx + (at))

EXTREMUM_KERNEL void volume_indexed_backward_w8(__global const store_t* grad_output,
                                         __global const int* indices,
                                         __global store_t* grad_input,
                                         VOLUME_SHAPES)
{
    GATHER_W8_ITEM
    const __global store_t* gy = grad_output + out_base;
    const __global int* idx = indices + out_base;
    const int row_at = (d * H + h) * W;
    FOR_CANDIDATE_ROWS_W8(DD, DH, DW, {
        ROW_LANES_W8(winners, INDEX_ONE, INDEX_EIGHT, int)
        // winner − row_at, not row_at + w: both lie in the plane, so the difference fits an int.
        const int8 take = valid & (winners - (int8)(row_at) == (int8)(w0) + lane);
        // dY read whether or not a lane won: a branch on any(take) mispredicted (3x3x3 s1 p1 on
        // POCL skylake-avx512, 8x32x16x56x56: 151-161 ms with it, 61-74 without).
        ROW_LANES_W8(gains, GRAD_ONE, GRAD_EIGHT, float)
        sum = select(sum, sum + gains, take);
    })
    STORE_GATHER_W8
}

AVG_KERNEL void volume_avg_backward_w8(__global const store_t* grad_output,
                                     __global store_t* grad_input,
                                     VOLUME_SHAPES,
                                     const int count_include_pad,
                                     const int divisor_override)
{
    GATHER_W8_ITEM
    const __global store_t* gy = grad_output + out_base;
    FOR_CANDIDATE_ROWS_W8(1, 1, 1, {
        ROW_LANES_W8(gains, GRAD_ONE, GRAD_EIGHT, float)
        float8 divisors = DIVISORS8(od, oh, ow0, count_include_pad, divisor_override);
        SPREAD_W8(divisors, float)
        sum = select(sum, sum + gains / divisors, valid);
    })
    STORE_GATHER_W8
}

#define OUTPUT_ONE(at) LOAD(y, at)
#define OUTPUT_EIGHT(at) LOAD8(y, at)

// LP: volume_lp_backward's terms in its order, lane by lane (lp_power8: lp_power's bits per lane),
// each element's x^(p − 1) formed once.
LP_KERNEL void volume_lp_backward_w8(__global const store_t* grad_output,
                                    __global const store_t* input,
                                    __global const store_t* output,
                                    __global store_t* grad_input,
                                    VOLUME_SHAPES,
                                    const float p)
{
    GATHER_W8_ITEM
    const __global store_t* gy = grad_output + out_base;
    const __global store_t* y = output + out_base;
    const __global store_t* x_row = input + (slab * H + h) * W;
    const float taps = (float)((long)KD * KH * KW);
    float8 x;
    if (w0 + 8 <= W) {
        x = LOAD8(x_row, w0);
    } else {
        const int8 c = min((int8)(w0) + lane, (int8)(W - 1));
        x = (float8)(LOAD(x_row, c.s0), LOAD(x_row, c.s1), LOAD(x_row, c.s2), LOAD(x_row, c.s3),
                     LOAD(x_row, c.s4), LOAD(x_row, c.s5), LOAD(x_row, c.s6), LOAD(x_row, c.s7));
    }
    LP_NORM_CASES_OF(float,
        const float8 x_power = lp_power8(x, norm - 1.0f);
        FOR_CANDIDATE_ROWS_W8(1, 1, 1, {
            ROW_LANES_W8(gains, GRAD_ONE, GRAD_EIGHT, float)
            ROW_LANES_W8(outputs, OUTPUT_ONE, OUTPUT_EIGHT, float)
            const float8 scaled_mean = lp_power8(outputs, norm);
            float8 divisors = DIVISORS8(od, oh, ow0, 1, 0);
            SPREAD_W8(divisors, float)
            const float8 outer = gains * (taps / divisors)
                    * lp_power8(scaled_mean, 1.0f / norm - 1.0f);
            sum = select(sum, sum + outer * x_power, valid & (scaled_mean != (float8)(0.0f)));
        })
    )
    STORE_GATHER_W8
}
#endif

#if DISJOINT_WINDOWS && 8 * SW <= 64
// Disjoint windows, 8 cells of a cell row per work-item (the cells of _windows above): the 8
// windows' dY (and indices) are loaded once, and each input row the cells cover is written as one
// span of 8·SW consecutive positions, so the stores are contiguous; the scalar cells, vectorized
// by POCL across work-items, stored each position SW apart. On POCL skylake-avx512
// (8x32x16x56x56, 2x2x2) the average backward took 27-31 ms as a gather, 18-19 ms as scalar
// cells and 7.1 ms as rows of 8 cells; max 21-25 ms (gather or scalar cells) and 6.8-7.2 ms.
// Each position gets the scalar cell kernels' value, so the gathers' bits. Range: (ceil(cells
// along W / 8), cells along H, planes·cells along D). The host takes these kernels only when
// (cells along W + 8)·SW still fits an int (VolumeKernels), so no column overflows.
#define CELLS_W8_ITEM                                                                         \
    const int cw0 = (int)get_global_id(0) * 8;                                                \
    const int ch = (int)get_global_id(1);                                                     \
    const ulong slab = get_global_id(2);                                                      \
    const int cd = (int)(slab % (ulong)CELLS(D, PD, SD));                                     \
    const ulong plane = slab / (ulong)CELLS(D, PD, SD);                                       \
    const int od = min(cd, OD - 1);                                                           \
    const int oh = min(ch, OH - 1);                                                           \
    const bool row_windows = cd < OD && ch < OH;                                              \
    const int d0 = cd * SD - PD;                                                              \
    const int h0 = ch * SH - PH;                                                              \
    const int w0 = cw0 * SW - PW;                                                             \
    const ulong out_row = plane * OUTPUT_PLANE + (ulong)((od * OH + oh) * OW);                \
    const ulong in_base = plane * INPUT_PLANE;                                                \
    bool window[8];                                                                           \
    int ow[8];                                                                                \
    _Pragma("unroll") for (int l = 0; l < 8; l++) {                                           \
        window[l] = row_windows && cw0 + l < OW;                                              \
        ow[l] = min(cw0 + l, OW - 1);                                                         \
    }

// The cells' input rows inside the input, in depth then row order: VALUE(l, w, tap) is the value
// at column w = w0 + i of the row (lane l = i / SW; tap: a tap of lane l's window; row_at, the
// row's in-plane offset, is in scope), and the row's 8·SW positions are stored at once where they
// all lie inside the row, else one by one.
#define FOR_CELL_ROWS_W8(DIL_D, DIL_H, DIL_W, VALUE)                                          \
    UNROLL_CELL for (int td = 0; td < SD; td++) {                                             \
        UNROLL_CELL for (int th = 0; th < SH; th++) {                                         \
            if (td >= D - d0 || th >= H - h0 || d0 + td < 0 || h0 + th < 0) {                 \
                continue;                                                                     \
            }                                                                                 \
            const bool tap_row = td % (DIL_D) == 0 && td / (DIL_D) < KD                       \
                    && th % (DIL_H) == 0 && th / (DIL_H) < KH;                                \
            const int row_at = ((d0 + td) * H + h0 + th) * W;                                 \
            float v[8 * SW];                                                                  \
            _Pragma("unroll") for (int i = 0; i < 8 * SW; i++) {                              \
                const int l = i / SW;                                                         \
                const int tw = i % SW;                                                        \
                const bool tap = tap_row && window[l] && tw % (DIL_W) == 0                    \
                        && tw / (DIL_W) < KW;                                                 \
                v[i] = VALUE(l, w0 + i, tap);                                                 \
            }                                                                                 \
            __global store_t* row = grad_input + in_base + row_at;                            \
            if (w0 >= 0 && w0 <= W - 8 * SW) {                                                \
                for (int i = 0; i < 8 * SW; i++) {                                            \
                    STORE(row, w0 + i, v[i]);                                                 \
                }                                                                             \
            } else {                                                                          \
                for (int i = 0; i < 8 * SW; i++) {                                            \
                    if (w0 + i >= 0 && w0 + i < W) {                                          \
                        STORE(row, w0 + i, v[i]);                                             \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

// winner − row_at, not row_at + w: both offsets lie in the plane, so the difference fits an int.
#define INDEXED_CELL_VALUE(l, w, tap) ((tap) && winner[l] - row_at == (w) ? gain[l] : 0.0f)

EXTREMUM_KERNEL void volume_indexed_backward_windows_w8(__global const store_t* grad_output,
                                                 __global const int* indices,
                                                 __global store_t* grad_input,
                                                 VOLUME_SHAPES)
{
    CELLS_W8_ITEM
    float gain[8];
    int winner[8];
    _Pragma("unroll") for (int l = 0; l < 8; l++) {
        gain[l] = 0.0f + LOAD(grad_output, out_row + ow[l]); // the gather's 0 + dY
        winner[l] = indices[out_row + ow[l]];
    }
    FOR_CELL_ROWS_W8(DD, DH, DW, INDEXED_CELL_VALUE)
}

#define AVG_CELL_VALUE(l, w, tap) ((tap) ? share[l] : 0.0f)

AVG_KERNEL void volume_avg_backward_windows_w8(__global const store_t* grad_output,
                                             __global store_t* grad_input,
                                             VOLUME_SHAPES,
                                             const int count_include_pad,
                                             const int divisor_override)
{
    CELLS_W8_ITEM
    float share[8];
    _Pragma("unroll") for (int l = 0; l < 8; l++) {
        share[l] = 0.0f + LOAD(grad_output, out_row + ow[l])
                / (float)WINDOW_DIVISOR(od, oh, ow[l], count_include_pad, divisor_override);
    }
    FOR_CELL_ROWS_W8(1, 1, 1, AVG_CELL_VALUE)
}

// LP: volume_lp_backward's one term, 0 + outer · x^(p − 1), at each tap inside the input whose
// window's y^p is not 0 (LP has no padding: a ceil-mode window can reach past the input's end).
#define LP_CELL_VALUE(l, w, tap)                                                              \
    ((tap) && counts[l] && (w) < W                                                            \
            ? 0.0f + outer[l] * lp_power_c(LOAD(input + in_base + row_at, w), norm - 1.0f) : 0.0f)

LP_KERNEL void volume_lp_backward_windows_w8(__global const store_t* grad_output,
                                            __global const store_t* input,
                                            __global const store_t* output,
                                            __global store_t* grad_input,
                                            VOLUME_SHAPES,
                                            const float p)
{
    CELLS_W8_ITEM
    const float taps = (float)((long)KD * KH * KW);
    LP_NORM_CASES_OF(float,
        float outer[8];
        bool counts[8];
        for (int l = 0; l < 8; l++) {
            const float scaled_mean = lp_power_c(LOAD(output, out_row + ow[l]), norm);
            counts[l] = scaled_mean != 0.0f;
            outer[l] = LOAD(grad_output, out_row + ow[l])
                    * (taps / (float)WINDOW_DIVISOR(od, oh, ow[l], 1, 0))
                    * lp_power_c(scaled_mean, 1.0f / norm - 1.0f);
        }
        FOR_CELL_ROWS_W8(1, 1, 1, LP_CELL_VALUE)
    )
}
#endif
#endif

#ifndef CHANNEL_LANES
#define CHANNEL_LANES 8
#endif
#if CHANNELS_LAST && STORAGE != 3 && (!GPU_FAMILY || CHANNEL_LANES == 4)
// ---- channels last, eight (GPU family: four) channels per work-item ----------------------------
// When C is a multiple of the lanes (the host's rule, VolumeKernels), a work-item takes that many
// consecutive channels of one position: every tap is one vector load (coalesced along C), and the
// window's bounds are the same for all lanes, so padding taps are skipped as a whole. The rules
// per lane are the scalar kernels' above, in the same order, so results are bit for bit theirs.
// Range: (C/lanes, W, N·D·H) of the tensor the work-items write. The CPU family builds 8 lanes
// (_c8); the GPU family 4 (_c4) only where clpool.gpu.channelsPerItem asks (CHANNEL_LANES 4), and
// launches them in rounded work-groups, so its items check the range first.
#if CHANNEL_LANES == 4
typedef float4 floatc_t;
typedef int4 intc_t;
#define CHANNEL_KERNEL(name) name##_c4
#define lp_powerc lp_power4
#define VLOADC(p) vload4(0, (p))
#define VSTOREC(v, p) vstore4((v), 0, (p))
#if STORAGE == 0
#define LOADC(p, i) vload4(0, (p) + (i))
#define STOREC(p, i, v) vstore4((v), 0, (p) + (i))
#elif STORAGE == 1
#define LOADC(p, i) vload_half4(0, (p) + (i))
#define STOREC(p, i, v) vstore_half4_rte((v), 0, (p) + (i))
#else
#define LOADC(p, i) as_float4(convert_uint4(vload4(0, (p) + (i))) << 16) /* LOAD's widening, 4 lanes */
#define STOREC(p, i, v)                                                                         \
    do {                                                                                      \
        const float4 lanes_ = (v);                                                            \
        STORE(p, (i), lanes_.s0);                                                             \
        STORE(p, (i) + 1, lanes_.s1);                                                         \
        STORE(p, (i) + 2, lanes_.s2);                                                         \
        STORE(p, (i) + 3, lanes_.s3);                                                         \
    } while (0)
#endif
#define STOREC_EXACT STOREC
#define LOADC_COMPARED LOADC
#define CHANNEL_RANGE_CHECK(SIZE_W)                                                             \
    if (get_global_id(0) >= (size_t)(C / 4) || get_global_id(1) >= (size_t)(SIZE_W)) {       \
        return;                                                                               \
    }
#else
typedef float8 floatc_t;
typedef int8 intc_t;
#define CHANNEL_KERNEL(name) name##_c8
#define lp_powerc lp_power8
#define VLOADC(p) vload8(0, (p))
#define VSTOREC(v, p) vstore8((v), 0, (p))
#define LOADC LOAD8
#define LOADC_COMPARED LOAD8_COMPARED
#define STOREC STORE8
#define STOREC_EXACT STORE8_EXACT
#define CHANNEL_RANGE_CHECK(SIZE_W) /* the CPU family's range is exact */
#endif
#define ITEM8(SIZE_D, SIZE_H, SIZE_W, d, h, w, position)                                       \
    CHANNEL_RANGE_CHECK(SIZE_W)                                                               \
    const int channel = (int)get_global_id(0) * CHANNEL_LANES;                                \
    const int w = (int)get_global_id(1);                                                      \
    const offset_t row = get_global_id(2);                                                    \
    const int h = (int)(row % (offset_t)(SIZE_H));                                            \
    const int d = (int)(row / (offset_t)(SIZE_H) % (offset_t)(SIZE_D));                       \
    const offset_t sample = row / (offset_t)(SIZE_H) / (offset_t)(SIZE_D);                    \
    const offset_t position = (row * (SIZE_W) + w) * C + channel;

// The in-bounds taps of window (od, oh, ow) in depth, row, column order; BODY sees `at`. Skipped,
// not masked as FOR_WINDOW_TAPS does: the bounds are uniform across the 8 lanes, and the masked
// loop measured 8.6 ms against 6.4 ms for float32 NHWC 2x2 max forward (bench, POCL, 2026-11-26).
// On the CPU family a window wholly inside the input (INTERIOR_TAPS) visits its taps, in the same
// order, unchecked and unrolled (small windows): POCL keeps the checked loops rolled, a branch
// and flag per tap, which made bfloat16 NHWC 2x2 max forward 1.4x NCHW's time (bench, 2026-11-26).
#if GPU_FAMILY
#define INTERIOR_TAPS(BODY) /* the checked loops only */
#else
#if KD * KH * KW <= 32
#define UNROLL_TAPS _Pragma("unroll")
#else
#define UNROLL_TAPS
#endif
#define INTERIOR_TAPS(BODY)                                                                     \
    if (d0 >= 0 && d0 + (KD - 1) * DD < D && h0 >= 0 && h0 + (KH - 1) * DH < H && w0 >= 0      \
            && w0 + (KW - 1) * DW < W) {                                                      \
        UNROLL_TAPS for (int kd = 0; kd < KD; kd++) {                                         \
            UNROLL_TAPS for (int kh = 0; kh < KH; kh++) {                                     \
                UNROLL_TAPS for (int kw = 0; kw < KW; kw++) {                                 \
                    const int at = ((d0 + kd * DD) * H + h0 + kh * DH) * W + w0 + kw * DW;    \
                    BODY                                                                      \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    } else
#endif
#define FOR_INSIDE_TAPS(BODY)                                                                   \
    const int d0 = od * SD - PD;                                                              \
    const int h0 = oh * SH - PH;                                                              \
    const int w0 = ow * SW - PW;                                                              \
    INTERIOR_TAPS(BODY)                                                                       \
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

EXTREMUM_KERNEL void CHANNEL_KERNEL(volume_extremum_forward)(__global const store_t* input,
                                         __global store_t* output,
                                         __global int* indices,
                                         VOLUME_SHAPES)
{
    ITEM8(OD, OH, OW, od, oh, ow, o)
    const offset_t in_base = BASE(INPUT_PLANE);
    floatc_t best = (floatc_t)(POOL_MIN ? INFINITY : -INFINITY);
    intc_t best_index = (intc_t)(NO_INDEX);
    FOR_INSIDE_TAPS({
        const floatc_t v = LOADC_COMPARED(input, in_base + at * STEP);
        const intc_t better = POOL_MIN ? v < best : v > best;
        const intc_t take = (best_index < 0) | better | (v != v);
        best = select(best, v, take);
        best_index = select(best_index, (intc_t)(at), take);
    })
    STOREC_EXACT(output, o, best); // a loaded value or the start, both exact in the type
    VSTOREC(best_index, indices + o);
}

EXTREMUM_KERNEL void CHANNEL_KERNEL(volume_indexed_backward)(__global const store_t* grad_output,
                                         __global const int* indices,
                                         __global store_t* grad_input,
                                         VOLUME_SHAPES)
{
    ITEM8(D, H, W, d, h, w, i)
    const offset_t out_base = BASE(OUTPUT_PLANE);
    const intc_t self = (intc_t)((d * H + h) * W + w);
    floatc_t sum = (floatc_t)(0.0f);
    FOR_CANDIDATES(DD, DH, DW, {
        const offset_t at = out_base + o * STEP;
        const intc_t won = VLOADC(indices + at) == self;
        sum = select(sum, sum + LOADC(grad_output, at), won);
    })
#if DISJOINT_WINDOWS
    STOREC_EXACT(grad_input, i, sum); // disjoint windows: 0 or 0 + dY, exact in the type
#else
    STOREC(grad_input, i, sum);
#endif
}

AVG_KERNEL void CHANNEL_KERNEL(volume_avg_forward)(__global const store_t* input,
                                    __global store_t* output,
                                    VOLUME_SHAPES,
                                    const int count_include_pad,
                                    const int divisor_override)
{
    ITEM8(OD, OH, OW, od, oh, ow, o)
    const offset_t in_base = BASE(INPUT_PLANE);
    floatc_t sum = (floatc_t)(0.0f);
    FOR_INSIDE_TAPS({
        sum += LOADC(input, in_base + at * STEP);
    })
    STOREC(output, o, sum / (floatc_t)((float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override)));
}

AVG_KERNEL void CHANNEL_KERNEL(volume_avg_backward)(__global const store_t* grad_output,
                                     __global store_t* grad_input,
                                     VOLUME_SHAPES,
                                     const int count_include_pad,
                                     const int divisor_override)
{
    ITEM8(D, H, W, d, h, w, i)
    const offset_t out_base = BASE(OUTPUT_PLANE);
    floatc_t sum = (floatc_t)(0.0f);
    FOR_CANDIDATES(1, 1, 1, {
        sum += LOADC(grad_output, out_base + o * STEP)
                / (floatc_t)((float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override));
    })
    STOREC(grad_input, i, sum);
}

// LP pooling, volume_lp_forward's and volume_lp_backward's rules in their order, lane by lane
// (lp_powerc: window.cl's lp_power8 or lp_power4, the scalar lp_power's bits in every lane).
// The backward forms x^(p-1) once, not once per window: the same value each time.
LP_KERNEL void CHANNEL_KERNEL(volume_lp_forward)(__global const store_t* input,
                                   __global store_t* output,
                                   VOLUME_SHAPES,
                                   const float p)
{
    ITEM8(OD, OH, OW, od, oh, ow, o)
    const offset_t in_base = BASE(INPUT_PLANE);
    LP_NORM_CASES_OF(float,
        floatc_t sum = (floatc_t)(0.0f);
        FOR_INSIDE_TAPS({
            sum += lp_powerc(LOADC(input, in_base + at * STEP), norm);
        })
        const floatc_t mean = sum / (floatc_t)((float)WINDOW_DIVISOR(od, oh, ow, 1, 0));
        STOREC(output, o, lp_powerc(mean * (float)((long)KD * KH * KW), 1.0f / norm));
    )
}

LP_KERNEL void CHANNEL_KERNEL(volume_lp_backward)(__global const store_t* grad_output,
                                    __global const store_t* input,
                                    __global const store_t* output,
                                    __global store_t* grad_input,
                                    VOLUME_SHAPES,
                                    const float p)
{
    ITEM8(D, H, W, d, h, w, i)
    const offset_t out_base = BASE(OUTPUT_PLANE);
    const float taps = (float)((long)KD * KH * KW);
    const floatc_t x = LOADC(input, i);
    LP_NORM_CASES_OF(float,
        const floatc_t x_power = lp_powerc(x, norm - 1.0f);
        floatc_t sum = (floatc_t)(0.0f);
        FOR_CANDIDATES(1, 1, 1, {
            const offset_t at = out_base + o * STEP;
            const floatc_t scaled_mean = lp_powerc(LOADC(output, at), norm);
            const floatc_t outer = LOADC(grad_output, at) * (taps / (float)WINDOW_DIVISOR(od, oh, ow, 1, 0))
                    * lp_powerc(scaled_mean, 1.0f / norm - 1.0f);
            sum = select(sum, sum + outer * x_power, scaled_mean != (floatc_t)(0.0f));
        })
        STOREC(grad_input, i, sum);
    )
}

#if !GPU_FAMILY && DISJOINT_WINDOWS
// ---- channels last, disjoint windows: one work-item per window's cell (CPU family) ----------
// A work-item takes one cell's 8 channels (CELLS above), loads its window's dY (and indices) once
// and writes every position of the cell; the gathers above load them once per input position (4
// times for 2×2) and divide to find the window (bfloat16 NHWC 2×2 max backward took 1.19× NCHW's
// time, bench, POCL, 2026-11-26). Range: (C/8, cells along W, N·cells along D·cells along H).
#define CELL_ITEM                                                                             \
    const int channel = (int)get_global_id(0) * CHANNEL_LANES;                                \
    const int cw = (int)get_global_id(1);                                                     \
    const offset_t cell_row = get_global_id(2);                                               \
    const int ch = (int)(cell_row % (offset_t)CELLS(H, PH, SH));                              \
    const int cd = (int)(cell_row / (offset_t)CELLS(H, PH, SH) % (offset_t)CELLS(D, PD, SD)); \
    const offset_t sample = cell_row / (offset_t)CELLS(H, PH, SH) / (offset_t)CELLS(D, PD, SD); \
    CELL_WINDOW(cd, ch, cw)                                                                   \
    const offset_t out_at = BASE(OUTPUT_PLANE) + ((od * OH + oh) * OW + ow) * STEP;           \
    const offset_t in_base = BASE(INPUT_PLANE);

// The cell's gain where a lane's position won, else 0. A macro, not an #if in the body below: a
// directive inside a macro's arguments is undefined behaviour (clang -pedantic refuses it).
#if STORAGE == 1
#define STORE_WON_GAIN(p, i, won) STORE_BITS8(p, i, select((ushort8)(0), gain_bits, convert_short8(won)))
#else
#define STORE_WON_GAIN(p, i, won) STOREC_EXACT(p, i, select((floatc_t)(0.0f), gain, won))
#endif

EXTREMUM_KERNEL void volume_indexed_backward_windows_c8(__global const store_t* grad_output,
                                                 __global const int* indices,
                                                 __global store_t* grad_input,
                                                 VOLUME_SHAPES)
{
    CELL_ITEM
    const floatc_t gain = (floatc_t)(0.0f) + LOADC(grad_output, out_at); // the gather's 0 + dY
    const intc_t winner = VLOADC(indices + out_at);
#if STORAGE == 1
    // float16: the gain converted once and its bits stored, not converted again per position
    // (the same bits: +0 converts to 0x0000; per position it was 7% slower than the gather).
    const ushort8 gain_bits = float8_to_half8(gain);
#endif
    FOR_CELL_POSITIONS(DD, DH, DW, {
        const intc_t won = (winner == (intc_t)(at)) & (intc_t)(tap ? -1 : 0);
        STORE_WON_GAIN(grad_input, in_base + at * STEP, won);
    })
}

AVG_KERNEL void volume_avg_backward_windows_c8(__global const store_t* grad_output,
                                             __global store_t* grad_input,
                                             VOLUME_SHAPES,
                                             const int count_include_pad,
                                             const int divisor_override)
{
    CELL_ITEM
    const floatc_t share = (floatc_t)(0.0f) + LOADC(grad_output, out_at)
            / (floatc_t)((float)WINDOW_DIVISOR(od, oh, ow, count_include_pad, divisor_override));
    FOR_CELL_POSITIONS(1, 1, 1, {
        STOREC(grad_input, in_base + at * STEP, tap ? share : (floatc_t)(0.0f));
    })
}
#endif
#endif
