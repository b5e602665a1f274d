package io.clpool.support;

/**
 * A system property set for a while, the way the tests force a kernel family or a GPU-family
 * variant: {@code try (SystemProperty p = SystemProperty.set(NAME, "gpu")) { ... }}. Closing puts
 * back what was there before (or clears it), so one test's setting never leaks into the next.
 */
public final class SystemProperty implements AutoCloseable {
    private final String name;
    private final String before;

    private SystemProperty(String name, String before) {
        this.name = name;
        this.before = before;
    }

    /** Sets {@code name} to {@code value} until {@link #close}. */
    public static SystemProperty set(String name, String value) {
        SystemProperty restore = new SystemProperty(name, System.getProperty(name));
        System.setProperty(name, value);
        return restore;
    }

    @Override
    public void close() {
        if (before == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, before);
        }
    }
}
