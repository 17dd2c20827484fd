package io.framewire.worker.filter;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processing types a client names ({@code blur}, {@code edges}, {@code faces}, {@code motion}, {@code custom})
 * and how each becomes a {@link Pipeline}. {@code method} picks the filter where a type has several; the other
 * parameters go to that filter. {@code edges} by Canny smooths first ({@code gray|gaussian:ksize=5|canny}), as the
 * Canny method does. {@code custom} takes its whole pipeline in the {@code pipeline} parameter.
 */
public final class ProcessingTypes
{
    public static final List<String> NAMES = List.of("blur", "edges", "faces", "motion", "custom");

    /** Each type's methods, the first its default, and the filter each runs. */
    private static final Map<String, Map<String, String>> METHODS = Map.of(
        "blur", methods("gaussian", "gaussian", "median", "median", "bilateral", "bilateral"),
        "edges", methods("canny", "canny", "sobel", "sobel", "laplacian", "laplacian"),
        "faces", methods("dnn", "blazeface", "haar", "faces"),
        "motion", methods("diff", "diff", "flow", "flow"));

    private ProcessingTypes()
    {
    }

    /** Method and filter names in turn, in order. */
    private static Map<String, String> methods(final String... namesAndFilters)
    {
        final Map<String, String> methods = new LinkedHashMap<>();
        for (int i = 0; i < namesAndFilters.length; i += 2)
        {
            methods.put(namesAndFilters[i], namesAndFilters[i + 1]);
        }
        return Collections.unmodifiableMap(methods);
    }

    public static Pipeline pipeline(final String processing, final Map<String, String> params)
        throws FilterSpecException
    {
        if ("custom".equals(processing))
        {
            final String text = params.get("pipeline");
            if (text == null)
            {
                throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER,
                    "custom processing needs the parameter 'pipeline', e.g. gray|gaussian:ksize=5|canny");
            }
            if (params.size() > 1)
            {
                throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "custom processing takes only " +
                    "'pipeline'; put filter parameters inside it");
            }
            return Pipeline.parse(text);
        }
        final Map<String, String> methods = METHODS.get(processing);
        if (methods == null)
        {
            throw new FilterSpecException(FilterSpecException.Kind.UNKNOWN_PROCESSING, "unknown processing '" +
                processing + "'; known: " + String.join(", ", NAMES));
        }
        final Map<String, String> filterParams = new LinkedHashMap<>(params);
        final String given = filterParams.remove("method");
        final String method = given == null ? methods.keySet().iterator().next() : given;
        final String filter = methods.get(method);
        if (filter == null)
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "method '" + method + "' of " +
                processing + " is unknown; known: " + String.join(", ", methods.keySet()));
        }
        final Pipeline.Step step = Pipeline.step(filter, filterParams);
        if ("canny".equals(filter))
        {
            // Canny's method smooths before it takes gradients; OpenCV's Canny leaves that to the caller. Unsmoothed,
            // noise and fine texture become edges: on the bench's 720p video the worker took 21 ms a frame instead
            // of 7, and the edge map took 20 times the bytes to encode (docs/perf.md).
            return Pipeline.of(Pipeline.step("gray", Map.of()), Pipeline.step("gaussian", Map.of("ksize", "5")), step);
        }
        return Pipeline.of(step);
    }
}
