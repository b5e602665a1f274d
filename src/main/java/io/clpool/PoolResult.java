package io.clpool;

/** Values and winning indices of a max, min or adaptive-max pooling. */
public record PoolResult(Tensor values, IndexTensor indices) {
}
