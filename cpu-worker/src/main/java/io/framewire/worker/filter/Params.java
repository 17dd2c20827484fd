package io.framewire.worker.filter;

import java.util.LinkedHashMap;
import java.util.Map;

/** Checked parameter values of one pipeline step, every parameter present (given or default). */
public final class Params
{
    private final String filter;
    private final Map<String, Double> values;

    Params(final String filter, final Map<String, Double> values)
    {
        this.filter = filter;
        this.values = new LinkedHashMap<>(values);
    }

    public int integer(final String name)
    {
        return (int)real(name);
    }

    public double real(final String name)
    {
        final Double value = values.get(name);
        if (value == null)
        {
            throw new IllegalArgumentException(filter + " has no parameter " + name);
        }
        return value;
    }

    /** The step in canonical form: {@code name:p1=v1,p2=v2} in definition order. */
    public String spec()
    {
        if (values.isEmpty())
        {
            return filter;
        }
        final StringBuilder spec = new StringBuilder(filter).append(':');
        values.forEach((name, value) -> spec.append(name).append('=').append(ParamDef.format(value)).append(','));
        spec.setLength(spec.length() - 1);
        return spec.toString();
    }

    public FilterSpecException bad(final String message)
    {
        return new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, filter + ": " + message);
    }
}
