package io.clpool.opencl;

import io.clpool.PoolResult;
import io.clpool.Tensor;
import io.clpool.reference.ReferencePooling;
import io.clpool.spec.PoolSpec;
import io.clpool.spec.Shape;

/** Run in a child JVM that sees no OpenCL platform: reports what the library says, then uses the reference. */
public final class NoOpenClProbe {
    private NoOpenClProbe() {}

    public static void main(String[] args) {
        try {
            Devices.list();
            System.out.println("unexpected: devices found");
        } catch (OpenClUnavailableException e) {
            System.out.println("unavailable: " + e.getMessage());
        }
        try {
            OpenClPooling.createDefault(io.clpool.Algorithm.AUTO).close();
            System.out.println("unexpected: backend created");
        } catch (OpenClUnavailableException e) {
            System.out.println("backend: " + e.getMessage());
        }
        PoolResult r = new ReferencePooling().maxPool2d(new Tensor(Shape.of(1, 1, 2, 2), new float[] {1, 4, 3, 2}), PoolSpec.of(2));
        System.out.println("reference max: " + r.values().data()[0] + " at " + r.indices().data()[0]);
    }
}
