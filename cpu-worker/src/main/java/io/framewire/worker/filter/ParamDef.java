package io.framewire.worker.filter;

/**
 * One parameter of a filter: its range, default, and whether it must be an integer or an odd integer.
 */
public record ParamDef(String name, double min, double max, double defaultValue, Type type, String description)
{
    public enum Type
    {
        REAL, INTEGER, ODD_INTEGER
    }

    static ParamDef real(final String name, final double min, final double max, final double defaultValue,
        final String description)
    {
        return new ParamDef(name, min, max, defaultValue, Type.REAL, description);
    }

    static ParamDef integer(final String name, final int min, final int max, final int defaultValue,
        final String description)
    {
        return new ParamDef(name, min, max, defaultValue, Type.INTEGER, description);
    }

    static ParamDef odd(final String name, final int min, final int max, final int defaultValue,
        final String description)
    {
        return new ParamDef(name, min, max, defaultValue, Type.ODD_INTEGER, description);
    }

    /** Parses and checks a value given for this parameter of {@code filter}. */
    double parse(final String filter, final String text) throws FilterSpecException
    {
        final double value;
        try
        {
            value = Double.parseDouble(text.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw bad(filter, text, "is not a number");
        }
        if (Double.isNaN(value) || value < min || value > max)
        {
            throw bad(filter, text, "is outside " + format(min) + ".." + format(max));
        }
        if (type != Type.REAL && value != Math.rint(value))
        {
            throw bad(filter, text, "is not an integer");
        }
        if (type == Type.ODD_INTEGER && ((long)value) % 2 == 0)
        {
            throw bad(filter, text, "is not odd");
        }
        return value;
    }

    private FilterSpecException bad(final String filter, final String text, final String why)
    {
        return new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER,
            "parameter '" + name + "' of " + filter + ": '" + text + "' " + why);
    }

    static String format(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : Double.toString(value);
    }
}
