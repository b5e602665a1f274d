// Test-only (StorageConversionTest): window.cl's storage conversions element by element, the
// vector ones (LOAD8, LOAD8_COMPARED, STORE8) beside the scalar ones (LOAD, STORE), at any position.

__kernel void load_probe(__global const store_t* in, __global float* vector, __global float* compared,
                         __global float* scalar, const int shift)
{
    const int i = get_global_id(0);
    vstore8(LOAD8(in, 8 * i + shift), i, vector);
    vstore8(LOAD8_COMPARED(in, 8 * i + shift), i, compared);
    for (int j = 0; j < 8; j++) {
        scalar[8 * i + j] = LOAD(in, 8 * i + shift + j);
    }
}

__kernel void store_probe(__global const float* in, __global store_t* vector, __global store_t* scalar, const int shift)
{
    const int i = get_global_id(0);
    STORE8(vector, 8 * i + shift, vload8(i, in));
    for (int j = 0; j < 8; j++) {
        STORE(scalar, 8 * i + shift + j, in[8 * i + j]);
    }
}
