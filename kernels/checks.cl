// Device-side checks of index buffers that did not come from this library's own forward pass
// (an uploaded IndexTensor, or indices made for another geometry). Each kernel records the
// position of the first bad index in *first_bad with atomic_min; the host reads that one int
// back and names the bad index before any kernel could use it. Integer atomics: deterministic.
// Positions j fit an int: the host checks at most 2^31 - 1 indices at a time (IndexChecks);
// window coordinates o*S - P fit an int for every accepted geometry (PoolSpec.outputShape).

#define GEOMETRY WINDOW_GEOMETRY

// True when `offset` is one of `taps` taps spaced by `dilation` from a window start.
inline bool on_tap(const int offset, const int taps, const int dilation)
{
    return offset >= 0 && offset % dilation == 0 && offset / dilation < taps;
}

// Fixed-window pooling: index j must be a tap of output j's own window.
__kernel void check_window_indices(__global const int* indices,
                                   volatile __global int* first_bad,
                                   const ulong count,
                                   GEOMETRY)
{
    const ulong j = get_global_id(0);
    if (j >= count) {
        return;
    }
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
    const int index = indices[j];
    bool ok = index >= 0 && (long)index < (long)H * W;
    if (ok) {
        const int h = index / W;
        const int w = index - h * W;
        ok = on_tap(h - (oh * SH - PH), KH, DH) && on_tap(w - (ow * SW - PW), KW, DW);
    }
    if (!ok) {
        atomic_min(first_bad, (int)j);
    }
}

// Adaptive pooling: index j must lie in rows [floor(oh*H/OH), ceil((oh+1)*H/OH)) and likewise
// for columns.
__kernel void check_adaptive_indices(__global const int* indices,
                                     volatile __global int* first_bad,
                                     const ulong count,
                                     const int H, const int W, const int OH, const int OW)
{
    const ulong j = get_global_id(0);
    if (j >= count) {
        return;
    }
    const int ow = (int)(j % OW);
    const int oh = (int)((j / OW) % OH);
    const int index = indices[j];
    bool ok = index >= 0 && (long)index < (long)H * W;
    if (ok) {
        const int h = index / W;
        const int w = index - h * W;
        ok = h >= adaptive_start(oh, H, OH) && h < adaptive_end(oh, H, OH)
          && w >= adaptive_start(ow, W, OW) && w < adaptive_end(ow, W, OW);
    }
    if (!ok) {
        atomic_min(first_bad, (int)j);
    }
}

// Unpooling: index j must lie inside the output plane of `plane_size` elements.
__kernel void check_plane_indices(__global const int* indices,
                                  volatile __global int* first_bad,
                                  const ulong count,
                                  const long plane_size)
{
    const ulong j = get_global_id(0);
    if (j >= count) {
        return;
    }
    const int index = indices[j];
    if (index < 0 || (long)index >= plane_size) {
        atomic_min(first_bad, (int)j);
    }
}
