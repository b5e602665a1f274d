// DIRECT pooling: one pass, no column buffer. Forward reads each window straight from the input;
// backward is a gather per input element over the windows that can contain it, or, when windows
// cannot overlap (stride >= effective kernel), an elementwise map written per output window's
// stride band, so no zero-fill pass is needed.
//
// Why it is shaped like this (measured on POCL, the CPU device CI runs on):
// - The window geometry but padding is compile-time (one build per spec, cached by the host), so the tap loops
//   unroll and every division or modulo by a stride is by a constant: POCL's work-group vectorizer
//   declines kernels with a runtime division per work-item.
// - Ranges are 3-D: output column (dimension 0, so neighbouring work-items touch neighbouring
//   addresses: vector loads on a CPU, coalesced accesses on a GPU), output row, plane.
// - The "inner" kernels cover only output columns whose taps are all inside the input columns, so
//   they index without a column check and stay vectorizable; rows out of range are uniform across
//   dimension 0 and handled by clamping the row and masking the tap. The "edge" kernels do the
//   remaining columns with every check. Together they write each output exactly once.
// - NaN is tested as `v != v`, never isnan(): the builtin call blocked POCL's vectorizer (a 3x
//   difference) and the build never enables fast math, so both are the same test.
// - No fmax/fmin (they drop NaN), no float atomics: sums are formed in a fixed order (the
//   reference's window order), so two runs are bitwise equal.
// - Tensors are stored as window.cl's STORAGE says (float32, float16 or bfloat16, channels first)
//   and touched only through its LOAD/STORE/LOAD8/STORE8: values are computed in float and
//   rounded once, when stored. Index tensors are int in every type.
//
// Shapes are kernel arguments; offsets into a tensor are ulong. Defines, each with a default so
// this file compiles alone:
//   KH KW SH SW DH DW  the window: kernel, stride, dilation per axis (padding PH, PW is an argument,
//                      so specs that differ only in padding share a build)
//   STORAGE                  window.cl's storage type (0 float32, the default; 1 float16; 2 bfloat16)
//   POOL_MIN                 1: extremum kernels keep the minimum instead of the maximum
//   OP_KERNELS               window.cl's: the op whose kernels the build emits (all by default)
//   ROWS                     output rows per work-item of the row-block kernels (1: none built);
//                            the host sets it from the window alone (DirectKernels.rowsPerItem)
//   STRIPS                   1: the CPU family's max/min forward strips are built (without
//                            dilation; the host sets it from the window, DirectKernels.stripForward)
//   COLS                     output columns per work-item of the GPU family's forward block kernels
//                            (1, 2 or 4; DirectKernels.forwardColumns); CPU-family builds leave it at 1
//   BAND_COLS                windows per work-item of the GPU family's band (disjoint backward)
//                            kernels (1, 2 or 4; DirectKernels.bandColumns); 1 unless set
//   SUM_ROWS                 output rows per work-item of the CPU family's average and LP forward
//                            segments (DirectKernels.SUM_ROWS); 1 unless set
//   CPU_KERNELS              0: no segment kernels (SEGMENT_KERNELS), which only the CPU family
//                            runs; GPU-family builds set it (a 3x3 build on POCL: 8.5 s against 13.7)
//   FLAT_BLOCKS, FLAT_BANDS  1: the GPU family's column and block-gather kernels (FLAT_BLOCKS) or
//                            its band kernels (FLAT_BANDS) take GpuLaunchShape's flat range
//                            (BLOCK_ORIGIN); 0, the default: its tiled range
//
// Unrolling is bounded (issue 10): a fully unrolled 48x48 window made POCL's compiler recurse
// past an 8 MB thread stack (a SIGSEGV in the JVM that built it) and took 25 s to build. Loops
// over a window's taps are unrolled only when the window has at most UNROLL_TAPS taps, loops over
// a stride band only when the band has at most UNROLL_TAPS elements; larger ones stay loops. The
// segment kernels (CPU devices) load a span of SPAN elements per kernel row into a private array:
// they exist only when SPAN and SEGMENT * SW are at most SEGMENT_SPAN_MAX, i.e. when
// 7*SW + DW*(KW - 1) + 1 <= 128 and 8*SW <= 128 (KernelSource.directSegmentKernels, the rule the
// host follows before it asks for one).

#ifndef KH
#define KH 2
#endif
#ifndef KW
#define KW 2
#endif
#ifndef SH
#define SH 2
#endif
#ifndef SW
#define SW 2
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
#ifndef ROWS
#define ROWS 1
#endif
#ifndef STRIPS
#define STRIPS 1
#endif
#ifndef COLS
#define COLS 1
#endif
#ifndef BAND_COLS
#define BAND_COLS 1
#endif
#ifndef SUM_ROWS
#define SUM_ROWS 1
#endif
#ifndef CPU_KERNELS
#define CPU_KERNELS 1
#endif
#ifndef FLAT_BLOCKS
#define FLAT_BLOCKS 0
#endif
#ifndef FLAT_BANDS
#define FLAT_BANDS 0
#endif

// Round every product on its own, as the Java reference does: a fused a*b+c would round once.

#define NO_INDEX (-1)


// Integer arithmetic (issue 10). Coordinates and in-plane offsets are int; the host's checks make
// every one of them fit, for every shape it accepts (PoolSpec.outputShape, before any device work):
// - Window coordinates: o*S, a tap o*S - P + k*D, a window end o*S - P + K, a band row
//   o*S - P + r (r < S), H + P and h + P - k*D all lie in [-2^31 + 1, 2^31 - 1], because per axis
//   the padded input H + 2P and the reach (OH - 1)*S + max(S, D*(K - 1) + 1) are at most 2^31 - 1.
// - In-plane offsets h*W + w (and best_index, `at`) are formed only for taps inside the input,
//   or clamped into it, so 0 <= h*W + w < H*W <= 2^31 - 1 (the input plane limit); output
//   offsets oh*OW + ow < OH*OW <= 2^31 - 1 (the output plane limit).
// - Tap counts (KH*KW, a window's padded count) can pass 2^31 - 1: they are long.
// - Global ids along dimensions 0 and 1 are output or input columns and rows: below 2^31.
// - Offsets into a tensor (plane * H*W + ...) are ulong.

#define UNROLL_TAPS 64
#define SEGMENT_SPAN_MAX 128

// A hint to bring the cache line holding *p in early (the CPU family's strips); nothing where the
// compiler has no such builtin. A hint, never a read; the strips still keep p inside the input.
#if defined(__has_builtin)
#if __has_builtin(__builtin_prefetch)
#define PREFETCH(p) __builtin_prefetch(p)
#endif
#endif
#ifndef PREFETCH
#define PREFETCH(p)
#endif

// Full unrolling of the tap loops of small windows; larger windows are left to the compiler's
// own (size-bounded) heuristics. Preprocessor arithmetic is 64-bit, so KH * KW cannot wrap here.
#if KH * KW <= UNROLL_TAPS
#define UNROLL_WINDOW _Pragma("unroll")
#else
#define UNROLL_WINDOW
#endif
#if KW <= UNROLL_TAPS
#define UNROLL_ROW _Pragma("unroll")
#else
#define UNROLL_ROW
#endif
#if SH * SW <= UNROLL_TAPS
#define UNROLL_BAND _Pragma("unroll")
#else
#define UNROLL_BAND
#endif

// The output column of work-item `slot` of an edge launch: the `left` columns before the inner
// range, then the columns after the `skip` inner ones.
#define EDGE_COLUMN(slot, left, skip) ((slot) < (left) ? (slot) : (slot) + (skip))

// ---- forward -----------------------------------------------------------------------------------

// Max (min) of one window under PyTorch's rule: padding taps are skipped; the best starts at -inf
// (+inf) with the first in-bounds tap's index; a tap replaces it when strictly better or NaN, so
// ties keep the first tap and the last NaN owns the index. Loads always stay in bounds: the row
// is clamped and masked; columns are clamped only when CHECK_COLS (edge kernels). Written as a
// macro over the kernel's own variables: as a function with pointer results it kept POCL's
// vectorizer from vectorizing the work-item loop.
#define EXTREMUM_WINDOW(CHECK_COLS)                                                             \
    const __global store_t* in = input + plane * (ulong)H * W;                                  \
    float best = POOL_MIN ? INFINITY : -INFINITY;                                             \
    int best_index = NO_INDEX;                                                                \
    const int h0 = oh * SH - PH;                                                              \
    const int w0 = ow * SW - PW;                                                              \
    UNROLL_WINDOW                                                                             \
    for (int kh = 0; kh < KH; kh++) {                                                         \
        const int h = h0 + kh * DH;                                                           \
        const bool row_in = h >= 0 && h < H;                                                  \
        const int hc = clamp(h, 0, H - 1);                                                    \
        UNROLL_ROW                                                                            \
        for (int kw = 0; kw < KW; kw++) {                                                     \
            const int w = w0 + kw * DW;                                                       \
            const bool inside = (CHECK_COLS) ? row_in && w >= 0 && w < W : row_in;            \
            const int at = hc * W + ((CHECK_COLS) ? clamp(w, 0, W - 1) : w);                  \
            const float v = LOAD(in, at); /* at == h * W + w whenever the tap is inside */          \
            const bool better = POOL_MIN ? v < best : v > best;                               \
            const bool take = inside && (best_index < 0 || better || v != v);                 \
            best = take ? v : best;                                                           \
            best_index = take ? at : best_index;                                              \
        }                                                                                     \
    }                                                                                         \
    const ulong o = (plane * OH + oh) * (ulong)OW + ow;                                       \
    STORE(output, o, best);                                                                   \
    indices[o] = best_index;

EXTREMUM_KERNEL void extremum_forward_inner(__global const store_t* input, __global store_t* output, __global int* indices,
                                     const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int col0)
{
    const int ow = col0 + (int)get_global_id(0);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    EXTREMUM_WINDOW(false)
}

EXTREMUM_KERNEL void extremum_forward_edge(__global const store_t* input, __global store_t* output, __global int* indices,
                                    const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int left, const int skip)
{
    const int ow = EDGE_COLUMN((int)get_global_id(0), left, skip);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    EXTREMUM_WINDOW(true)
}

// GPU devices: a block of ROWS output rows x COLS output columns per work-item, in one launch
// over every block (ranges rounded up to whole work-groups; work-items past the output return),
// in explicit work-groups over (column blocks, row blocks). Each of the block's IN_ROWS_G input
// rows is loaded once into registers over the block's column span (SPAN_G taps; taps no output
// uses are dead loads the compiler drops) and folded, per output column, to a partial (value,
// index) over its KW taps, which each output row holding that input row takes in kh order: exact,
// for the reason given at extremum_forward_rows. ROWS = COLS = 1 is the plain work-item per
// output. Columns are checked only in work-items whose span reaches past the input's sides (a
// warp-uniform branch but at the row's ends), as offsets from w0 so nothing overflows an int;
// rows out of the input are read clamped and masked (COLUMN_ROW). Outputs of a block past OW or
// OH are not written. COLS (1, 2 or 4) is set by the host for the GPU family only
// (DirectKernels.forwardColumns); the kernels exist when IN_ROWS_G * KW <= UNROLL_TAPS
// (DirectKernels.columnKernel), whatever COLS.

// The GPU family's block kernels: the first column x0 and row y0 of a work-item's block of
// PER_X x PER_Y over an extent WIDTH x HEIGHT, and its plane; work-items past the extent return.
// FLAT 0, the tiled range (GpuLaunchShape): dimensions 0 and 1 count blocks along a row and down
// the columns. FLAT 1, the flat range: dimension 0 runs along G whole rows of blocks (G = its
// size over the blocks per row), dimension 1 counts such bands of rows, so a row's end leaves no
// warp idle. 32-bit division: the host keeps dimension 0 within an int.
#define BLOCK_ORIGIN(FLAT, x0, y0, PER_X, PER_Y, WIDTH, HEIGHT)                                 \
    const uint blocks_x_ = ((uint)(WIDTH) + (PER_X) - 1) / (PER_X);                           \
    const uint id_x_ = (uint)get_global_id(0);                                                \
    const uint x_block_ = (FLAT) ? id_x_ % blocks_x_ : id_x_;                                 \
    const uint y_block_ = (FLAT) ? (uint)get_global_id(1) * ((uint)get_global_size(0) / blocks_x_) + id_x_ / blocks_x_ \
                                 : (uint)get_global_id(1);                                    \
    const ulong plane = get_global_id(2);                                                     \
    if (x_block_ >= blocks_x_ || (ulong)y_block_ * (PER_Y) >= (ulong)(HEIGHT)) {              \
        return;                                                                               \
    }                                                                                         \
    const int x0 = (int)x_block_ * (PER_X);                                                   \
    const int y0 = (int)y_block_ * (PER_Y);

#define IN_ROWS_G ((ROWS - 1) * SH + (KH - 1) * DH + 1)
#define SPAN_G ((COLS - 1) * SW + (KW - 1) * DW + 1)

// Input row h (the block's row i) over its span into a[] (CHECK_COLS: clamped into the row)
// and, for each span offset, whether its tap lies inside the input. A row outside the input is
// read clamped and masked, never skipped, and where the block's rows fit PRELOAD_TAPS registers
// they are all loaded first (COLUMN_PRELOAD), in one basic block: so a work-item's loads are in
// flight at once (on the H200, rows loaded one branch at a time held the 3x3 stride 1 forward at
// 0.40 of copy: too few bytes in flight per work-item).
#define PRELOAD_TAPS 48 /* DirectKernels.PRELOAD_TAPS, which sizes ROWS by it */
#define SPAN_COLUMN(CHECK_COLS, s) ((CHECK_COLS) ? clamp((s), -w0, W - 1 - w0) : (s))
#if IN_ROWS_G * SPAN_G <= PRELOAD_TAPS
#define COLUMN_PRELOAD(CHECK_COLS)                                                              \
    float span_rows[IN_ROWS_G][SPAN_G];                                                       \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < IN_ROWS_G; i++) {                                                     \
        const int hc = clamp(oh0 * SH - PH + i, 0, H - 1);                                    \
        _Pragma("unroll")                                                                     \
        for (int s = 0; s < SPAN_G; s++) {                                                    \
            span_rows[i][s] = LOAD(in, hc * W + w0 + SPAN_COLUMN(CHECK_COLS, s));             \
        }                                                                                     \
    }
#define COLUMN_ROW(CHECK_COLS)                                                                  \
    const bool row_in = h >= 0 && h < H;                                                      \
    const float* a = span_rows[i];
#else
#define COLUMN_PRELOAD(CHECK_COLS)
#define COLUMN_ROW(CHECK_COLS)                                                                  \
    const bool row_in = h >= 0 && h < H;                                                      \
    const int hc = clamp(h, 0, H - 1);                                                        \
    float a[SPAN_G];                                                                          \
    _Pragma("unroll")                                                                         \
    for (int s = 0; s < SPAN_G; s++) {                                                        \
        a[s] = LOAD(in, hc * W + w0 + SPAN_COLUMN(CHECK_COLS, s));                            \
    }
#endif
#define SPAN_INSIDE(CHECK_COLS, s) (row_in && (!(CHECK_COLS) || ((s) >= -w0 && (s) < W - w0)))
#define SPAN_AT(CHECK_COLS, s) (h * W + w0 + SPAN_COLUMN(CHECK_COLS, s))

#define COLUMN_WINDOWS(CHECK_COLS)                                                              \
    COLUMN_PRELOAD(CHECK_COLS)                                                                \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < IN_ROWS_G; i++) {                                                     \
        const int h = oh0 * SH - PH + i;                                                      \
        COLUMN_ROW(CHECK_COLS)                                                                \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < COLS; c++) {                                                      \
            float pv = POOL_MIN ? INFINITY : -INFINITY;                                       \
            int pi = NO_INDEX;                                                                \
            UNROLL_ROW                                                                        \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const int s = c * SW + kw * DW;                                               \
                const float v = a[s];                                                         \
                const bool better = POOL_MIN ? v < pv : v > pv;                               \
                const bool take = SPAN_INSIDE(CHECK_COLS, s) && (pi < 0 || better || v != v); \
                pv = take ? v : pv;                                                           \
                pi = take ? SPAN_AT(CHECK_COLS, s) : pi;                                      \
            }                                                                                 \
            _Pragma("unroll")                                                                 \
            for (int r = 0; r < ROWS; r++) {                                                  \
                const int d = i - r * SH;                                                     \
                if (d >= 0 && d % DH == 0 && d / DH < KH) {                                   \
                    const bool better = POOL_MIN ? pv < best[r][c] : pv > best[r][c];         \
                    const bool take = pi >= 0 && (best_index[r][c] < 0 || better || pv != pv); \
                    best[r][c] = take ? pv : best[r][c];                                      \
                    best_index[r][c] = take ? pi : best_index[r][c];                          \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

// The block's first output (ow0, oh0), its input column w0 and whether its span needs column
// checks; returns from work-items past the output.
#define COLUMN_BLOCK_START                                                                      \
    BLOCK_ORIGIN(FLAT_BLOCKS, ow0, oh0, COLS, ROWS, OW, OH)                                   \
    const __global store_t* in = input + plane * (ulong)H * W;                                \
    const int w0 = ow0 * SW - PW;                                                             \
    const bool inner = w0 >= 0 && (long)w0 + (SPAN_G - 1) < W;

#if IN_ROWS_G * KW <= UNROLL_TAPS
EXTREMUM_KERNEL void extremum_forward_column(__global const store_t* input, __global store_t* output, __global int* indices,
                                      const int H, const int W, const int OH, const int OW, const int PH, const int PW)
{
    COLUMN_BLOCK_START
    float best[ROWS][COLS];
    int best_index[ROWS][COLS];
    _Pragma("unroll")
    for (int r = 0; r < ROWS; r++) {
        _Pragma("unroll")
        for (int c = 0; c < COLS; c++) {
            best[r][c] = POOL_MIN ? INFINITY : -INFINITY;
            best_index[r][c] = NO_INDEX;
        }
    }
    if (inner) {
        COLUMN_WINDOWS(false)
    } else {
        COLUMN_WINDOWS(true)
    }
    _Pragma("unroll")
    for (int r = 0; r < ROWS; r++) {
        _Pragma("unroll")
        for (int c = 0; c < COLS; c++) {
            if (oh0 + r < OH && ow0 + c < OW) {
                const ulong o = (plane * OH + oh0 + r) * (ulong)OW + ow0 + c;
                STORE(output, o, best[r][c]);
                indices[o] = best_index[r][c];
            }
        }
    }
}
#endif

// The same windows, SEGMENT consecutive outputs of a row per work-item, for CPU devices: the
// SEGMENT outputs' taps of one kernel row lie in one contiguous span of the input row, loaded once
// and split into vectors with compile-time lane offsets (explicit vectors: the compiler emits
// vector loads and shuffles instead of gathers). Only inner columns: every tap's column is inside.
#define SEGMENT 8
// The first `count` (at most SEGMENT) lanes of a segment's best values and indices, stored one by
// one from output offset o (a row's end: the segment's other lanes lie past it).
#define STORE_BEST_LANES(o, best, best_index, count)                                            \
    {                                                                                         \
        float values[SEGMENT];                                                                \
        int winners[SEGMENT];                                                                 \
        vstore8((best), 0, values);                                                           \
        vstore8((best_index), 0, winners);                                                    \
        for (int j = 0; j < (count); j++) {                                                   \
            STORE(output, (o) + j, values[j]);                                                \
            indices[(o) + j] = winners[j];                                                    \
        }                                                                                     \
    }
#define SPAN ((SEGMENT - 1) * SW + (KW - 1) * DW + 1)
#define LANES8(a, first) (float8)(a[(first)], a[(first) + SW], a[(first) + 2 * SW], a[(first) + 3 * SW], \
                                  a[(first) + 4 * SW], a[(first) + 5 * SW], a[(first) + 6 * SW], a[(first) + 7 * SW])

// Inner segments whose taps are whole vector loads: stride 1 (tap `first`'s 8 lanes are
// consecutive: one unaligned load) and stride 2 (every other column: the even lanes of two loads
// at w0 for the first tap, else the odd lanes of two loads from w0 + first - 1, which stay in the
// span where loads from w0 + first would read one column past it; a window one column wide has a
// span of 15, so it keeps the span form). The others build each tap's lanes from a span loaded
// element by element, which the compiler vectorizes for float32 but not for float16: POCL's
// scalar vload_half is a library routine, vload_half8 one F16C instruction.
// Stride 2's vector taps on POCL skylake-avx512, float32 32x64x112x112: the stem's (3x3 s2 p1)
// forward 12.6-14.0 ms -> 5.1-8.9, 2x2 average 5.6-9.8 -> 4.4-6.2. LOAD8_: LOAD8 or LOAD8_COMPARED.
#if SW == 1
#define SEGMENT_VECTOR_TAPS 1
#define TAP_LANES(LOAD8_, row, w0, first) LOAD8_(row, (w0) + (first))
#elif SW == 2 && KW > 1
#define SEGMENT_VECTOR_TAPS 1
#define TAP_LANES(LOAD8_, row, w0, first)                                                       \
    ((first) == 0 ? (float8)(LOAD8_(row, w0).even, LOAD8_(row, (w0) + 8).even)                \
                  : (float8)(LOAD8_(row, (w0) + (first) - 1).odd, LOAD8_(row, (w0) + (first) + 7).odd))
#else
#define SEGMENT_VECTOR_TAPS 0
#define TAP_LANES(LOAD8_, row, w0, first) LANES8(a, first) /* the caller's span a[] */
#endif
#define SEGMENT_TAPS(row, w0, kw) TAP_LANES(LOAD8, row, w0, (kw) * DW)

// Every tap of one segment's 8 windows, kernel rows then columns (the reference's order),
// padding rows skipped: BODY sees the input row h, the tap's 8 lanes v (GUARDED, for edge
// segments: the span loaded with every column checked, 0 outside) and their columns wl (long: an
// edge segment's lanes past the row's end may lie past 2^31 - 1).
#define SEGMENT_TAPS_FOR_EACH(GUARDED, BODY)                                                  \
    UNROLL_WINDOW                                                                             \
    for (int kh = 0; kh < KH; kh++) {                                                         \
        SEGMENT_ROW_TAPS(GUARDED, oh, BODY)                                                   \
    }
// Kernel row kh of output row oh's segment (SEGMENT_TAPS_FOR_EACH's body): nothing where it is a
// padding row, none of whose taps exists.
#define SEGMENT_ROW_TAPS(GUARDED, oh, BODY)                                                   \
    {                                                                                         \
        const int h = (oh) * SH - PH + kh * DH;                                               \
        if (h >= 0 && h < H) {                                                                \
            const __global store_t* row = in + h * W;                                         \
            float a[SPAN];                                                                    \
            if ((GUARDED) || !SEGMENT_VECTOR_TAPS) {                                          \
                LOAD_SPAN(a, SPAN, row, w0 + i, !(GUARDED) || ((long)w0 + i >= 0 && (long)w0 + i < W)) \
            }                                                                                 \
            _Pragma("unroll")                                                                 \
            for (int kw = 0; kw < KW; kw++) {                                                 \
                const float8 v = (GUARDED) ? LANES8(a, kw * DW) : SEGMENT_TAPS(row, w0, kw);  \
                const long8 wl = (long8)((long)w0 + kw * DW) + convert_long8(lane);           \
                BODY                                                                          \
            }                                                                                 \
        }                                                                                     \
    }

// One segment's windows into best/best_index; GUARDED checks every column (edge segments).
#define SEGMENT_WINDOWS(GUARDED)                                                                \
    SEGMENT_TAPS_FOR_EACH(GUARDED, {                                                          \
        const int8 w = (GUARDED) ? convert_int8(clamp(wl, (long8)(0), (long8)(W - 1)))         \
                                 : (int8)(w0 + kw * DW) + lane;                               \
        const int8 better = POOL_MIN ? v < best : v > best;                                   \
        const int8 inside = (GUARDED) ? convert_int8((wl >= 0) & (wl < (long8)(W))) : (int8)(-1); \
        const int8 take = inside & ((best_index < 0) | better | (v != v));                    \
        best = select(best, v, take);                                                         \
        best_index = select(best_index, h * W + w, take);                                     \
    })

// Tap `first` of an inner segment's 8 lanes, for comparing (LOAD8_COMPARED: float16 NaN tests
// stay float compares): TAP_LANES, or its span a[] where taps are not vector loads.
#define INTERIOR_TAP_COMPARED(row, a, first) TAP_LANES(LOAD8_COMPARED, row, w0, first)

#if SPAN <= SEGMENT_SPAN_MAX && SEGMENT * SW <= SEGMENT_SPAN_MAX && CPU_KERNELS
#define SEGMENT_KERNELS 1
#else
#define SEGMENT_KERNELS 0
#endif

#if SEGMENT_KERNELS
// Slots [0, left_slots) are edge segments from column 0 up to `first`; the next inner/SEGMENT
// slots are inner segments from `first`; the rest are edge segments from first + inner up to OW.
// Edge and inner segments of a row run in one work-group, so the edges find the row in cache:
// launched on their own, their scattered accesses waited on memory (the 2% of columns that are
// edges took longer than the rest). SEGMENT_SLOT: slot get_global_id(0)'s first output column
// ow0, the end of its run of columns, and whether it is an edge segment.
#define SEGMENT_SLOT                                                                            \
    const int slot = (int)get_global_id(0);                                                   \
    const int inner_slots = inner / SEGMENT;                                                  \
    const bool edge = slot < left_slots || slot >= left_slots + inner_slots;                  \
    const int ow0 = slot < left_slots ? slot * SEGMENT : first + (slot - left_slots) * SEGMENT; \
    const int end = slot < left_slots ? first : OW;

EXTREMUM_KERNEL void extremum_forward_segment(__global const store_t* input, __global store_t* output, __global int* indices,
                                       const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                       const int first, const int inner, const int left_slots)
{
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    SEGMENT_SLOT
    const __global store_t* in = input + plane * (ulong)H * W;
    const int w0 = ow0 * SW - PW;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;
    float8 best = (float8)(POOL_MIN ? INFINITY : -INFINITY);
    int8 best_index = (int8)(NO_INDEX);
    const ulong o = (plane * OH + oh) * (ulong)OW + ow0;
    if (!edge) {
        SEGMENT_WINDOWS(false)
        STORE8(output, o, best);
        vstore8(best_index, 0, indices + o);
    } else {
        SEGMENT_WINDOWS(true)
        STORE_BEST_LANES(o, best, best_index, min(SEGMENT, end - ow0))
    }
}
#endif

#if SEGMENT_KERNELS
// Segments of ROWS output rows (CPU devices, windows that overlap down the columns): a work-item
// takes 8 columns of ROWS consecutive output rows, loads each of their IN_ROWS input rows once
// (not KH times) and reduces each input row's KW taps to one partial (value, index) per lane,
// which every output row that holds that input row then takes in kh order. This is exact:
// the step "take x when the best is empty, x is better, or x is NaN" is associative (it picks the
// leftmost best under a strict weak order, and the last NaN absorbs everything before it), so
// folding a row's taps first and then the rows gives the same value and index as the scan over
// the window's taps in (kh, kw) order: ties keep the first tap, the last NaN owns the index.
// For 3x3 stride 1 and ROWS = 4: 6 rows loaded and 12 + 8 compare-selects for 4 outputs, where
// 4 one-row segments load 12 rows and do 32.
#define IN_ROWS ((ROWS - 1) * SH + (KH - 1) * DH + 1)

// The partial of input row h over one segment: pv/pi, index -1 for a lane with no tap inside.
// GUARDED (edge segments): every load is clamped into the row and every tap masked, with offsets
// relative to w0 so nothing overflows an int (-w0 and W - w0 fit: w0 >= -PW and W + PW fits);
// branch-free and in int lanes (it used per-element branches and long8 lanes). Only dilated
// windows take this form; the others take ROWS_WINDOWS_FAST.
#define ROW_PARTIAL(GUARDED)                                                                    \
    const __global store_t* row = in + h * W;                                                 \
    float a[SPAN];                                                                            \
    if ((GUARDED) || SW != 1) {                                                               \
        LOAD_SPAN(a, SPAN, row, w0 + ((GUARDED) ? clamp(i, -w0, W - 1 - w0) : i), 1)         \
    }                                                                                         \
    float8 pv = (float8)(POOL_MIN ? INFINITY : -INFINITY);                                    \
    int8 pi = (int8)(NO_INDEX);                                                               \
    _Pragma("unroll")                                                                         \
    for (int kw = 0; kw < KW; kw++) {                                                         \
        /* stride 1 inside the row: each tap's 8 lanes are one unaligned vector load */       \
        const float8 v = (GUARDED) || SW != 1 ? LANES8(a, kw * DW) : LOAD8(row, w0 + kw * DW); \
        const int8 off = (int8)(kw * DW) + lane; /* the lanes' columns minus w0 */            \
        const int8 w = (GUARDED) ? clamp(off, (int8)(-w0), (int8)(W - 1 - w0)) + (int8)(w0)   \
                                 : (int8)(w0) + off;                                          \
        const int8 better = POOL_MIN ? v < pv : v > pv;                                       \
        const int8 inside = (GUARDED) ? (off >= (int8)(-w0)) & (off < (int8)(W - w0)) : (int8)(-1); \
        const int8 take = inside & ((pi < 0) | better | (v != v));                            \
        pv = select(pv, v, take);                                                             \
        pi = select(pi, h * W + w, take);                                                     \
    }

#define ROWS_WINDOWS(GUARDED)                                                                   \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < IN_ROWS; i++) {                                                       \
        const int h = oh0 * SH - PH + i;                                                      \
        if (h < 0 || h >= H) {                                                                \
            continue; /* a padding row: none of its taps exists */                            \
        }                                                                                     \
        ROW_PARTIAL(GUARDED)                                                                  \
        _Pragma("unroll")                                                                     \
        for (int r = 0; r < ROWS; r++) {                                                      \
            const int d = i - r * SH; /* kh * DH for output row oh0 + r */                    \
            if (d >= 0 && d % DH == 0 && d / DH < KH) {                                       \
                const int8 better = POOL_MIN ? pv < best[r] : pv > best[r];                   \
                const int8 take = (pi >= 0) & ((best_index[r] < 0) | better | (pv != pv));     \
                best[r] = select(best[r], pv, take);                                          \
                best_index[r] = select(best_index[r], pi, take);                              \
            }                                                                                 \
        }                                                                                     \
    }

// ROWS_WINDOWS without the checks. Unclamped (CLAMPED false): an inner segment whose IN_ROWS
// input rows all lie inside the input (all but a plane's top and bottom blocks), so every tap
// exists. CLAMPED (the other segments, only without dilation): rows and columns outside the input
// are clamped to its border. Exact because each window is a contiguous run of rows and of columns
// that meets the input (PoolSpec: windows start inside the input or its leading padding, padding
// is at most half the kernel), so a clamped tap repeats, with the same value and index, the
// border tap next to it in scan order, and the step is idempotent: taking the same (value, index)
// twice in a row changes nothing. So a row's first tap and a window's first row are taken
// outright and the rest need no "empty" or "inside" test: 2 compares, an or and 2 selects per step
// where the checked form does 4 compares, 2 ors, an and and long8 index arithmetic (skipping the
// 2 checked edge segments of a 112-column row made the 3x3 stride 1 launch about a third faster).
#define BETTER_OR_NAN(x, y) ((POOL_MIN ? (x) < (y) : (x) > (y)) | ((x) != (x)))

// The partial (pv, pi) of input row h, inside the input, over the segment at w0: the step over
// its KW taps in kw order, the first taken outright. CLAMPED: columns clamped into the row (exact
// as above), the span loaded element by element; otherwise every tap lies inside.
#define ROW_PARTIAL_FAST(CLAMPED)                                                               \
    {                                                                                         \
        const __global store_t* row = in + h * W;                                             \
        float a[SPAN]; /* clamped or no vector taps: the span loaded once, split into lanes */ \
        if ((CLAMPED) || !SEGMENT_VECTOR_TAPS) {                                              \
            LOAD_SPAN(a, SPAN, row, w0 + ((CLAMPED) ? clamp(i, -w0, W - 1 - w0) : i), 1)     \
        }                                                                                     \
        /* the lanes' columns minus w0, clamped so w0 + column stays in the row */            \
        const int8 at0 = (int8)(h * W + w0) + ((CLAMPED) ? clamp(lane, (int8)(-w0), (int8)(W - 1 - w0)) : lane); \
        pv = (CLAMPED) ? LANES8(a, 0) : INTERIOR_TAP_COMPARED(row, a, 0);                     \
        pi = at0;                                                                             \
        _Pragma("unroll")                                                                     \
        for (int kw = 1; kw < KW; kw++) {                                                     \
            const float8 v = (CLAMPED) ? LANES8(a, kw * DW) : INTERIOR_TAP_COMPARED(row, a, kw * DW); \
            const int8 take = BETTER_OR_NAN(v, pv);                                           \
            const int8 at = (CLAMPED) ? (int8)(h * W + w0) + clamp((int8)(kw * DW) + lane, (int8)(-w0), (int8)(W - 1 - w0)) \
                                      : at0 + (int8)(kw * DW);                                \
            pv = select(pv, v, take);                                                         \
            pi = select(pi, at, take);                                                        \
        }                                                                                     \
    }

#define ROWS_WINDOWS_FAST(CLAMPED)                                                              \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < IN_ROWS; i++) {                                                       \
        const int h = (CLAMPED) ? clamp(oh0 * SH - PH + i, 0, H - 1) : oh0 * SH - PH + i;     \
        float8 pv;                                                                            \
        int8 pi;                                                                              \
        ROW_PARTIAL_FAST(CLAMPED)                                                             \
        _Pragma("unroll")                                                                     \
        for (int r = 0; r < ROWS; r++) {                                                      \
            const int d = i - r * SH; /* kh * DH for output row oh0 + r */                    \
            if (d == 0) {                                                                     \
                best[r] = pv;                                                                 \
                best_index[r] = pi;                                                           \
            } else if (d > 0 && d % DH == 0 && d / DH < KH) {                                 \
                const int8 take = BETTER_OR_NAN(pv, best[r]);                                 \
                best[r] = select(best[r], pv, take);                                          \
                best_index[r] = select(best_index[r], pi, take);                              \
            }                                                                                 \
        }                                                                                     \
    }

#if ROWS > 1
// Slots as in extremum_forward_segment; dimension 1 is the block of rows oh0 = ROWS * id.
EXTREMUM_KERNEL void extremum_forward_rows(__global const store_t* input, __global store_t* output, __global int* indices,
                                    const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                    const int first, const int inner, const int left_slots)
{
    const int oh0 = (int)get_global_id(1) * ROWS;
    const ulong plane = get_global_id(2);
    SEGMENT_SLOT
    const __global store_t* in = input + plane * (ulong)H * W;
    const int w0 = ow0 * SW - PW;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;
    float8 best[ROWS];
    int8 best_index[ROWS];
    _Pragma("unroll")
    for (int r = 0; r < ROWS; r++) {
        best[r] = (float8)(POOL_MIN ? INFINITY : -INFINITY);
        best_index[r] = (int8)(NO_INDEX);
    }
    const bool rows_inside = oh0 * SH - PH >= 0 && (long)oh0 * SH - PH + IN_ROWS <= H;
    if (!edge && rows_inside) {
        ROWS_WINDOWS_FAST(false)
    } else if (DH == 1 && DW == 1) {
        ROWS_WINDOWS_FAST(true)
    } else if (!edge) {
        ROWS_WINDOWS(false)
    } else {
        ROWS_WINDOWS(true)
    }
    if (!edge) {
        _Pragma("unroll")
        for (int r = 0; r < ROWS; r++) {
            if (oh0 + r < OH) {
                const ulong o = (plane * OH + oh0 + r) * (ulong)OW + ow0;
                STORE8(output, o, best[r]);
                vstore8(best_index[r], 0, indices + o);
            }
        }
    } else {
        _Pragma("unroll")
        for (int r = 0; r < ROWS; r++) {
            if (oh0 + r < OH) {
                const ulong o = (plane * OH + oh0 + r) * (ulong)OW + ow0;
                STORE_BEST_LANES(o, best[r], best_index[r], min(SEGMENT, end - ow0))
            }
        }
    }
}
#endif
#endif

#if SEGMENT_KERNELS && STRIPS && DH == 1 && DW == 1
// Strips (CPU devices, windows without dilation): a work-item walks down `strip` output rows of
// up to STREAM_SEGMENTS segments of one plane, row after row, and keeps the partials of the KEPT
// input rows each output row shares with the next (none where windows do not overlap down the
// columns; the rule of ROW_PARTIAL_FAST's block: rows clamped into the input, a window's first
// row taken outright). Each input row is reduced once, and the work-item reads its input rows and
// writes one output and one index row at a time, front to back: a few long streams, where a
// block of ROWS rows kept IN_ROWS + 2 * ROWS rows in flight (POCL haswell, 32x64x112x112 3x3 s1
// p1: the block kernel's memory pattern alone, without the taps, took 1.7x a plain three-stream
// map) and the one-row segments of a 2x2 window ran in work-groups of short runs (POCL
// skylake-avx512, 2x2 s2 forward: 0.62-0.70 of copy as segments, 0.74-0.94 as strips in one hour,
// level with them in the next; with the hints below, 0.83-0.94 against the segments' 0.59-0.77).
// Each walk asks for the span of the input rows it will read PREFETCH_ROWS output rows later:
// POCL skylake-avx512, 32x64x112x112 (alternating, nothing beside): 2x2 s2 forward 0.69-0.82 of
// copy without, 0.79-0.89 with; the stem 0.55-0.57 without, 0.66-0.75 with; 3x3 s1 within noise.
#define PREFETCH_ROWS 4
#define PREFETCH_SPAN(h_unclamped, w0)                                                          \
    {                                                                                         \
        const __global store_t* row_ = in + (int)clamp((long)(h_unclamped), 0L, (long)H - 1) * W; \
        _Pragma("unroll")                                                                     \
        for (int t = 0; t < SPAN + 15; t += 16) { /* one hint per 16 elements (a 64-byte line of float32) */ \
            PREFETCH(row_ + (int)clamp((long)(w0) + min(t, SPAN - 1), 0L, (long)W - 1));      \
        }                                                                                     \
    }
#define KEPT (KH > SH ? KH - SH : 0)
#define KEPT_SLOTS (KEPT > 0 ? KEPT : 1) /* an array needs a length above 0 */
#define FRESH (KH - KEPT) /* a window's input rows no earlier output row reached */
#define STREAM_SEGMENTS 16
#define STEP(v, i)                                                                              \
    {                                                                                         \
        const int8 take = BETTER_OR_NAN(v, best);                                             \
        best = select(best, v, take);                                                         \
        best_index = select(best_index, i, take);                                             \
    }
// The segment's partial of input row `h` (clamped into the input) into pv/pi: columns clamped
// only where the segment's span leaves the row.
#define STREAM_PARTIAL(h_unclamped)                                                             \
    {                                                                                         \
        const int h = clamp(h_unclamped, 0, H - 1);                                           \
        if (clamped) {                                                                        \
            ROW_PARTIAL_FAST(true)                                                            \
        } else {                                                                              \
            ROW_PARTIAL_FAST(false)                                                           \
        }                                                                                     \
    }

// Dimension 0: chunks of STREAM_SEGMENTS * SEGMENT output columns; 1: strips of `strip` output
// rows; 2: planes.
EXTREMUM_KERNEL void extremum_forward_stream(__global const store_t* input, __global store_t* output, __global int* indices,
                                      const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                      const int strip)
{
    const int ow_begin = (int)get_global_id(0) * (STREAM_SEGMENTS * SEGMENT);
    const int oh_begin = (int)((long)get_global_id(1) * strip);
    const int oh_end = (int)min((long)oh_begin + strip, (long)OH);
    const ulong plane = get_global_id(2);
    const int segments = min(STREAM_SEGMENTS, (OW - ow_begin + SEGMENT - 1) / SEGMENT);
    const __global store_t* in = input + plane * (ulong)H * W;
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;
    float8 kept[KEPT_SLOTS][STREAM_SEGMENTS];
    int8 kept_index[KEPT_SLOTS][STREAM_SEGMENTS];
    for (int s = 0; s < segments; s++) {
        const int w0 = (ow_begin + s * SEGMENT) * SW - PW;
        const bool clamped = w0 < 0 || (long)w0 + SPAN > W;
        _Pragma("unroll")
        for (int k = 0; k < KEPT; k++) {
            float8 pv;
            int8 pi;
            STREAM_PARTIAL(oh_begin * SH - PH + k)
            kept[k][s] = pv;
            kept_index[k][s] = pi;
        }
    }
    for (int oh = oh_begin; oh < oh_end; oh++) {
        for (int s = 0; s < segments; s++) {
            const int ow0 = ow_begin + s * SEGMENT;
            const int w0 = ow0 * SW - PW;
            const bool clamped = w0 < 0 || (long)w0 + SPAN > W;
            /* KEPT 0: replaced by the first fresh row's partial */
            float8 best = KEPT > 0 ? kept[0][s] : (float8)(0.0f);
            int8 best_index = KEPT > 0 ? kept_index[0][s] : (int8)(NO_INDEX);
            _Pragma("unroll")
            for (int k = 1; k < KEPT; k++) {
                STEP(kept[k][s], kept_index[k][s])
            }
            _Pragma("unroll")
            for (int n = 0; n < FRESH; n++) {
                PREFETCH_SPAN(((long)oh + PREFETCH_ROWS) * SH - PH + KEPT + n, w0)
            }
            float8 fresh[FRESH];
            int8 fresh_index[FRESH];
            _Pragma("unroll")
            for (int n = 0; n < FRESH; n++) {
                float8 pv;
                int8 pi;
                STREAM_PARTIAL(oh * SH - PH + KEPT + n)
                if (KEPT == 0 && n == 0) {
                    best = pv; /* the window's first row, taken outright */
                    best_index = pi;
                } else {
                    STEP(pv, pi)
                }
                fresh[n] = pv;
                fresh_index[n] = pi;
            }
            /* the next output row's first KEPT rows are this one's rows SH .. KH - 1 */
            _Pragma("unroll")
            for (int k = 0; k < KEPT; k++) {
                const int from = SH + k; /* < KEPT: a kept row; else a fresh one */
                kept[k][s] = from < KEPT ? kept[min(from, KEPT - 1)][s] : fresh[max(from - KEPT, 0)];
                kept_index[k][s] = from < KEPT ? kept_index[min(from, KEPT - 1)][s] : fresh_index[max(from - KEPT, 0)];
            }
            const ulong o = (plane * OH + oh) * (ulong)OW + ow0;
            if (ow0 + SEGMENT <= OW) {
                STORE8(output, o, best);
                vstore8(best_index, 0, indices + o);
            } else {
                STORE_BEST_LANES(o, best, best_index, OW - ow0)
            }
        }
    }
}
#endif

// Sum of the in-bounds taps of one window (dilation is 1 for average and LP pooling), each
// passed through TERM first, in the reference's order (rows, then columns), into `sum`; a macro
// for the same reason as EXTREMUM_WINDOW.
#define WINDOW_SUM(CHECK_COLS, TERM)                                                            \
    const __global store_t* in = input + plane * (ulong)H * W;                                  \
    float sum = 0.0f;                                                                         \
    UNROLL_WINDOW                                                                             \
    for (int kh = 0; kh < KH; kh++) {                                                         \
        const int h = oh * SH - PH + kh;                                                      \
        const bool row_in = h >= 0 && h < H;                                                  \
        const int hc = clamp(h, 0, H - 1);                                                    \
        UNROLL_ROW                                                                            \
        for (int kw = 0; kw < KW; kw++) {                                                     \
            const int w = ow * SW - PW + kw;                                                  \
            const bool inside = (CHECK_COLS) ? row_in && w >= 0 && w < W : row_in;            \
            const float v = LOAD(in, hc * W + ((CHECK_COLS) ? clamp(w, 0, W - 1) : w));            \
            const float term = TERM;                                                          \
            sum = inside ? sum + term : sum;                                                  \
        }                                                                                     \
    }

// The divisor of one window (window.cl), with this build's window.
#define WINDOW_DIVISOR(oh, ow, count_include_pad, divisor_override) \
    pooled_divisor(oh, ow, H, W, KH, KW, SH, SW, PH, PW, count_include_pad, divisor_override)

#define AVG_OUTPUT(sum, oh, ow) ((sum) / (float)WINDOW_DIVISOR(oh, ow, count_include_pad, divisor_override))
#define AVG_WINDOW(CHECK_COLS)                                                                  \
    WINDOW_SUM(CHECK_COLS, v)                                                                 \
    STORE(output, (plane * OH + oh) * (ulong)OW + ow, AVG_OUTPUT(sum, oh, ow));

// LP pooling as PyTorch computes it: (avg(x^p) * kh*kw)^(1/p), the average over in-bounds taps.
#define LP_OUTPUT(sum, oh, ow) \
    lp_power((sum) / (float)WINDOW_DIVISOR(oh, ow, 1, 0) * (float)((long)KH * KW), 1.0f / norm)
#define LP_WINDOW(CHECK_COLS)                                                                   \
    WINDOW_SUM(CHECK_COLS, lp_power(v, norm))                                                 \
    STORE(output, (plane * OH + oh) * (ulong)OW + ow, LP_OUTPUT(sum, oh, ow));

// LP's backward, window (oh, ow) at output offset o: scaled_mean = K*avg = y^p and the factor
// outer = dY * (K/n) * (K*avg)^(1/p - 1) that each of its inputs multiplies by x^(p-1).
// LP_WINDOWS_OUTER: the same, of type T, with LOAD_ and POWER (float8, LOAD8, lp_power8: the 8
// windows from ow of an inner band segment, which share a divisor). LP_OUTER: the factor from dY,
// K*avg and the divisor n (a float, or a float8 of each lane's), with POWER (lp_power or
// lp_power8). LP_OUTER_BY: the same with K/n given (LP_K_OVER: a window's K/n recurs in every
// row but the ends of a plane).
#define LP_K_OVER(divisor) ((float)((long)KH * KW) / (divisor))
#define LP_OUTER(dy, scaled_mean, divisor, POWER) LP_OUTER_BY(dy, scaled_mean, LP_K_OVER(divisor), POWER)
#define LP_OUTER_BY(dy, scaled_mean, k_over_divisor, POWER) \
    ((dy) * (k_over_divisor) * POWER(scaled_mean, 1.0f / norm - 1.0f))
#define LP_WINDOWS_OUTER(T, LOAD_, POWER, o, oh, ow)                                            \
    const T scaled_mean = POWER(LOAD_(y, o), norm);                                           \
    const T outer = LP_OUTER(LOAD_(gy, o), scaled_mean, (float)WINDOW_DIVISOR(oh, ow, 1, 0), POWER);
#define LP_WINDOW_OUTER(o, oh, ow) LP_WINDOWS_OUTER(float, LOAD, lp_power, o, oh, ow)

AVG_KERNEL void avg_forward_inner(__global const store_t* input, __global store_t* output,
                                const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int col0,
                                const int count_include_pad, const int divisor_override)
{
    const int ow = col0 + (int)get_global_id(0);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    AVG_WINDOW(false)
}

AVG_KERNEL void avg_forward_edge(__global const store_t* input, __global store_t* output,
                               const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int left, const int skip,
                               const int count_include_pad, const int divisor_override)
{
    const int ow = EDGE_COLUMN((int)get_global_id(0), left, skip);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    AVG_WINDOW(true)
}

#if IN_ROWS_G * KW <= UNROLL_TAPS
// The sums of avg_forward_inner/edge and lp_forward_inner/edge for the GPU family, in
// extremum_forward_column's blocks: each output adds its in-bounds taps, each passed through
// TERM once per loaded value (LP's x^p), from the registers in the same order as they do (kernel
// rows ascending, then columns; no row partial sums, which would round differently), so the sums
// are bitwise theirs.
#define COLUMN_SUMS(CHECK_COLS, TERM)                                                           \
    COLUMN_PRELOAD(CHECK_COLS)                                                                \
    _Pragma("unroll")                                                                         \
    for (int i = 0; i < IN_ROWS_G; i++) {                                                     \
        const int h = oh0 * SH - PH + i; /* a padding row's taps are masked */                 \
        COLUMN_ROW(CHECK_COLS)                                                                \
        float term[SPAN_G];                                                                   \
        _Pragma("unroll")                                                                     \
        for (int s = 0; s < SPAN_G; s++) {                                                    \
            const float v = a[s];                                                             \
            term[s] = TERM;                                                                   \
        }                                                                                     \
        _Pragma("unroll")                                                                     \
        for (int r = 0; r < ROWS; r++) {                                                      \
            const int d = i - r * SH; /* kh for output row oh0 + r (no dilation) */           \
            if (d >= 0 && d < KH) {                                                           \
                _Pragma("unroll")                                                             \
                for (int c = 0; c < COLS; c++) {                                              \
                    UNROLL_ROW                                                                \
                    for (int kw = 0; kw < KW; kw++) {                                         \
                        const int s = c * SW + kw;                                            \
                        sum[r][c] = SPAN_INSIDE(CHECK_COLS, s) ? sum[r][c] + term[s] : sum[r][c]; \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

// COLUMN_SUMS over the block, then OUTPUT(sum, oh, ow) stored for each of its outputs.
#define COLUMN_POOL(TERM, OUTPUT)                                                               \
    COLUMN_BLOCK_START                                                                        \
    float sum[ROWS][COLS];                                                                    \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < COLS; c++) {                                                      \
            sum[r][c] = 0.0f;                                                                 \
        }                                                                                     \
    }                                                                                         \
    if (inner) {                                                                              \
        COLUMN_SUMS(false, TERM)                                                              \
    } else {                                                                                  \
        COLUMN_SUMS(true, TERM)                                                               \
    }                                                                                         \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < COLS; c++) {                                                      \
            if (oh0 + r < OH && ow0 + c < OW) {                                               \
                STORE(output, (plane * OH + oh0 + r) * (ulong)OW + ow0 + c, OUTPUT(sum[r][c], oh0 + r, ow0 + c)); \
            }                                                                                 \
        }                                                                                     \
    }

AVG_KERNEL void avg_forward_column(__global const store_t* input, __global store_t* output,
                                 const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                 const int count_include_pad, const int divisor_override)
{
    COLUMN_POOL(v, AVG_OUTPUT)
}

LP_KERNEL void lp_forward_column(__global const store_t* input, __global store_t* output,
                                const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                const float p)
{
    LP_NORM_CASES_OF(float, COLUMN_POOL(lp_power(v, norm), LP_OUTPUT))
}
#endif

#if SEGMENT_KERNELS
// The column extents of the 8 average windows ow0 + j of a row (pooled_extents8).
static inline int8 avg_columns8(const int ow0, const int W, const int PW, const int count_include_pad)
{
    return pooled_extents8(ow0, W, KW, SW, PW, count_include_pad);
}

// The divisors of windows with `columns` (avg_columns8) in a row of `rows` extent (pooled_divisors8).
static inline float8 avg_divisors8_of(const int8 columns, const int rows, const int divisor_override)
{
    return pooled_divisors8(columns, rows, (long)KH <= 2147483647L / KW, divisor_override);
}

// The divisors of the 8 average windows ow0 + j of output row oh: pooled_divisor's rule.
static inline float8 avg_divisors8(const int oh, const int ow0, const int H, const int W, const int PH, const int PW,
                                   const int count_include_pad, const int divisor_override)
{
    return avg_divisors8_of(avg_columns8(ow0, W, PW, count_include_pad),
                            (int)pooled_extent(oh, H, KH, SH, PH, count_include_pad), divisor_override);
}

// avg_forward_inner/edge and lp_forward_inner/edge for SEGMENT consecutive outputs of SUM_ROWS
// rows per work-item (CPU devices), in extremum_forward_segment's slots: launched on their own, the
// per-output edge kernels took 28 of average 3x3 s1 p1's 34 ms on POCL skylake-avx512
// (32x64x112x112). Each tap's 8 lanes are one vector (inner segments: SEGMENT_TAPS; edge ones:
// the span loaded with every column checked), passed through TERM and added where inside, in the
// reference's order (kernel rows, then columns) as the per-output kernels add them, so the sums
// are bitwise theirs. The windows of an inner segment span KW input columns each, so they share
// one divisor: INNER_OUTPUT8(sum, oh, ow0) takes the 8 sums at once; EDGE_OUTPUT8 likewise, with
// each lane's divisor (avg_divisors8: the per-output kernels' floats), stored lane by lane up to
// the run's end.
// SUM_ROWS rows' segments per work-item, a kernel row of each in turn: each sum is a chain of
// dependent adds (the reference's order), and one segment per work-item left them waiting on
// each other; two rows' chains are independent and overlap (POCL skylake-avx512, 3x3 s1, share
// of the profile against the unchanged backward in the same run: LP forward 10-13% less,
// average 3-5%; 4 rows were slower than 1).
#define SEGMENT_SUMS(GUARDED, TERM)                                                           \
    UNROLL_WINDOW                                                                             \
    for (int kh = 0; kh < KH; kh++) {                                                         \
        _Pragma("unroll")                                                                     \
        for (int r = 0; r < SUM_ROWS; r++) {                                                  \
            if (oh0 + r < OH) {                                                               \
                SEGMENT_ROW_TAPS(GUARDED, oh0 + r, {                                          \
                    const float8 term = TERM;                                                 \
                    sum[r] = (GUARDED) ? select(sum[r], sum[r] + term, convert_int8((wl >= 0) & (wl < (long8)(W)))) : sum[r] + term; \
                })                                                                            \
            }                                                                                 \
        }                                                                                     \
    }

#define SEGMENT_POOL(TERM, INNER_OUTPUT8, EDGE_OUTPUT8)                                       \
    const int oh0 = (int)get_global_id(1) * SUM_ROWS;                                         \
    const ulong plane = get_global_id(2);                                                     \
    SEGMENT_SLOT                                                                              \
    const __global store_t* in = input + plane * (ulong)H * W;                                \
    const int w0 = ow0 * SW - PW;                                                             \
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;                                    \
    float8 sum[SUM_ROWS];                                                                     \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < SUM_ROWS; r++) {                                                      \
        sum[r] = (float8)(0.0f);                                                              \
    }                                                                                         \
    if (!edge) {                                                                              \
        SEGMENT_SUMS(false, TERM)                                                             \
    } else {                                                                                  \
        SEGMENT_SUMS(true, TERM)                                                              \
    }                                                                                         \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < SUM_ROWS; r++) {                                                      \
        const int oh = oh0 + r;                                                               \
        if (oh < OH) {                                                                        \
            const ulong o = (plane * OH + oh) * (ulong)OW + ow0;                              \
            if (!edge) {                                                                      \
                STORE8(output, o, INNER_OUTPUT8(sum[r], oh, ow0));                            \
            } else {                                                                          \
                STORE_LANES(output, o, EDGE_OUTPUT8(sum[r], oh, ow0), min(SEGMENT, end - ow0)) \
            }                                                                                 \
        }                                                                                     \
    }

#define AVG_OUTPUT8(sum, oh, ow0) ((sum) / (float8)((float)WINDOW_DIVISOR(oh, ow0, count_include_pad, divisor_override)))
#define LP_OUTPUT8(sum, oh, ow0) \
    lp_power8((sum) / (float8)((float)WINDOW_DIVISOR(oh, ow0, 1, 0)) * (float8)((float)((long)KH * KW)), 1.0f / norm)
#define AVG_EDGE_OUTPUT8(sum, oh, ow0) \
    ((sum) / avg_divisors8(oh, ow0, H, W, PH, PW, count_include_pad, divisor_override))
#define LP_EDGE_OUTPUT8(sum, oh, ow0) \
    lp_power8((sum) / avg_divisors8(oh, ow0, H, W, PH, PW, 1, 0) * (float8)((float)((long)KH * KW)), 1.0f / norm)

AVG_KERNEL void avg_forward_segment(__global const store_t* input, __global store_t* output,
                                  const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                  const int first, const int inner, const int left_slots,
                                  const int count_include_pad, const int divisor_override)
{
    SEGMENT_POOL(v, AVG_OUTPUT8, AVG_EDGE_OUTPUT8)
}

LP_KERNEL void lp_forward_segment(__global const store_t* input, __global store_t* output,
                                 const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                 const int first, const int inner, const int left_slots, const float p)
{
    LP_NORM_CASES_OF(float, SEGMENT_POOL(lp_power8(v, norm), LP_OUTPUT8, LP_EDGE_OUTPUT8))
}
#endif

LP_KERNEL void lp_forward_inner(__global const store_t* input, __global store_t* output,
                               const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int col0, const float norm)
{
    const int ow = col0 + (int)get_global_id(0);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    LP_WINDOW(false)
}

LP_KERNEL void lp_forward_edge(__global const store_t* input, __global store_t* output,
                              const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int left, const int skip,
                              const float norm)
{
    const int ow = EDGE_COLUMN((int)get_global_id(0), left, skip);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    LP_WINDOW(true)
}

// ---- backward with indices, disjoint windows: an elementwise map per stride band -----------------

// Output window (oh, ow) owns the input rows [oh*SH - PH, (oh+1)*SH - PH) and columns likewise:
// with disjoint windows no other window reaches them, so each of their elements gets dY of this
// window if it is the winner and 0 otherwise. The edge kernel clips the band to the input and
// extends the last output column's band to the input's right end; rows below the last band are
// zeroed by zero_rows.
EXTREMUM_KERNEL void indexed_backward_band_inner(__global const store_t* grad_output, __global const int* indices,
                                          __global store_t* grad_input,
                                          const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int col0)
{
    const int ow = col0 + (int)get_global_id(0);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const ulong o = (plane * OH + oh) * (ulong)OW + ow;
    const float g = 0.0f + LOAD(grad_output, o); // 0 + dY, as the reference's accumulation forms it
    const int winner = indices[o];
    __global store_t* gx = grad_input + plane * (ulong)H * W;
UNROLL_BAND
    for (int r = 0; r < SH; r++) {
        const int h = oh * SH - PH + r;
        if (h < 0 || h >= H) {
            continue;
        }
UNROLL_BAND
        for (int c = 0; c < SW; c++) {
            const int at = h * W + ow * SW - PW + c;
            STORE(gx, at, winner == at ? g : 0.0f);
        }
    }
}

EXTREMUM_KERNEL void indexed_backward_band_edge(__global const store_t* grad_output, __global const int* indices,
                                         __global store_t* grad_input,
                                         const int H, const int W, const int OH, const int OW, const int PH, const int PW, const int left, const int skip)
{
    const int ow = EDGE_COLUMN((int)get_global_id(0), left, skip);
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const ulong o = (plane * OH + oh) * (ulong)OW + ow;
    const float g = 0.0f + LOAD(grad_output, o);
    const int winner = indices[o];
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    const int w_lo = max(ow * SW - PW, 0);
    const int w_hi = ow == OW - 1 ? W : min((ow + 1) * SW - PW, W);
    for (int r = 0; r < SH; r++) {
        const int h = oh * SH - PH + r;
        if (h < 0 || h >= H) {
            continue;
        }
        for (int w = w_lo; w < w_hi; w++) {
            const int at = h * W + w;
            STORE(gx, at, winner == at ? g : 0.0f);
        }
    }
}

#if SEGMENT_KERNELS
// The band map, SEGMENT output windows of a row per work-item (CPU devices), each band row
// written as whole vectors. Only inner columns (bands inside the input columns).
EXTREMUM_KERNEL void indexed_backward_band_segment(__global const store_t* grad_output, __global const int* indices,
                                            __global store_t* grad_input,
                                            const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                            const int col0)
{
    const int ow0 = col0 + (int)get_global_id(0) * SEGMENT;
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const ulong o = (plane * OH + oh) * (ulong)OW + ow0;
    const float8 g = (float8)(0.0f) + LOAD8(grad_output, o); // stored exact: a value of the type, or 0
    const int8 winner = vload8(0, indices + o);
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    const int w0 = ow0 * SW - PW;
UNROLL_BAND
    for (int r = 0; r < SH; r++) {
        const int h = oh * SH - PH + r;
        if (h < 0 || h >= H) {
            continue;
        }
        __global store_t* row = gx + h * W + w0;
#if SW == 1
        STORE8_EXACT(row, 0, select((float8)(0.0f), g, winner == (int8)(h * W + w0) + lane));
#elif SW == 2
        const float8 even = select((float8)(0.0f), g, winner == (int8)(h * W + w0) + lane);
        const float8 odd = select((float8)(0.0f), g, winner == (int8)(h * W + w0 + 1) + lane);
        STORE8_EXACT(row, 0, shuffle2(even, odd, (uint8)(0, 8, 1, 9, 2, 10, 3, 11))); // 16-wide types warn on AVX2
        STORE8_EXACT(row, 8, shuffle2(even, odd, (uint8)(4, 12, 5, 13, 6, 14, 7, 15)));
#else
        float band[SEGMENT * SW];
#pragma unroll
        for (int c = 0; c < SW; c++) {
            const float8 v = select((float8)(0.0f), g, winner == (int8)(h * W + w0 + c) + lane);
            band[c] = v.s0; band[SW + c] = v.s1; band[2 * SW + c] = v.s2; band[3 * SW + c] = v.s3;
            band[4 * SW + c] = v.s4; band[5 * SW + c] = v.s5; band[6 * SW + c] = v.s6; band[7 * SW + c] = v.s7;
        }
#pragma unroll
        for (int i = 0; i < SEGMENT * SW; i++) {
            STORE(row, i, band[i]);
        }
#endif
    }
}
#endif

// The band maps for GPU devices (disjoint windows): each work-item takes BAND_COLS consecutive
// output windows of a row and writes each one's whole stride band, in one launch over every
// window (ranges rounded up to whole work-groups, work-items past the output return; windows of
// a block past OW are skipped). BAND_WINDOW_WRITE: window ow's band, its rows from h_start (the
// last column's to the input's right end; rows below the last band are zero_rows'), VALUE at each
// position, an expression of the band row r and column c and the input row h and column w, into
// gx. Bands inside the input's columns take unrolled loops (on the H200 the loops over a runtime
// clip ran 2x2 average backward at 0.61 of copy); the others BAND_WINDOW_CLIPPED's loops over the
// band's columns in the input (BAND_COLUMNS: [w_lo, w_hi), the band starting at w_start), which
// the CPU family's BAND_WINDOW_STORES share.
#define BAND_COLUMNS(ow)                                                                      \
    const int w_start = (ow) * SW - PW;                                                       \
    const int w_lo = max(w_start, 0);                                                         \
    const int w_hi = (ow) == OW - 1 ? W : min(w_start + SW, W);
#define BAND_WINDOW_CLIPPED(h_start, VALUE)                                                   \
    for (int r = 0; r < SH; r++) {                                                            \
        const int h = (h_start) + r;                                                          \
        if (h < 0 || h >= H) {                                                                \
            continue;                                                                         \
        }                                                                                     \
        for (int w = w_lo; w < w_hi; w++) {                                                   \
            const int c = w - w_start;                                                        \
            STORE(gx, h * W + w, (VALUE));                                                    \
        }                                                                                     \
    }
#define BAND_WINDOW_WRITE(ow, h_start, VALUE)                                                 \
    {                                                                                         \
        BAND_COLUMNS(ow)                                                                      \
        if (w_lo == w_start && w_hi == w_start + SW) {                                        \
            UNROLL_BAND                                                                       \
            for (int r = 0; r < SH; r++) {                                                    \
                const int h = (h_start) + r;                                                  \
                if (h < 0 || h >= H) {                                                        \
                    continue;                                                                 \
                }                                                                             \
                UNROLL_BAND                                                                   \
                for (int c = 0; c < SW; c++) {                                                \
                    const int w = w_start + c;                                                \
                    STORE(gx, h * W + w, (VALUE));                                            \
                }                                                                             \
            }                                                                                 \
        } else {                                                                              \
            BAND_WINDOW_CLIPPED(h_start, VALUE)                                               \
        }                                                                                     \
    }

// A band work-item's windows ow0 .. ow0 + BAND_COLS - 1 of output row oh, those before OW, with
// the statements that follow for each, `ow` the window's column.
#define FOR_BAND_WINDOWS(BODY)                                                                \
    _Pragma("unroll")                                                                         \
    for (int j = 0; j < BAND_COLS; j++) {                                                     \
        const int ow = ow0 + j;                                                               \
        if (ow >= OW) {                                                                       \
            break;                                                                            \
        }                                                                                     \
        BODY                                                                                  \
    }

// The winner of each window gets 0 + dY (as the reference's accumulation forms it), every other
// band position 0.
EXTREMUM_KERNEL void indexed_backward_band_window(__global const store_t* grad_output, __global const int* indices,
                                           __global store_t* grad_input,
                                           const int H, const int W, const int OH, const int OW, const int PH, const int PW)
{
    BLOCK_ORIGIN(FLAT_BANDS, ow0, oh, BAND_COLS, 1, OW, OH)
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    FOR_BAND_WINDOWS(
        const ulong o = (plane * OH + oh) * (ulong)OW + ow;
        const float g = 0.0f + LOAD(grad_output, o);
        const int winner = indices[o];
        BAND_WINDOW_WRITE(ow, oh * SH - PH, winner == h * W + w ? g : 0.0f)
    )
}

// Average backward where windows cannot overlap (stride >= kernel; average pooling has no
// dilation): window (oh, ow) alone reaches its stride band, so the band is a map: its in-bounds
// taps get 0 + dY/divisor (as the reference's dx += share forms it, so -0 becomes +0 alike), every
// other band position 0.
AVG_KERNEL void avg_backward_band_window(__global const store_t* grad_output, __global store_t* grad_input,
                                       const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                       const int count_include_pad, const int divisor_override)
{
    BLOCK_ORIGIN(FLAT_BANDS, ow0, oh, BAND_COLS, 1, OW, OH)
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    FOR_BAND_WINDOWS(
        const ulong o = (plane * OH + oh) * (ulong)OW + ow;
        const float share = 0.0f + LOAD(grad_output, o) / (float)WINDOW_DIVISOR(oh, ow, count_include_pad, divisor_override);
        BAND_WINDOW_WRITE(ow, oh * SH - PH, r < KH && c < KW ? share : 0.0f)
    )
}

#if !CPU_KERNELS
// lp_backward_gather where windows cannot overlap (LP pooling has no dilation), as
// avg_backward_band_window: each window's outer factor (LP_WINDOW_OUTER) is formed once, and its
// band gets 0 + outer * x^(p-1) at its in-bounds taps where its y^p is not 0, 0 elsewhere: the
// gather's sum over the one window, bit for bit. Each input is read once, by its window.
#define LP_BAND_WINDOWS                                                                       \
    FOR_BAND_WINDOWS(                                                                         \
        LP_WINDOW_OUTER(oh * OW + ow, oh, ow)                                                 \
        const bool held = scaled_mean != 0.0f;                                                \
        BAND_WINDOW_WRITE(ow, oh * SH - PH,                                                   \
                          r < KH && c < KW && held ? 0.0f + outer * lp_power(LOAD(x, h * W + w), norm - 1.0f) : 0.0f) \
    )

LP_KERNEL void lp_backward_band_window(__global const store_t* grad_output, __global const store_t* input,
                                      __global const store_t* output, __global store_t* grad_input,
                                      const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                      const float p)
{
    BLOCK_ORIGIN(FLAT_BANDS, ow0, oh, BAND_COLS, 1, OW, OH)
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global store_t* y = output + plane * (ulong)OH * OW;
    const __global store_t* x = input + plane * (ulong)H * W;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    LP_NORM_CASES_OF(float, LP_BAND_WINDOWS)
}
#endif

#if SEGMENT_KERNELS
// avg_backward_band_window for SEGMENT windows of a row per work-item (CPU devices, where the
// per-window loops did not vectorize): a work-item whose 8 bands lie inside the input columns
// (and, if it holds the last column, whose band runs to the input's end, ends there) writes each
// band row as vectors of the same values, 0 + dY/divisor per lane (the 8 windows share one
// divisor: their columns are all inside); the others write each window as
// avg_backward_band_window does, with scalar stores (float16's a library call on POCL: a row's
// last segment on that path made float16 NCHW 2x2 average backward slower than float32's).
// Window ow's stride band (the last window's to the input's end), position by position: VALUE
// where the window holds the position and HELD, else 0 (rows from h_start, into gx).
#define BAND_WINDOW_STORES(ow, HELD, VALUE)                                                   \
    {                                                                                         \
        BAND_COLUMNS(ow)                                                                      \
        BAND_WINDOW_CLIPPED(h_start, r < KH && c < KW && (HELD) ? (VALUE) : 0.0f)             \
    }

// 8 lanes of SW vectors stored interleaved from offset `at` of gx, lane t of tap[c] at column
// t * SW + c: a band row of 8 windows, and the strided gathers' inner sums.
#define INTERLEAVED_LOW(a, b) shuffle2((a), (b), (uint8)(0, 8, 1, 9, 2, 10, 3, 11))
#define INTERLEAVED_HIGH(a, b) shuffle2((a), (b), (uint8)(4, 12, 5, 13, 6, 14, 7, 15))
#if SW == 1
#define BAND_ROW_STORE(at, tap) STORE8(gx, (at), tap[0]);
#elif SW == 2
#define BAND_ROW_STORE(at, tap)                                                               \
    STORE8(gx, (at), INTERLEAVED_LOW(tap[0], tap[1]));                                        \
    STORE8(gx, (at) + 8, INTERLEAVED_HIGH(tap[0], tap[1]));
#else
#define BAND_ROW_STORE(at, tap)                                                                 \
    _Pragma("unroll")                                                                         \
    for (int c = 0; c < SW; c++) {                                                            \
        float v[SEGMENT];                                                                     \
        vstore8(tap[c], 0, v);                                                                \
        _Pragma("unroll")                                                                     \
        for (int t = 0; t < SEGMENT; t++) {                                                   \
            STORE(gx, (at) + t * SW + c, v[t]);                                               \
        }                                                                                     \
    }
#endif

// BAND_ROW_STORE's columns FROM .. TO - 1 only (a row's ends): interleaved in private memory,
// then stored 8 columns at a time, each 8 rounded at once (per residue and lane they were
// strided scatters, rounded one by one).
#define BAND_ROW_STORE_CLIPPED(at, tap, FROM, TO)                                             \
    {                                                                                         \
        float interleaved[SEGMENT * SW];                                                      \
        BAND_ROW_INTERLEAVE(interleaved, tap)                                                 \
        _Pragma("unroll")                                                                     \
        for (int k = 0; k < SW; k++) {                                                        \
            /* long: a row's last 8 columns can reach past an int-sized plane's end */        \
            STORE_LANES_BETWEEN(gx, (long)(at) + k * 8, vload8(k, interleaved), (FROM) - k * 8, (TO) - k * 8) \
        }                                                                                     \
    }
#if SW == 2
#define BAND_ROW_INTERLEAVE(v, tap)                                                           \
    vstore8(INTERLEAVED_LOW(tap[0], tap[1]), 0, v);                                           \
    vstore8(INTERLEAVED_HIGH(tap[0], tap[1]), 1, v);
#else
#define BAND_ROW_INTERLEAVE(v, tap)                                                           \
    _Pragma("unroll")                                                                         \
    for (int c = 0; c < SW; c++) {                                                            \
        float lanes[SEGMENT];                                                                 \
        vstore8(tap[c], 0, lanes);                                                            \
        _Pragma("unroll")                                                                     \
        for (int t = 0; t < SEGMENT; t++) {                                                   \
            v[t * SW + c] = lanes[t];                                                         \
        }                                                                                     \
    }
#endif

#define AVG_BAND_WINDOW(ow)                                                                     \
    {                                                                                         \
        const ulong o = (plane * OH + oh) * (ulong)OW + (ow);                                 \
        const float share = 0.0f + LOAD(grad_output, o) / (float)WINDOW_DIVISOR(oh, (ow), count_include_pad, divisor_override); \
        BAND_WINDOW_STORES(ow, true, share)                                                   \
    }

AVG_KERNEL void avg_backward_band_segment(__global const store_t* grad_output, __global store_t* grad_input,
                                        const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                        const int count_include_pad, const int divisor_override)
{
    const int ow0 = (int)get_global_id(0) * SEGMENT;
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    const int h_start = oh * SH - PH;
    const int w0 = ow0 * SW - PW;
    const bool inner = w0 >= 0 && (long)w0 + SEGMENT * SW <= W
            && (ow0 + SEGMENT < OW || (ow0 + SEGMENT == OW && w0 + SEGMENT * SW == W));
    if (inner) {
        const float8 share = (float8)(0.0f) + LOAD8(grad_output, (plane * OH + oh) * (ulong)OW + ow0)
                             / (float8)((float)WINDOW_DIVISOR(oh, ow0, count_include_pad, divisor_override));
        UNROLL_BAND
        for (int r = 0; r < SH; r++) {
            const int h = h_start + r;
            if (h < 0 || h >= H) {
                continue;
            }
            float8 tap[SW];
            _Pragma("unroll")
            for (int c = 0; c < SW; c++) {
                tap[c] = r < KH && c < KW ? share : (float8)(0.0f);
            }
            BAND_ROW_STORE(h * W + w0, tap)
        }
    } else {
        for (int j = 0; j < SEGMENT && ow0 + j < OW; j++) {
            AVG_BAND_WINDOW(ow0 + j)
        }
    }
}
#endif

#if SEGMENT_KERNELS
// lp_backward_gather for disjoint windows, SEGMENT windows of a row per work-item (CPU devices; the
// per-element gather formed a window's outer factor once per element): each window's factor
// (LP_WINDOW_OUTER) once, as vectors where the 8 bands lie inside the input columns (as in
// avg_backward_band_segment, and stored the same way), else window by window. A band position
// gets 0 + outer * x^(p-1) where its window holds it and the window's y^p is not 0, else 0: the
// gather's sum over its one window, bit for bit.
#define LP_BAND_WINDOW(ow)                                                                      \
    {                                                                                         \
        const int o = oh * OW + (ow);                                                         \
        LP_WINDOW_OUTER(o, oh, (ow))                                                          \
        BAND_WINDOW_STORES(ow, scaled_mean != 0.0f, 0.0f + outer * lp_power(LOAD(x, h * W + w), norm - 1.0f)) \
    }

#define LP_BAND_SEGMENT                                                                         \
    if (inner) {                                                                              \
        LP_WINDOWS_OUTER(float8, LOAD8, lp_power8, oh * OW + ow0, oh, ow0)                    \
        const int8 held = scaled_mean != (float8)(0.0f);                                      \
        UNROLL_BAND                                                                           \
        for (int r = 0; r < SH; r++) {                                                        \
            const int h = h_start + r;                                                        \
            if (h < 0 || h >= H) {                                                            \
                continue;                                                                     \
            }                                                                                 \
            const __global store_t* row = x + h * W;                                          \
            float a[SPAN];                                                                    \
            if (!SEGMENT_VECTOR_TAPS && r < KH) {                                             \
                LOAD_SPAN(a, SPAN, row, w0 + i, 1)                                            \
            }                                                                                 \
            float8 tap[SW];                                                                   \
            _Pragma("unroll")                                                                 \
            for (int c = 0; c < SW; c++) {                                                    \
                tap[c] = r < KH && c < KW                                                     \
                        ? select((float8)(0.0f), (float8)(0.0f) + outer * lp_power8(TAP_LANES(LOAD8, row, w0, c), norm - 1.0f), held) \
                        : (float8)(0.0f);                                                     \
            }                                                                                 \
            BAND_ROW_STORE(h * W + w0, tap)                                                   \
        }                                                                                     \
    } else {                                                                                  \
        for (int j = 0; j < SEGMENT && ow0 + j < OW; j++) {                                   \
            LP_BAND_WINDOW(ow0 + j)                                                           \
        }                                                                                     \
    }

LP_KERNEL void lp_backward_band_segment(__global const store_t* grad_output, __global const store_t* input,
                                       __global const store_t* output, __global store_t* grad_input,
                                       const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                       const float p)
{
    const int ow0 = (int)get_global_id(0) * SEGMENT;
    const int oh = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global store_t* y = output + plane * (ulong)OH * OW;
    const __global store_t* x = input + plane * (ulong)H * W;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    const int h_start = oh * SH - PH;
    const int w0 = ow0 * SW - PW;
    const bool inner = w0 >= 0 && (long)w0 + SEGMENT * SW <= W
            && (ow0 + SEGMENT < OW || (ow0 + SEGMENT == OW && w0 + SEGMENT * SW == W));
    LP_NORM_CASES_OF(float, LP_BAND_SEGMENT)
}
#endif

// Zeroes input rows [row0, H) of every plane: the rows no window reaches, below the last band.
__kernel void zero_rows(__global store_t* grad_input, const int H, const int W, const int row0)
{
    const int w = (int)get_global_id(0);
    const int h = row0 + (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    STORE(grad_input, plane * (ulong)H * W + (ulong)h * W + w, 0.0f);
}

// ---- backward as a gather per input element ----------------------------------------------------

// Visits the windows that can contain input (h, w) in the reference's order (output rows, then
// columns, ascending): kernel taps in descending order. Divisions are by the constant strides.
#define FOR_CANDIDATE_WINDOWS(DIL_H, DIL_W, BODY)                                               \
    for (int kh = KH - 1; kh >= 0; kh--) {                                                    \
        const int span_h = h + PH - kh * (DIL_H);                                             \
        if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int oh = span_h / SH;                                                           \
        for (int kw = KW - 1; kw >= 0; kw--) {                                                \
            const int span_w = w + PW - kw * (DIL_W);                                         \
            if (span_w < 0 || span_w % SW != 0 || span_w / SW >= OW) {                        \
                continue;                                                                     \
            }                                                                                 \
            const int ow = span_w / SW;                                                       \
            const int o = oh * OW + ow;                                                       \
            BODY                                                                              \
        }                                                                                     \
    }

// dX(h, w) = sum of dY over the windows whose winner is (h, w).
EXTREMUM_KERNEL void indexed_backward_gather(__global const store_t* grad_output, __global const int* indices,
                                      __global store_t* grad_input, const int H, const int W, const int OH, const int OW, const int PH, const int PW)
{
    const int w = (int)get_global_id(0);
    const int h = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global int* idx = indices + plane * (ulong)OH * OW;
    const int at = h * W + w;
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(DH, DW, {
        if (idx[o] == at) {
            sum += LOAD(gy, o);
        }
    })
    STORE(grad_input, plane * (ulong)H * W + at, sum);
}

#if SW == 1 && SEGMENT_KERNELS
// The same gather, SEGMENT consecutive input columns per work-item (CPU devices, stride 1 along
// rows): for a candidate window row and kernel column, the 8 columns' candidate windows are 8
// consecutive outputs, read as vectors. Segments whose candidate windows all exist take that
// path; the others (row ends) gather each column like indexed_backward_gather. Adding 0 for a
// non-winner leaves the sum bitwise unchanged (it never is -0), so both paths and the reference
// agree bit for bit.
EXTREMUM_KERNEL void indexed_backward_gather_segment(__global const store_t* grad_output, __global const int* indices,
                                              __global store_t* grad_input, const int H, const int W, const int OH,
                                              const int OW, const int PH, const int PW)
{
    const int w0 = (int)get_global_id(0) * SEGMENT;
    const int h = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global int* idx = indices + plane * (ulong)OH * OW;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    const bool inner = w0 + PW - (KW - 1) * DW >= 0 && (long)w0 + SEGMENT - 1 + PW < OW && (long)w0 + SEGMENT <= W;
    if (inner) {
        const int8 at = (int8)(h * W + w0) + (int8)(0, 1, 2, 3, 4, 5, 6, 7);
        float8 sum = (float8)(0.0f);
        for (int kh = KH - 1; kh >= 0; kh--) {
            const int span_h = h + PH - kh * DH;
            if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {
                continue;
            }
            const int oh = span_h / SH;
UNROLL_ROW
            for (int kw = KW - 1; kw >= 0; kw--) {
                const int o = oh * OW + w0 + PW - kw * DW;
                sum += select((float8)(0.0f), LOAD8(gy, o), vload8(0, idx + o) == at);
            }
        }
        STORE8(gx, h * W + w0, sum);
    } else {
        const int w_end = (int)min((long)w0 + SEGMENT, (long)W);
        for (int w = w0; w < w_end; w++) {
            const int at = h * W + w;
            float sum = 0.0f;
            FOR_CANDIDATE_WINDOWS(DH, DW, {
                if (idx[o] == at) {
                    sum += LOAD(gy, o);
                }
            })
            STORE(gx, at, sum);
        }
    }
}
#endif

#if SEGMENT_KERNELS && STORAGE == 0
// Max/min backward of overlapping windows as the reference runs it, for CPU devices: a work-item
// owns whole planes of dX and adds each window's dY at its index, windows in (oh, ow) order, so
// every element sums its windows in the reference's order and no other work-item writes to its
// plane. Rows are zeroed just before the first output row whose windows reach them. It reads dY
// and the indices once, front to back, and touches dX rows while they are in cache, where a
// gather compares every element with each of its KH*KW candidate windows (POCL haswell,
// 32x64x112x112 3x3 s1: the gather 32-35 ms, bound by those compares). This is float32's: a sum
// in a half-precision buffer would round at every step (half types: the ring below). An index
// outside the plane (only where the host's index checks were skipped) is clamped into it: the
// result is then wrong, never a write out of bounds.
// The plane scatters' zeroing: dX elements from `zeroed` up to `end` set to 0, so that each is
// zeroed just before the first window that reaches it adds to it (while its row is in cache).
#define ZERO_THROUGH(end)                                                                       \
    for (; (long)zeroed + SEGMENT <= (end); zeroed += SEGMENT) {                              \
        vstore8((float8)(0.0f), 0, gx + zeroed);                                              \
    }                                                                                         \
    for (; zeroed < (end); zeroed++) {                                                        \
        gx[zeroed] = 0.0f;                                                                    \
    }
/* the rows output row oh's windows reach end before row oh*SH - PH + (KH-1)*DH + 1 */
#define ZERO_ROWS_REACHED(oh) ZERO_THROUGH(min((long)H, (long)(oh) * SH - PH + (long)(KH - 1) * DH + 1) * W)

EXTREMUM_KERNEL void indexed_backward_scatter(__global const store_t* grad_output, __global const int* indices,
                                       __global store_t* grad_input, const int H, const int W, const int OH,
                                       const int OW, const int PH, const int planes_per_item, const ulong planes)
{
    const ulong first = get_global_id(0) * (ulong)planes_per_item;
    const int plane_size = H * W;
    for (ulong plane = first; plane < first + planes_per_item && plane < planes; plane++) {
        const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
        const __global int* idx = indices + plane * (ulong)OH * OW;
        __global store_t* gx = grad_input + plane * (ulong)plane_size;
        int zeroed = 0; /* dX elements [0, zeroed) are zero or hold their sums so far */
        for (int oh = 0; oh < OH; oh++) {
            ZERO_ROWS_REACHED(oh)
            const int o = oh * OW;
            for (int ow = 0; ow < OW; ow++) {
                const int at = clamp(idx[o + ow], 0, plane_size - 1);
                gx[at] += gy[o + ow];
            }
        }
        ZERO_THROUGH((long)plane_size)
    }
}
#endif

#if SEGMENT_KERNELS && (STORAGE == 1 || STORAGE == 2)
// The plane scatters for half types, whose dX buffer cannot hold partial sums (they would round
// at every step): each work-item sums in floats, in a ring of the RING_ROWS input rows that one
// output row's windows span (local memory: row top + r at r * stride, `stride` at least W floats),
// in the float32 scatters' order, and stores each dX row, rounded once, when no later window
// reaches it; rows no window reaches are stored as 0. Between output rows the rows both reach
// move up SH rows (a circular buffer's wrap test per window, a branch on the winner's row, held
// the float16 stem backward at 16 ms where this takes 7, POCL skylake-avx512, 32x64x112x112).
#define RING_ROWS ((KH - 1) * DH + 1)
// dX rows [stored, upto) stored: ring row h - held where the ring holds it, else 0.
#define RING_STORE_THROUGH(upto, held, stride)                                                  \
    for (; stored < (upto); stored++) {                                                       \
        const long r_ = (long)stored - (held);                                                \
        const bool inside_ = r_ >= 0 && r_ < RING_ROWS;                                       \
        const __local float* from_ = ring + (int)clamp(r_, 0L, (long)RING_ROWS - 1) * (stride); \
        __global store_t* row_ = gx + stored * W;                                             \
        int w_ = 0;                                                                           \
        for (; w_ + SEGMENT <= W; w_ += SEGMENT) {                                            \
            STORE8(row_, w_, inside_ ? vload8(0, from_ + w_) : (float8)(0.0f));               \
        }                                                                                     \
        for (; w_ < W; w_++) {                                                                \
            STORE(row_, w_, inside_ ? from_[w_] : 0.0f);                                      \
        }                                                                                     \
    }
// Ring floats [from, to) set to 0.
#define RING_ZERO(from, to)                                                                     \
    {                                                                                         \
        int z_ = (from);                                                                      \
        for (; z_ + SEGMENT <= (to); z_ += SEGMENT) {                                         \
            vstore8((float8)(0.0f), 0, ring + z_);                                            \
        }                                                                                     \
        for (; z_ < (to); z_++) {                                                             \
            ring[z_] = 0.0f;                                                                  \
        }                                                                                     \
    }
// From the previous output row's ring (first row top - SH) to the one of `top`: the rows above
// `top` stored, the rows both reach moved up, the new ones zeroed.
#define RING_NEXT_ROW(top, stride)                                                              \
    {                                                                                         \
        RING_STORE_THROUGH(clamp(top, 0, H), (top) - SH, stride)                              \
        const int kept_ = max(RING_ROWS - SH, 0) * (stride);                                  \
        for (int i_ = 0; i_ < kept_; i_++) {                                                  \
            ring[i_] = ring[i_ + SH * (stride)];                                              \
        }                                                                                     \
        RING_ZERO(kept_, RING_ROWS * (stride))                                                \
    }
// The rest of a plane stored, after its last output row.
#define RING_STORE_REST(stride) RING_STORE_THROUGH(H, (long)(OH - 1) * SH - PH, stride)
#define RING_PARAMETER , __local float* ring

// indexed_backward_scatter in a ring of rows W floats long, where a window's index less the
// ring's first offset is the slot (clamped: an index outside the window's rows, only where the
// host's index checks were skipped, gives a wrong result, never an access out of bounds). dY is
// read 8 values at a time (one conversion instruction; POCL's scalar half load is a library call).
#define RING_ADD(at, g) ring[(int)clamp((long)(at) - (long)top * W, 0L, (long)RING_ROWS * W - 1)] += (g);

EXTREMUM_KERNEL void indexed_backward_scatter(__global const store_t* grad_output, __global const int* indices,
                                       __global store_t* grad_input, const int H, const int W, const int OH,
                                       const int OW, const int PH, const int planes_per_item, const ulong planes
                                       RING_PARAMETER)
{
    const ulong first = get_global_id(0) * (ulong)planes_per_item;
    for (ulong plane = first; plane < first + planes_per_item && plane < planes; plane++) {
        const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
        const __global int* idx = indices + plane * (ulong)OH * OW;
        __global store_t* gx = grad_input + plane * (ulong)H * W;
        int stored = 0; /* dX rows [0, stored) hold their final values */
        RING_ZERO(0, RING_ROWS * W)
        for (int oh = 0; oh < OH; oh++) {
            const int top = oh * SH - PH; /* the ring's first row */
            if (oh > 0) {
                RING_NEXT_ROW(top, W)
            }
            const int o = oh * OW;
            int ow = 0;
            for (; ow + SEGMENT <= OW; ow += SEGMENT) {
                int at[SEGMENT];
                float g[SEGMENT];
                vstore8(vload8(0, idx + o + ow), 0, at);
                vstore8(LOAD8(gy, o + ow), 0, g);
                for (int j = 0; j < SEGMENT; j++) {
                    RING_ADD(at[j], g[j])
                }
            }
            for (; ow < OW; ow++) {
                RING_ADD(idx[o + ow], LOAD(gy, o + ow))
            }
        }
        RING_STORE_REST(W)
    }
}
#else
#define RING_PARAMETER
#endif

#if SEGMENT_KERNELS && STORAGE != 3
// Where a plane scatter adds its terms: dX itself for float32 (ACC_*: rows zeroed just before
// the first output row that reaches them), a ring of rows ROW_FLOATS long for half types
// (RING_*: W rounded up to whole vectors, so that a row's last 8 lanes stay in its row).
// ACC_LOAD8 / ACC_STORE8: the 8 sums so far of input row h from column c0, of which the first
// `columns` are dX's; ACC_AT(h, w): the sum so far of element (h, w).
#if STORAGE == 0
#define ACC_PLANE_START int zeroed = 0; /* dX elements [0, zeroed) are zero or hold their sums so far */
#define ACC_ROW_START(oh) ZERO_ROWS_REACHED(oh)
#define ACC_LOAD8(x, h, c0, columns) ROW_LOAD8(x, gx, (h) * W + (c0), columns)
#define ACC_STORE8(x, h, c0, columns)                                                           \
    if ((columns) == SEGMENT) {                                                               \
        STORE8(gx, (h) * W + (c0), x);                                                        \
    } else {                                                                                  \
        float xs[SEGMENT];                                                                    \
        vstore8(x, 0, xs);                                                                    \
        for (int j = 0; j < (columns); j++) {                                                 \
            STORE(gx, (h) * W + (c0) + j, xs[j]);                                             \
        }                                                                                     \
    }
#define ACC_AT(h, w) gx[(h) * W + (w)]
#define ACC_PLANE_END ZERO_THROUGH((long)plane_size)
#else
#define ROW_FLOATS ((W + SEGMENT - 1) / SEGMENT * SEGMENT)
#define ACC_PLANE_START                                                                         \
    int stored = 0; /* dX rows [0, stored) hold their final values */                         \
    RING_ZERO(0, RING_ROWS * ROW_FLOATS)
#define ACC_ROW_START(oh)                                                                       \
    const int top = (oh) * SH - PH; /* the ring's first row */                                \
    if ((oh) > 0) {                                                                           \
        RING_NEXT_ROW(top, ROW_FLOATS)                                                        \
    }
#define ACC_LOAD8(x, h, c0, columns) x = vload8(0, ring + ((h) - top) * ROW_FLOATS + (c0));
#define ACC_STORE8(x, h, c0, columns) vstore8(x, 0, ring + ((h) - top) * ROW_FLOATS + (c0));
#define ACC_AT(h, w) ring[((h) - top) * ROW_FLOATS + (w)]
#define ACC_PLANE_END RING_STORE_REST(ROW_FLOATS)
#endif

// The plane scatters' frame: runs of planes_per_item planes per work-item, each plane's dY and
// dX (gy, gx) and accumulator (ACC_*), the arguments run once per output row oh.
#define SCATTER_PLANE_ROWS(BODY)                                                              \
    const ulong first_plane = get_global_id(0) * (ulong)planes_per_item;                      \
    const int plane_size = H * W;                                                             \
    for (ulong plane = first_plane; plane < first_plane + planes_per_item && plane < planes; plane++) { \
        const __global store_t* gy = grad_output + plane * (ulong)OH * OW;                    \
        __global store_t* gx = grad_input + plane * (ulong)plane_size;                        \
        ACC_PLANE_START                                                                       \
        for (int oh = 0; oh < OH; oh++) {                                                     \
            ACC_ROW_START(oh)                                                                 \
            BODY                                                                              \
        }                                                                                     \
        ACC_PLANE_END                                                                         \
    }

// LP backward of overlapping windows that the vector scatter below does not take (kernels over 9
// wide; strides above 1 along rows take the strided gather since, below; CPU devices, enough
// planes): the same plane walk one window at a time, each window's outer factor formed once
// (nothing where y^p is 0) and its term added to each of its taps inside the input, windows in (oh,
// ow) order, so each element adds them in the reference's order. The per-element gather formed
// every candidate window's factor per element: LP 3x3 s2 backward 109 ms, 24 as this (POCL
// skylake-avx512, 32x64x112x112). Average's quotients are cheap enough that its strided gather was
// as fast (17-21 ms against 19; consecutive windows' adds to a shared column wait on each other).
// FACTOR declares `factor` and `live` for window (oh, ow) at output offset o and `x_plane`, the
// plane's input; TERM(x) is what it adds to an element whose input is x.
#define WINDOW_SCATTER(FACTOR, TERM)                                                            \
    SCATTER_PLANE_ROWS(                                                                       \
            const int h0 = oh * SH - PH;                                                      \
            const int h_begin = max(h0, 0);                                                   \
            const int h_end = (int)min((long)h0 + KH, (long)H);                               \
            const bool rows_inside = h0 >= 0 && (long)h0 + KH <= H;                           \
            for (int ow = 0; ow < OW; ow++) {                                                 \
                const int o = oh * OW + ow;                                                   \
                FACTOR                                                                        \
                const int w0 = ow * SW - PW;                                                  \
                if (live && rows_inside && w0 >= 0 && (long)w0 + KW <= W) {                   \
                    UNROLL_WINDOW                                                             \
                    for (int kh = 0; kh < KH; kh++) {                                         \
                        float taps[KW]; /* half types: widened 8 at a time */                \
                        LOAD_SPAN(taps, KW, x_plane, (h0 + kh) * W + w0 + i, 1)               \
                        UNROLL_ROW                                                            \
                        for (int kw = 0; kw < KW; kw++) {                                     \
                            ACC_AT(h0 + kh, w0 + kw) += TERM(taps[kw]);                       \
                        }                                                                     \
                    }                                                                         \
                } else if (live) { /* a window over the input's border: its taps inside */    \
                    const int w_begin = max(w0, 0);                                           \
                    const int w_end = (int)min((long)w0 + KW, (long)W);                       \
                    for (int h = h_begin; h < h_end; h++) {                                   \
                        for (int w = w_begin; w < w_end; w++) {                               \
                            ACC_AT(h, w) += TERM(LOAD(x_plane, h * W + w));                   \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
    )

#define LP_WINDOW_FACTOR                                                                        \
    const __global store_t* y = output + plane * (ulong)OH * OW;                              \
    const __global store_t* x_plane = input + plane * (ulong)plane_size;                      \
    LP_WINDOW_OUTER(o, oh, ow)                                                                \
    const float factor = outer;                                                               \
    const bool live = scaled_mean != 0.0f;
#define LP_WINDOW_TERM(x) factor * lp_power((x), norm - 1.0f)

LP_KERNEL void lp_backward_scatter_windows(__global const store_t* grad_output, __global const store_t* input,
                                          __global const store_t* output, __global store_t* grad_input,
                                          const int H, const int W, const int OH, const int OW, const int PH,
                                          const int PW, const float p, const int planes_per_item,
                                          const ulong planes RING_PARAMETER)
{
    LP_NORM_CASES_OF(float, WINDOW_SCATTER(LP_WINDOW_FACTOR, LP_WINDOW_TERM))
}
#endif

#if SEGMENT_KERNELS
// What the segment gathers read of 8 consecutive windows (below: the rows frame, GATHER_ROWS,
// and the strided one, GATHER_STRIDED).


// Row r of a gather's block from input row h0, clamped into the input: offsets formed for rows
// past H stay ints (those rows are never stored).
#define BLOCK_ROW_CLAMPED(r) min(h0 + (r), H - 1)

// Checked reads of 8 windows at output offset o of this plane: where o .. o + 7 lie in the plane,
// one vector load whose lanes without a window (EXISTS(j) false: they read a neighbouring row's
// values) are masked; read lane by lane, the lanes became gathers on POCL's AVX-512 variant. Only
// a plane's first and last rows read lane by lane.
#define WINDOWS8_IN_PLANE(o) ((o) >= 0 && (long)(o) + SEGMENT <= (long)OH * OW)
// v: the values of `base` (dY, or LP's y) for the 8 windows at output offset o: one vector load
// unless GUARDED where o .. o + 7 pass the plane's ends, where the windows that exist (EXISTS(j))
// are read one by one and the others read 0.
#define WINDOWS8_LOAD(v, base, GUARDED, EXISTS)                                                 \
    if (!(GUARDED) || WINDOWS8_IN_PLANE(o)) {                                                 \
        v = LOAD8(base, o);                                                                   \
    } else {                                                                                  \
        float values_[SEGMENT];                                                               \
        _Pragma("unroll")                                                                     \
        for (int j = 0; j < SEGMENT; j++) {                                                   \
            values_[j] = EXISTS(j) ? LOAD(base, o + j) : 0.0f;                                \
        }                                                                                     \
        v = vload8(0, values_);                                                               \
    }
#define WINDOWS8_EXIST(EXISTS) \
    (int8)(EXISTS(0) ? -1 : 0, EXISTS(1) ? -1 : 0, EXISTS(2) ? -1 : 0, EXISTS(3) ? -1 : 0, \
           EXISTS(4) ? -1 : 0, EXISTS(5) ? -1 : 0, EXISTS(6) ? -1 : 0, EXISTS(7) ? -1 : 0)

// The dY and indices of the 8 windows at output offset o into g and id. Checked (GUARDED): lanes
// whose window does not exist (EXISTS(j) false) read dY 0 and index -1.
#define INDEXED_READS8(GUARDED, EXISTS)                                                         \
    float8 g;                                                                                 \
    int8 id;                                                                                  \
    if ((GUARDED) && WINDOWS8_IN_PLANE(o)) {                                                 \
        const int8 exists = WINDOWS8_EXIST(EXISTS);                                           \
        g = select((float8)(0.0f), LOAD8(gy, o), exists);                                    \
        id = select((int8)(NO_INDEX), vload8(0, idx + o), exists);                            \
    } else if (GUARDED) {                                                                     \
        float gs[SEGMENT];                                                                    \
        int ids[SEGMENT];                                                                     \
        _Pragma("unroll")                                                                     \
        for (int j = 0; j < SEGMENT; j++) {                                                   \
            gs[j] = EXISTS(j) ? LOAD(gy, o + j) : 0.0f;                                       \
            ids[j] = EXISTS(j) ? idx[o + j] : NO_INDEX;                                       \
        }                                                                                     \
        g = vload8(0, gs);                                                                    \
        id = vload8(0, ids);                                                                  \
    } else {                                                                                  \
        g = LOAD8(gy, o);                                                                     \
        id = vload8(0, idx + o);                                                              \
    }

// avg_backward_gather's quotients dY / divisor for the 8 windows FIRST + j of output row oh
// (output offset o), one vector division, into g. Checked (GUARDED): lanes whose window does not
// exist (EXISTS(j) false) divide whatever, then are set to +0.
#define AVG_QUOTIENTS8(GUARDED, FIRST, EXISTS)                                                  \
    AVG_QUOTIENTS8_BY(GUARDED, avg_divisors8(oh, FIRST, H, W, PH, PW, count_include_pad, divisor_override), EXISTS)
#define AVG_QUOTIENTS8_BY(GUARDED, DIVISORS, EXISTS)                                            \
    float8 gv;                                                                                \
    WINDOWS8_LOAD(gv, gy, GUARDED, EXISTS)                                                    \
    float8 g = gv / (DIVISORS);                                                               \
    if (GUARDED) {                                                                            \
        g = select((float8)(0.0f), g, WINDOWS8_EXIST(EXISTS));                                \
    }
#endif

#if SEGMENT_KERNELS && STORAGE != 3 && SW == 1 && KW <= SEGMENT + 1
// Average and LP backward of windows overlapping along a row with stride 1 there (CPU devices,
// enough planes): indexed_backward_scatter's plane walk with vectors. For dX columns
// c0 .. c0 + 7 of each input row that output row oh's windows reach, the windows
// ow = c0 + PW + j - kw add their terms, kw from KW - 1 down to 0 (ow ascending): each window's
// factor (average: dY / divisor; LP: its outer factor) formed once per window as lanes of 8,
// those of windows c0 + PW - 8 .. c0 + PW + 7 (the first 8 kept from the previous columns)
// shifted by kw. So each element adds its windows in (oh, ow) order, the reference's, once per
// window; a lane whose window does not exist adds +0 (the sum is never -0: bitwise a skip). dY
// is read once and each factor formed once, where the gathers formed every candidate's per
// element block, and POCL's work-group vectorizer turned their lanes into gathers (average 3x3
// s1 p1 backward 34-41 ms, 0.16 of copy, on POCL skylake-avx512).
#define SCATTER_WINDOW_EXISTS(j) (start + (j) >= 0 && start + (j) < OW)
// Lanes 8 - k .. 15 - k of the 16 lanes (a, b), 0 <= k <= 8: swizzles (register shuffles) where
// loads from a private array of both went through the stack at every step.
#define LANES_SHIFTED_IN(a, b, k)                                                               \
    ((k) == 0 ? (b) : (k) == 1 ? (float8)((a).s7, (b).s0123, (b).s456)                         \
    : (k) == 2 ? (float8)((a).s67, (b).s0123, (b).s45) : (k) == 3 ? (float8)((a).s567, (b).s0123, (b).s4) \
    : (k) == 4 ? (float8)((a).s4567, (b).s0123) : (k) == 5 ? (float8)((a).s3, (a).s4567, (b).s012) \
    : (k) == 6 ? (float8)((a).s2345, (a).s67, (b).s01) : (k) == 7 ? (float8)((a).s1234, (a).s567, (b).s0) : (a))


// The walk over planes of dX. FACTORS8(GUARDED) sets, for windows start .. start + 7 of row oh
// (output offset o), `g` (float8: each window's factor) and `live` (float8: 1 where the window
// adds, 0 where not); ROW_INPUT(at, columns) reads what the terms of input row h need at
// columns c0 .. c0 + columns - 1; TERM(factor, live) is what a window with those lanes adds.
#define PLANE_SCATTER(FACTORS8, ROW_INPUT, TERM)                                                \
    SCATTER_PLANE_ROWS(                                                                       \
            float8 before; /* windows c0 + PW - 8 .. c0 + PW - 1 */                            \
            float8 before_live;                                                               \
            {                                                                                 \
                const int start = PW - SEGMENT; /* before column 0's: ow < 0 does not exist */ \
                const long o = (long)oh * OW + start;                                         \
                FACTORS8(true)                                                                \
                before = g;                                                                   \
                before_live = live;                                                           \
            }                                                                                 \
            for (int c0 = 0; c0 < W; c0 += SEGMENT) {                                         \
                const int start = c0 + PW;                                                    \
                const long o = (long)oh * OW + start; /* long: may pass OH*OW by up to 7 */  \
                FACTORS8(start + SEGMENT > OW)                                                \
                const int columns = min(SEGMENT, W - c0);                                     \
                UNROLL_WINDOW                                                                 \
                for (int kh = 0; kh < KH; kh++) {                                             \
                    const int h = oh * SH - PH + kh;                                          \
                    if (h < 0 || h >= H) {                                                    \
                        continue; /* a padding row */                                         \
                    }                                                                         \
                    float8 x;                                                                 \
                    ACC_LOAD8(x, h, c0, columns)                                              \
                    ROW_INPUT(h * W + c0, columns)                                            \
                    UNROLL_ROW                                                                \
                    for (int kw = KW - 1; kw >= 0; kw--) {                                    \
                        x += TERM(LANES_SHIFTED_IN(before, g, kw), LANES_SHIFTED_IN(before_live, live, kw)); \
                    }                                                                         \
                    ACC_STORE8(x, h, c0, columns)                                             \
                }                                                                             \
                before = g; /* the next columns' earlier windows */                           \
                before_live = live;                                                           \
            }                                                                                 \
    )

// x: elements at .. at + 7 of `row` (a row's last `columns` < 8 read one by one, the rest 0).
#define ROW_LOAD8(x, row, at, columns)                                                          \
    if ((columns) < SEGMENT) {                                                                \
        float xs_[SEGMENT];                                                                   \
        _Pragma("unroll")                                                                     \
        for (int j = 0; j < SEGMENT; j++) {                                                   \
            xs_[j] = j < (columns) ? LOAD(row, (at) + j) : 0.0f;                              \
        }                                                                                     \
        x = vload8(0, xs_);                                                                   \
    } else {                                                                                  \
        x = LOAD8(row, at);                                                                   \
    }

#define AVG_FACTORS8(GUARDED)                                                                   \
    AVG_QUOTIENTS8(GUARDED, start, SCATTER_WINDOW_EXISTS)                                     \
    const float8 live = g; /* unused: a missing window's quotient is +0 */
#define NO_ROW_INPUT(at, columns)
#define AVG_TERM(factor, live) (factor)

AVG_KERNEL void avg_backward_scatter(__global const store_t* grad_output, __global store_t* grad_input,
                                   const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                   const int count_include_pad, const int divisor_override,
                                   const int planes_per_item, const ulong planes RING_PARAMETER)
{
    PLANE_SCATTER(AVG_FACTORS8, NO_ROW_INPUT, AVG_TERM)
}

// LP: the outer factors of LP_WINDOWS_OUTER with each lane's divisor (a row's windows differ at
// its ends); a window adds nothing where its y^p is 0 or it does not exist (live 0), so the term
// is selected, not multiplied by 0 (x^(p-1) may be infinite or NaN).
#define LP_FACTORS8(GUARDED)                                                                    \
    const __global store_t* y = output + plane * (ulong)OH * OW;                              \
    float8 gv;                                                                                \
    float8 yv;                                                                                \
    WINDOWS8_LOAD(gv, gy, GUARDED, SCATTER_WINDOW_EXISTS)                                     \
    WINDOWS8_LOAD(yv, y, GUARDED, SCATTER_WINDOW_EXISTS)                                      \
    const int8 exists = (GUARDED) ? WINDOWS8_EXIST(SCATTER_WINDOW_EXISTS) : (int8)(-1);       \
    const float8 scaled_mean = lp_power8(yv, norm);                                           \
    const float8 g = LP_OUTER(gv, scaled_mean, avg_divisors8(oh, start, H, W, PH, PW, 1, 0), lp_power8); \
    const float8 live = select((float8)(0.0f), (float8)(1.0f), exists & (scaled_mean != 0.0f));
#define LP_ROW_INPUT(at, columns)                                                               \
    const __global store_t* x_plane = input + plane * (ulong)plane_size;                      \
    float8 xin;                                                                               \
    ROW_LOAD8(xin, x_plane, at, columns)                                                      \
    const float8 x_power = lp_power8(xin, norm - 1.0f);
#define LP_TERM(factor, live) select((float8)(0.0f), (factor) * x_power, (live) != 0.0f)

LP_KERNEL void lp_backward_scatter(__global const store_t* grad_output, __global const store_t* input,
                                  __global const store_t* output, __global store_t* grad_input,
                                  const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                  const float p, const int planes_per_item, const ulong planes RING_PARAMETER)
{
    LP_NORM_CASES_OF(float, PLANE_SCATTER(LP_FACTORS8, LP_ROW_INPUT, LP_TERM))
}
#endif

#if SW == 1 && SEGMENT_KERNELS && ROWS > 1
// The gathers over a block of 8 input columns by ROWS input rows (CPU devices, stride 1 along
// rows, windows overlapping down the columns): each candidate output row's 8 windows per kernel
// column are read once (WINDOW8: dY and indices, or dY / divisor) for every input row of the
// block they reach (for 3x3 stride 1, 6 output rows for 4 input rows instead of 3 per input row).
// The order of each element's sum is the reference's and the per-element gathers': candidate
// output rows ascending (t ascending is kh descending for a fixed input row), then columns
// ascending (kw descending). Segments at a row's ends take the same path with checked loads: a
// lane whose candidate window does not exist reads gradient 0 (and index -1), which adds +0 (the
// sum is never -0, so +0 leaves it bitwise unchanged). TERM8(r): what input row h0 + r adds.
#define GATHER_ROWS(GUARDED, WINDOW8, TERM8)                                                    \
    _Pragma("unroll")                                                                         \
    for (int t = -(KH - 1) * DH; t < ROWS; t++) {                                             \
        const int span_h = h0 + PH + t;                                                       \
        if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int oh = span_h / SH;                                                           \
        UNROLL_ROW                                                                            \
        for (int kw = KW - 1; kw >= 0; kw--) {                                                \
            const int ow0 = w0 + PW - kw * DW; /* lane j's candidate window: ow0 + j */       \
            const int o = oh * OW + ow0;                                                      \
            WINDOW8(GUARDED)                                                                  \
            _Pragma("unroll")                                                                 \
            for (int r = 0; r < ROWS; r++) {                                                  \
                const int d = r - t; /* kh * DH for input row h0 + r */                       \
                if (d >= 0 && d % DH == 0 && d / DH < KH) {                                   \
                    sum[r] += TERM8(r);                                                       \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

// Whether lane j's candidate window ow0 + j exists.
#define WINDOW_EXISTS(j) ((long)ow0 + (j) >= 0 && (long)ow0 + (j) < OW)

// The block's sums stored: whole segments as vectors, a row's ends element by element.
#define GATHER_ROWS_STORE(GUARDED)                                                              \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        if (h0 + r < H) {                                                                     \
            if (!(GUARDED)) {                                                                 \
                STORE8(gx, (h0 + r) * W + w0, sum[r]);                                        \
            } else {                                                                          \
                float sums[SEGMENT];                                                          \
                vstore8(sum[r], 0, sums);                                                     \
                for (int j = 0; j < SEGMENT && w0 + j < W; j++) {                             \
                    STORE(gx, (h0 + r) * W + w0 + j, sums[j]);                                \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }

// The block's first input column w0 and row h0, its sums, and whether every lane's candidate
// windows exist and its columns lie inside the input.
#define GATHER_ROWS_START                                                                       \
    const int w0 = (int)get_global_id(0) * SEGMENT;                                           \
    const int h0 = (int)get_global_id(1) * ROWS;                                              \
    const ulong plane = get_global_id(2);                                                     \
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;                        \
    __global store_t* gx = grad_input + plane * (ulong)H * W;                                 \
    const bool inner = w0 + PW - (KW - 1) * DW >= 0 && (long)w0 + SEGMENT - 1 + PW < OW && (long)w0 + SEGMENT <= W; \
    float8 sum[ROWS];                                                                         \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        sum[r] = (float8)(0.0f);                                                              \
    }

#define INDEXED_WINDOW8(GUARDED) INDEXED_READS8(GUARDED, WINDOW_EXISTS)
#define INDEXED_TERM8(r) select((float8)(0.0f), g, id == at + BLOCK_ROW_CLAMPED(r) * W)

EXTREMUM_KERNEL void indexed_backward_gather_rows(__global const store_t* grad_output, __global const int* indices,
                                           __global store_t* grad_input, const int H, const int W, const int OH,
                                           const int OW, const int PH, const int PW)
{
    GATHER_ROWS_START
    const __global int* idx = indices + plane * (ulong)OH * OW;
    const int8 at = (int8)(w0) + (int8)(0, 1, 2, 3, 4, 5, 6, 7); /* plus the row's h * W */
    if (inner) {
        GATHER_ROWS(false, INDEXED_WINDOW8, INDEXED_TERM8)
        GATHER_ROWS_STORE(false)
    } else {
        GATHER_ROWS(true, INDEXED_WINDOW8, INDEXED_TERM8)
        GATHER_ROWS_STORE(true)
    }
}

#define AVG_WINDOW8(GUARDED) AVG_QUOTIENTS8(GUARDED, ow0, WINDOW_EXISTS)
#define AVG_TERM8(r) g

AVG_KERNEL void avg_backward_gather_rows(__global const store_t* grad_output, __global store_t* grad_input,
                                       const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                       const int count_include_pad, const int divisor_override)
{
    GATHER_ROWS_START
    if (inner) {
        GATHER_ROWS(false, AVG_WINDOW8, AVG_TERM8)
        GATHER_ROWS_STORE(false)
    } else {
        GATHER_ROWS(true, AVG_WINDOW8, AVG_TERM8)
        GATHER_ROWS_STORE(true)
    }
}
#endif

#if SW > 1 && SEGMENT_KERNELS
// The gathers for strides above 1 along rows (CPU devices; e.g. ResNet's 3x3 stride 2 stem): a
// work-item sums the SEGMENT * SW input columns c0 + t*SW + c (t < SEGMENT, c < SW) from
// c0 = ow0*SW - PW of ROWS input rows from h0, as SW vectors sum[r][c] over t per row. Column
// c0 + t*SW + c lies in window ow0 + t + m under kernel column kw exactly when c - kw*DW = m*SW,
// a compile-time test and shift, so for each (kh, kw) one residue c takes 8 consecutive windows:
// one vector read of them (WINDOW8: dY and indices, or dY / divisor), where the per-element
// gathers test and read per element. That read (and for average its division) is shared by the
// kernel columns with the same shift m (kw = 0 and 1 of a 3x3 stride 2 window; average 3x3 s2
// backward spent most of its time dividing) and, as in GATHER_ROWS, by the block's rows the
// output row reaches (3x3 stride 2, 4 rows: 3 output rows read where one row at a time read 6).
// Each element's sum visits its windows in the reference's order (output rows ascending, which
// is kh descending, then kw descending: m ascending) and adds 0 for a window it does not win or
// that does not exist (the sum is never -0, so bitwise the same as skipping it). Work-items whose
// columns or windows pass the input's or output's ends take checked reads (a missing window
// reads dY 0 and index -1) and store only their columns inside the input; rows past H are not
// stored. TERM8(r, c): what residue c's columns of row h0 + r add; PROLOGUE: what a work-item
// forms once, before its rows.
#define STRIDED_M_MIN (-(((KW - 1) * DW + SW - 1) / SW)) /* the lowest window shift m */
// The candidate output rows' loop, unrolled where the block and its windows' rows are few.
#if (KH - 1) * DH + ROWS <= 16
#define UNROLL_CANDIDATE_ROWS _Pragma("unroll")
#else
#define UNROLL_CANDIDATE_ROWS
#endif
#define GATHER_STRIDED(PROLOGUE, WINDOW8, TERM8)                                              \
    const int ow0 = (int)get_global_id(0) * SEGMENT;                                          \
    const int h0 = (int)get_global_id(1) * ROWS;                                              \
    const ulong plane = get_global_id(2);                                                     \
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;                        \
    __global store_t* gx = grad_input + plane * (ulong)H * W;                                 \
    const int c0 = ow0 * SW - PW; /* in [-PW, W - 1]: the host launches ceil((W + PW) / (SEGMENT*SW)) items */ \
    const bool columns_inside = c0 >= 0 && (long)c0 + SEGMENT * SW <= W;                      \
    const bool inner = columns_inside && ow0 + STRIDED_M_MIN >= 0 && ow0 + SEGMENT <= OW;     \
    const int8 lane = (int8)(0, 1, 2, 3, 4, 5, 6, 7) * SW;                                    \
    float8 sum[ROWS][SW];                                                                     \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < SW; c++) {                                                        \
            sum[r][c] = (float8)(0.0f);                                                       \
        }                                                                                     \
    }                                                                                         \
    PROLOGUE                                                                                  \
    UNROLL_CANDIDATE_ROWS                                                                     \
    for (int t = -(KH - 1) * DH; t < ROWS; t++) {                                             \
        const int span_h = h0 + PH + t;                                                       \
        if (span_h < 0 || span_h % SH != 0 || span_h / SH >= OH) {                            \
            continue;                                                                         \
        }                                                                                     \
        const int oh = span_h / SH;                                                           \
        UNROLL_ROW                                                                            \
        for (int m = STRIDED_M_MIN; m <= 0; m++) {                                            \
            const int first = ow0 + m; /* lane j's window: first + j */                       \
            const int o = oh * OW + first;                                                    \
            WINDOW8(!inner) /* once per shift m and output row: the kw and rows that share it add it */ \
            _Pragma("unroll")                                                                 \
            for (int r = 0; r < ROWS; r++) {                                                  \
                const int d = r - t; /* kh * DH for input row h0 + r */                       \
                if (d >= 0 && d % DH == 0 && d / DH < KH) {                                   \
                    _Pragma("unroll")                                                         \
                    for (int c = 0; c < SW; c++) {                                            \
                        const int tap = c - m * SW; /* kw * DW of the kw that puts residue c in window first + j */ \
                        if (tap % DW == 0 && tap / DW < KW) {                                 \
                            sum[r][c] += TERM8(r, c);                                         \
                        }                                                                     \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        if (h0 + r < H) {                                                                     \
            if (inner) {                                                                      \
                BAND_ROW_STORE((h0 + r) * W + c0, sum[r])                                     \
            } else {                                                                          \
                BAND_ROW_STORE_CLIPPED((h0 + r) * W + c0, sum[r], max(0, -c0), (int)min((long)SEGMENT * SW, (long)W - c0)) \
            }                                                                                 \
        }                                                                                     \
    }


// Whether lane j's window first + j exists.
#define STRIDED_WINDOW_EXISTS(j) (first + (j) >= 0 && first + (j) < OW)

#define STRIDED_INDEXED_WINDOW8(GUARDED) INDEXED_READS8(GUARDED, STRIDED_WINDOW_EXISTS)
// Residue c's offsets in row h; columns past the input are never stored: clamped so the offset
// stays an int.
#define STRIDED_AT8(h, c) (!inner ? (int8)((h) * W + c0) + clamp((int8)(c) + lane, (int8)(-c0), (int8)(W - 1 - c0)) \
                                  : (int8)((h) * W + c0 + (c)) + lane)
#define STRIDED_INDEXED_TERM8(r, c) select((float8)(0.0f), g, id == STRIDED_AT8(BLOCK_ROW_CLAMPED(r), c))

EXTREMUM_KERNEL void indexed_backward_gather_strided(__global const store_t* grad_output, __global const int* indices,
                                              __global store_t* grad_input, const int H, const int W, const int OH,
                                              const int OW, const int PH, const int PW)
{
    const __global int* idx = indices + get_global_id(2) * (ulong)OH * OW;
    GATHER_STRIDED(, STRIDED_INDEXED_WINDOW8, STRIDED_INDEXED_TERM8)
}

// The windows' column extents per shift m do not change with the row: formed once per work-item.
#define STRIDED_AVG_COLUMNS                                                                     \
    int8 columns[1 - STRIDED_M_MIN];                                                          \
    UNROLL_ROW                                                                                \
    for (int m = STRIDED_M_MIN; m <= 0; m++) {                                                \
        columns[m - STRIDED_M_MIN] = avg_columns8(ow0 + m, W, PW, count_include_pad);         \
    }
#define STRIDED_AVG_WINDOW8(GUARDED)                                                            \
    AVG_QUOTIENTS8_BY(GUARDED, avg_divisors8_of(columns[m - STRIDED_M_MIN],                   \
                                                (int)pooled_extent(oh, H, KH, SH, PH, count_include_pad), \
                                                divisor_override), STRIDED_WINDOW_EXISTS)
#define STRIDED_AVG_TERM8(r, c) g

AVG_KERNEL void avg_backward_gather_strided(__global const store_t* grad_output, __global store_t* grad_input,
                                          const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                          const int count_include_pad, const int divisor_override)
{
    GATHER_STRIDED(STRIDED_AVG_COLUMNS, STRIDED_AVG_WINDOW8, STRIDED_AVG_TERM8)
}

// LP: each element's x^(p-1) formed once per work-item (its block's ROWS x SEGMENT*SW inputs, a
// row past H read clamped and never stored), and each window's outer factor once per shift m
// and output row, 8 windows as vectors (the window scatter formed them one window at a time);
// a window that does not exist or whose y^p is 0 adds +0, as the scatters skip it.
#define STRIDED_LP_PROLOGUE                                                                   \
    const __global store_t* y = output + plane * (ulong)OH * OW;                              \
    const __global store_t* x_plane = input + plane * (ulong)H * W;                           \
    STRIDED_AVG_COLUMNS                                                                       \
    float8 k_over_divisor[1 - STRIDED_M_MIN]; /* K/n of the windows of a full-height row */  \
    UNROLL_ROW                                                                                \
    for (int m = STRIDED_M_MIN; m <= 0; m++) {                                                \
        k_over_divisor[m - STRIDED_M_MIN] = LP_K_OVER(avg_divisors8_of(columns[m - STRIDED_M_MIN], KH, 0)); \
    }                                                                                         \
    float8 x_power[ROWS][SW];                                                                 \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        const int row_at = BLOCK_ROW_CLAMPED(r) * W;                                          \
        float xs[SEGMENT * SW];                                                               \
        if (columns_inside) {                                                                 \
            _Pragma("unroll")                                                                 \
            for (int k = 0; k < SW; k++) {                                                    \
                vstore8(LOAD8(x_plane, row_at + c0 + k * SEGMENT), k, xs);                    \
            }                                                                                 \
        } else { /* columns outside the input read clamped: never stored */                   \
            LOAD_SPAN(xs, SEGMENT * SW, x_plane, row_at + clamp(c0 + i, 0, W - 1), 1)         \
        }                                                                                     \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < SW; c++) {                                                        \
            x_power[r][c] = lp_power8(LANES8(xs, c), norm - 1.0f);                            \
        }                                                                                     \
    }
#define STRIDED_LP_WINDOW8(GUARDED)                                                           \
    float8 gv;                                                                                \
    float8 yv;                                                                                \
    WINDOWS8_LOAD(gv, gy, GUARDED, STRIDED_WINDOW_EXISTS)                                     \
    WINDOWS8_LOAD(yv, y, GUARDED, STRIDED_WINDOW_EXISTS)                                      \
    const float8 scaled_mean = lp_power8(yv, norm);                                           \
    const int rows_ = (int)pooled_extent(oh, H, KH, SH, PH, 1);                               \
    const float8 g = LP_OUTER_BY(gv, scaled_mean, rows_ == KH ? k_over_divisor[m - STRIDED_M_MIN] \
                                 : LP_K_OVER(avg_divisors8_of(columns[m - STRIDED_M_MIN], rows_, 0)), \
                                 lp_power8);                                                  \
    const int8 live = ((GUARDED) ? WINDOWS8_EXIST(STRIDED_WINDOW_EXISTS) : (int8)(-1)) & (scaled_mean != 0.0f);
#define STRIDED_LP_TERM8(r, c) select((float8)(0.0f), g * x_power[r][c], live)

LP_KERNEL void lp_backward_gather_strided(__global const store_t* grad_output, __global const store_t* input,
                                         __global const store_t* output, __global store_t* grad_input,
                                         const int H, const int W, const int OH, const int OW, const int PH,
                                         const int PW, const float p)
{
    const int count_include_pad = 1; /* LP's divisor counts the window's taps inside the padded input */
    LP_NORM_CASES_OF(float, GATHER_STRIDED(STRIDED_LP_PROLOGUE, STRIDED_LP_WINDOW8, STRIDED_LP_TERM8))
}
#endif

#ifndef COLS_G
#define COLS_G 2 /* DirectKernels.gatherColumns */
#endif
#define GATHER_MASKED (SH == 1 && SW == 1)
#define BLOCK_T (ROWS + (KH - 1) * DH)
#define BLOCK_U (COLS_G + (KW - 1) * DW)
// The gathers for GPU devices (overlapping windows; LP's disjoint ones too): a work-item sums a
// block of ROWS x COLS_G input elements, reading each candidate window once into registers for
// every element of the block it reaches (3x3 stride 1, 8 x 2 block: 10 x 4 windows for 16
// elements, where a gather per element reads 9 each; the H100 probe's 0.89 of copy for max). Each element's sum visits its
// windows in the reference's order (output rows, then columns, ascending: t, then u ascending),
// as the per-element gathers do, and adds what they add, so both give the same bits.
// With stride 1 every candidate is a window but at the borders: those are read clamped and
// masked rather than skipped (GATHER_MASKED), so all of a work-item's loads can be in flight at
// once, as in the column kernels. Strided windows keep the skip: most candidates are none.
//   ELEMENT  per element (r, c) of the block, at clamped input (h_in, w_in): what it keeps
//   WINDOW   per candidate window (oh, ow) at output offset o: what every element reads of it
//   TAKE     whether element (r, c) adds the window (it lies in it and the window exists)
//   TERM     what it adds
#define GATHER_BLOCK(ELEMENT, WINDOW, TAKE, TERM)                                               \
    float sum[ROWS][COLS_G];                                                                  \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < COLS_G; c++) {                                                    \
            sum[r][c] = 0.0f;                                                                 \
            /* elements past the input are never stored; clamped so offsets stay ints */    \
            const int h_in = min(h0 + r, H - 1);                                              \
            const int w_in = min(w0 + c, W - 1);                                              \
            ELEMENT                                                                           \
        }                                                                                     \
    }                                                                                         \
    _Pragma("unroll")                                                                         \
    for (int t = -(KH - 1) * DH; t < ROWS; t++) {                                             \
        const int span_h = h0 + PH + t;                                                       \
        const bool row_window = span_h >= 0 && span_h % SH == 0 && span_h / SH < OH;          \
        if (!GATHER_MASKED && !row_window) {                                                  \
            continue;                                                                         \
        }                                                                                     \
        const int oh = clamp(span_h / SH, 0, OH - 1);                                         \
        _Pragma("unroll")                                                                     \
        for (int u = -(KW - 1) * DW; u < COLS_G; u++) {                                       \
            const int span_w = w0 + PW + u;                                                   \
            const bool window = row_window && span_w >= 0 && span_w % SW == 0 && span_w / SW < OW; \
            if (!GATHER_MASKED && !window) {                                                  \
                continue;                                                                     \
            }                                                                                 \
            const int ow = clamp(span_w / SW, 0, OW - 1);                                     \
            const int o = oh * OW + ow;                                                       \
            WINDOW                                                                            \
            _Pragma("unroll")                                                                 \
            for (int r = 0; r < ROWS; r++) {                                                  \
                _Pragma("unroll")                                                             \
                for (int c = 0; c < COLS_G; c++) {                                            \
                    const int dr = r - t; /* kh * DH */                                       \
                    const int dc = c - u; /* kw * DW */                                       \
                    if (dr >= 0 && dr % DH == 0 && dr / DH < KH && dc >= 0 && dc % DW == 0 && dc / DW < KW) { \
                        const bool take = window && (TAKE);                                   \
                        sum[r][c] = take ? sum[r][c] + (TERM) : sum[r][c];                    \
                    }                                                                         \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
    }                                                                                         \
    _Pragma("unroll")                                                                         \
    for (int r = 0; r < ROWS; r++) {                                                          \
        _Pragma("unroll")                                                                     \
        for (int c = 0; c < COLS_G; c++) {                                                    \
            if (h0 + r < H && w0 + c < W) {                                                   \
                STORE(gx, (h0 + r) * W + w0 + c, sum[r][c]);                                  \
            }                                                                                 \
        }                                                                                     \
    }

#if BLOCK_T * BLOCK_U <= UNROLL_TAPS
// indexed_backward_gather's sums: the windows the element wins.
EXTREMUM_KERNEL void indexed_backward_gather_block(__global const store_t* grad_output, __global const int* indices,
                                            __global store_t* grad_input, const int H, const int W, const int OH,
                                            const int OW, const int PH, const int PW)
{
    BLOCK_ORIGIN(FLAT_BLOCKS, w0, h0, COLS_G, ROWS, W, H)
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global int* idx = indices + plane * (ulong)OH * OW;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    int at[ROWS][COLS_G];
    GATHER_BLOCK(at[r][c] = h_in * W + w_in;,
                 const float g = LOAD(gy, o); const int id = idx[o];,
                 id == at[r][c],
                 g)
}

// avg_backward_gather's sums: dY / divisor over every window containing the element, each
// window's quotient formed once.
AVG_KERNEL void avg_backward_gather_block(__global const store_t* grad_output, __global store_t* grad_input,
                                        const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                        const int count_include_pad, const int divisor_override)
{
    BLOCK_ORIGIN(FLAT_BLOCKS, w0, h0, COLS_G, ROWS, W, H)
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    GATHER_BLOCK(,
                 const float g = LOAD(gy, o) / (float)WINDOW_DIVISOR(oh, ow, count_include_pad, divisor_override);,
                 true,
                 g)
}

// lp_backward_gather's sums: each window's outer factor formed once, each element's x^(p-1) once.
LP_KERNEL void lp_backward_gather_block(__global const store_t* grad_output, __global const store_t* input,
                                       __global const store_t* output, __global store_t* grad_input,
                                       const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                       const float p)
{
    BLOCK_ORIGIN(FLAT_BLOCKS, w0, h0, COLS_G, ROWS, W, H)
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global store_t* y = output + plane * (ulong)OH * OW;
    const __global store_t* x = input + plane * (ulong)H * W;
    __global store_t* gx = grad_input + plane * (ulong)H * W;
    float x_power[ROWS][COLS_G];
    LP_NORM_CASES_OF(float, GATHER_BLOCK(x_power[r][c] = lp_power(LOAD(x, h_in * W + w_in), norm - 1.0f);,
                                         LP_WINDOW_OUTER(o, oh, ow),
                                         scaled_mean != 0.0f,
                                         outer * x_power[r][c]))
}
#endif

// dX(h, w) = sum over the windows containing (h, w) of dY / divisor. With disjoint windows there is
// at most one, so this is the elementwise map.
AVG_KERNEL void avg_backward_gather(__global const store_t* grad_output, __global store_t* grad_input,
                                  const int H, const int W, const int OH, const int OW, const int PH, const int PW,
                                  const int count_include_pad, const int divisor_override)
{
    const int w = (int)get_global_id(0);
    const int h = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    float sum = 0.0f;
    FOR_CANDIDATE_WINDOWS(1, 1, {
        sum += LOAD(gy, o) / (float)WINDOW_DIVISOR(oh, ow, count_include_pad, divisor_override);
    })
    STORE(grad_input, plane * (ulong)H * W + (ulong)h * W + w, sum);
}

// The chain rule through y = (K*avg(x^p))^(1/p), as the reference forms it: each window adds
// dY * (K/n) * (K*avg)^(1/p - 1) * x^(p-1) (LP_WINDOW_OUTER), and nothing where K*avg = y^p is 0.
LP_KERNEL void lp_backward_gather(__global const store_t* grad_output, __global const store_t* input,
                                 __global const store_t* output, __global store_t* grad_input,
                                 const int H, const int W, const int OH, const int OW, const int PH, const int PW, const float p)
{
    const int w = (int)get_global_id(0);
    const int h = (int)get_global_id(1);
    const ulong plane = get_global_id(2);
    const __global store_t* gy = grad_output + plane * (ulong)OH * OW;
    const __global store_t* y = output + plane * (ulong)OH * OW;
    const ulong i = plane * (ulong)H * W + (ulong)h * W + w;
    float sum = 0.0f;
    LP_NORM_CASES_OF(float, FOR_CANDIDATE_WINDOWS(1, 1, {
        LP_WINDOW_OUTER(o, oh, ow)
        if (scaled_mean != 0.0f) {
            sum += outer * lp_power(LOAD(input, i), norm - 1.0f);
        }
    }))
    STORE(grad_input, i, sum);
}
