package io.clpool.support;

import io.clpool.Algorithm;
import java.util.List;

/** The OpenCL algorithms every differential and conformance test runs on. */
public final class TestAlgorithms {
    private TestAlgorithms() {}

    public static final List<Algorithm> ALL = List.of(Algorithm.IM2COL, Algorithm.DIRECT);
}
