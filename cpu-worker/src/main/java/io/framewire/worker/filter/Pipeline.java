package io.framewire.worker.filter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A checked filter pipeline: {@code step ('|' step)*}, {@code step = name [':' key=value (',' key=value)*]}, e.g.
 * {@code gray|gaussian:ksize=5|canny:low=50,high=150}. {@link #spec()} is its canonical form, every parameter
 * spelled out, which is what the server sends to workers with each frame.
 */
public final class Pipeline
{
    /** Longest pipeline text accepted; it travels with every frame. */
    public static final int MAX_SPEC_LENGTH = 1024;
    public static final int MAX_STEPS = 16;

    private final List<Step> steps;
    private final String spec;

    private Pipeline(final List<Step> steps)
    {
        this.steps = List.copyOf(steps);
        final StringBuilder canonical = new StringBuilder();
        for (final Step step : steps)
        {
            canonical.append(canonical.isEmpty() ? "" : "|").append(step.params().spec());
        }
        this.spec = canonical.toString();
    }

    /** One step: the filter and its checked parameters. */
    public record Step(FilterDef def, Params params)
    {
    }

    public static Pipeline parse(final String text) throws FilterSpecException
    {
        if (text == null || text.isBlank())
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "the pipeline is empty");
        }
        if (text.length() > MAX_SPEC_LENGTH)
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "the pipeline is longer than " +
                MAX_SPEC_LENGTH + " characters");
        }
        final String[] stepTexts = text.split("\\|", -1);
        if (stepTexts.length > MAX_STEPS)
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "the pipeline has more than " +
                MAX_STEPS + " steps");
        }
        final List<Step> steps = new ArrayList<>();
        for (final String stepText : stepTexts)
        {
            final int colon = stepText.indexOf(':');
            final String name = (colon < 0 ? stepText : stepText.substring(0, colon)).trim();
            final Map<String, String> given = new LinkedHashMap<>();
            if (colon >= 0)
            {
                for (final String pair : stepText.substring(colon + 1).split(",", -1))
                {
                    final int equals = pair.indexOf('=');
                    if (equals <= 0)
                    {
                        throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "step '" +
                            stepText.trim() + "': expected key=value, got '" + pair.trim() + "'");
                    }
                    given.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
                }
            }
            steps.add(step(name, given));
        }
        return new Pipeline(steps);
    }

    /** One step from a filter name and parameter texts; unknown names and parameters are refused. */
    static Step step(final String name, final Map<String, String> given) throws FilterSpecException
    {
        if (name.isEmpty())
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "the pipeline has an empty step");
        }
        final FilterDef def = Filters.get(name);
        final Map<String, Double> values = new LinkedHashMap<>();
        for (final ParamDef param : def.params())
        {
            final String text = given.get(param.name());
            values.put(param.name(), text == null ? param.defaultValue() : param.parse(name, text));
        }
        for (final String key : given.keySet())
        {
            if (!values.containsKey(key))
            {
                throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "unknown parameter '" + key +
                    "' of " + name + (def.params().isEmpty() ? " (it takes none)" : "; known: " +
                    String.join(", ", def.params().stream().map(ParamDef::name).toList())));
            }
        }
        final Params params = new Params(name, values);
        def.check().accept(params);
        return new Step(def, params);
    }

    static Pipeline of(final Step... steps)
    {
        return new Pipeline(List.of(steps));
    }

    public List<Step> steps()
    {
        return steps;
    }

    public String spec()
    {
        return spec;
    }

    /** True when a step reports what it finds in each frame (faces): the job's result lists it, frame by frame. */
    public boolean reportsDetections()
    {
        for (final Step step : steps)
        {
            if (step.def() == Filters.BLAZEFACE || step.def() == Filters.FACES)
            {
                return true;
            }
        }
        return false;
    }

    /** True when a step compares with the previous frame, so tasks must carry it. */
    public boolean needsPrevious()
    {
        return lastStepNeedingPrevious() >= 0;
    }

    /**
     * The index of the last step that compares with the previous frame, or -1 when none does: a chain passes the
     * previous frame through the steps before it.
     */
    public int lastStepNeedingPrevious()
    {
        for (int i = steps.size() - 1; i >= 0; i--)
        {
            if (steps.get(i).def().needsPrevious())
            {
                return i;
            }
        }
        return -1;
    }

    /** Makes the CPU filters; the caller closes the chain. */
    public FilterChain build()
    {
        final List<FrameFilter> filters = new ArrayList<>();
        try
        {
            for (final Step step : steps)
            {
                filters.add(step.def().factory().create(step.params()));
            }
        }
        catch (final RuntimeException ex)
        {
            filters.forEach(FrameFilter::close);
            throw ex;
        }
        return new CpuFilterChain(this, filters);
    }

    @Override
    public String toString()
    {
        return spec;
    }
}
