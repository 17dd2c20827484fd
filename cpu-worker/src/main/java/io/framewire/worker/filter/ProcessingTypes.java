package io.framewire.worker.filter;

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

    private static final Map<String, List<String>> METHODS = Map.of(
        "blur", List.of("gaussian", "median", "bilateral"),
        "edges", List.of("canny", "sobel", "laplacian"),
        "faces", List.of("faces"),
        "motion", List.of("diff", "flow"));

    private ProcessingTypes()
    {
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
        final List<String> methods = METHODS.get(processing);
        if (methods == null)
        {
            throw new FilterSpecException(FilterSpecException.Kind.UNKNOWN_PROCESSING, "unknown processing '" +
                processing + "'; known: " + String.join(", ", NAMES));
        }
        final Map<String, String> filterParams = new LinkedHashMap<>(params);
        final String method = filterParams.remove("method");
        final String filter = method == null ? methods.getFirst() : method;
        if (!methods.contains(filter))
        {
            throw new FilterSpecException(FilterSpecException.Kind.BAD_PARAMETER, "method '" + filter + "' of " +
                processing + " is unknown; known: " + String.join(", ", methods));
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
