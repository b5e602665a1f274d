package io.clpool.pipeline;

import org.jocl.CL;
import org.jocl.cl_command_queue;
import org.jocl.cl_event;

/** Event plumbing shared by the pipeline helpers. */
final class Events {
    private Events() {}

    /**
     * Makes every later command of {@code q} wait for {@code waitFor}: a barrier with that wait
     * list (no event of its own: nobody waits on it). Nothing if the list is empty.
     */
    static void barrier(cl_command_queue q, cl_event... waitFor) {
        if (waitFor == null || waitFor.length == 0) {
            return;
        }
        check(CL.clEnqueueBarrierWithWaitList(q, waitFor.length, waitFor, null), "clEnqueueBarrierWithWaitList");
    }

    static void check(int status, String call) {
        if (status != CL.CL_SUCCESS) {
            throw new IllegalStateException(call + " failed with " + CL.stringFor_errorCode(status) + " (" + status + ")");
        }
    }
}
