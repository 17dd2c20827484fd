package io.framewire.worker.filter;

import java.util.List;

/**
 * A filter a pipeline may name: its parameters, whether it needs the previous frame, a check of rules between
 * parameters, and how to make one.
 */
public record FilterDef(String name, String description, List<ParamDef> params, boolean needsPrevious, Check check,
    Factory factory)
{
    FilterDef(final String name, final String description, final List<ParamDef> params, final Factory factory)
    {
        this(name, description, params, false, p -> { }, factory);
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
