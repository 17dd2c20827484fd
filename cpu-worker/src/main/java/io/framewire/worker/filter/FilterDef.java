package io.framewire.worker.filter;

import java.util.List;

/**
 * A filter a pipeline may name, and every fact about it that does not depend on where it runs: its parameters, the
 * channels of its result, whether it compares with the previous frame, a check of rules between parameters, and how
 * to make its CPU filter. The GPU worker registers its CUDA twins against the same definitions.
 */
public record FilterDef(String name, String description, List<ParamDef> params, Output output,
    boolean needsPrevious, Check check, Factory factory)
{
    /** The channels of a filter's result. */
    public enum Output
    {
        /** As many as its input: 1 (grey) or 3 (BGR). */
        SAME,
        /** One: grey levels, edges, gradients. */
        GRAY,
        /** Three: a colour picture drawn from the frame. */
        BGR;

        public int channels(final int inputChannels)
        {
            return switch (this)
            {
                case SAME -> inputChannels;
                case GRAY -> 1;
                case BGR -> 3;
            };
        }
    }

    /** A filter that looks at one frame and has no rules between its parameters. */
    FilterDef(final String name, final String description, final List<ParamDef> params, final Output output,
        final Factory factory)
    {
        this(name, description, params, output, false, p -> { }, factory);
    }

    /** Makes a filter from checked parameter values. */
    @FunctionalInterface
    public interface Factory
    {
        FrameFilter create(Params params);
    }

    /** Rules between parameters, checked when a pipeline is parsed, before any filter is made. */
    @FunctionalInterface
    public interface Check
    {
        void accept(Params params) throws FilterSpecException;
    }
}
