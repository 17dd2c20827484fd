package io.framewire.gpu.filter;

/** Which of OpenCV's CUDA modules can run on this host, as the worker's probe found: what a chain may use. */
public interface CudaModules
{
    /** True when {@code module} (e.g. {@code cudafilters}) ran its probe on the device. */
    boolean moduleUsable(String module);

    /** What the probe said of {@code module}, for the log when a step runs on the CPU instead. */
    String moduleStatus(String module);
}
