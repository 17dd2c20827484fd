package io.framewire.worker.filter;

import io.framewire.worker.filter.FilterDef.Output;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every filter a pipeline can name, with its parameters, ranges and defaults. docs/filters.md lists the same. */
public final class Filters
{
    public static final FilterDef GAUSSIAN = new FilterDef("gaussian", "Gaussian blur", List.of(
        ParamDef.odd("ksize", 1, 31, 7, "kernel size"),
        ParamDef.real("sigma", 0, 50, 0, "standard deviation; 0 derives it from ksize")),
        Output.SAME, GaussianBlurFilter::new);
    public static final FilterDef MEDIAN = new FilterDef("median", "median blur", List.of(
        ParamDef.odd("ksize", 3, 15, 5, "neighbourhood size")),
        Output.SAME, MedianBlurFilter::new);
    public static final FilterDef BILATERAL = new FilterDef("bilateral", "edge-preserving bilateral blur", List.of(
        ParamDef.integer("d", 1, 15, 9, "neighbourhood diameter"),
        ParamDef.real("sigma_color", 1, 250, 75, "how different colours may be and still mix"),
        ParamDef.real("sigma_space", 1, 250, 75, "how far pixels may be and still mix")),
        Output.SAME, BilateralFilter::new);
    public static final FilterDef GRAY = new FilterDef("gray", "grey levels", List.of(),
        Output.GRAY, params -> new GrayFilter());
    public static final FilterDef CANNY = new FilterDef("canny", "Canny edges, binary", List.of(
        ParamDef.real("low", 0, 1000, 50, "lower hysteresis threshold"),
        ParamDef.real("high", 0, 1000, 150, "upper hysteresis threshold"),
        ParamDef.odd("aperture", 3, 7, 3, "Sobel aperture")),
        Output.GRAY, false, CannyFilter::check, CannyFilter::new);
    public static final FilterDef SOBEL = new FilterDef("sobel", "Sobel gradient magnitude", List.of(
        ParamDef.odd("ksize", 1, 7, 3, "Sobel kernel size"),
        ParamDef.real("scale", 0.01, 100, 1, "multiplier before saturation to 8 bits")),
        Output.GRAY, SobelFilter::new);
    public static final FilterDef LAPLACIAN = new FilterDef("laplacian", "absolute Laplacian", List.of(
        ParamDef.odd("ksize", 1, 7, 3, "aperture"),
        ParamDef.real("scale", 0.01, 100, 1, "multiplier before saturation to 8 bits")),
        Output.GRAY, LaplacianFilter::new);
    public static final FilterDef BLAZEFACE = new FilterDef("blazeface",
        "faces by MediaPipe's BlazeFace network (OpenCV DNN), boxed and reported", List.of(
        ParamDef.real("score", 0.05, 0.99, 0.5, "least confidence of a face"),
        ParamDef.real("iou", 0.05, 0.95, 0.3, "overlap above which boxes are merged into one face"),
        ParamDef.integer("min_face", 0, 4096, 0, "smallest face to find, in frame pixels: below 1/16 of the " +
            "frame's long side it adds tiles (slower); 0 for one pass")),
        Output.SAME, false, BlazeFaceFilter::check, BlazeFaceFilter::new);
    public static final FilterDef FACES = new FilterDef("faces", "Haar frontal faces, boxed and reported", List.of(
        ParamDef.real("scale", 0.1, 1, 0.75, "detect on a copy downscaled by this factor"),
        ParamDef.integer("neighbors", 1, 20, 3, "detections needed to keep a face"),
        ParamDef.integer("min_size", 8, 1024, 24, "smallest face, in frame pixels")),
        Output.SAME, FaceDetectionFilter::new);
    public static final FilterDef DIFF = new FilterDef("diff", "difference with the previous frame", List.of(
        ParamDef.integer("threshold", 0, 255, 0, "differences up to this become 0")),
        Output.SAME, true, p -> { }, FrameDifferenceFilter::new);
    public static final FilterDef FLOW = new FilterDef("flow", "dense optical flow as a colour field", List.of(
        ParamDef.integer("algorithm", 0, 1, 0, "0 DIS; 1 Farneback, which the GPU worker runs on CUDA"),
        ParamDef.integer("preset", 0, 2, 0, "DIS only: 0 ultrafast, 1 fast, 2 medium"),
        ParamDef.real("gain", 0.1, 255, 8, "brightness per pixel of motion per frame")),
        Output.BGR, true, p -> { }, OpticalFlowFilter::new);

    private static final Map<String, FilterDef> DEFS = new LinkedHashMap<>();

    static
    {
        for (final FilterDef def : List.of(GAUSSIAN, MEDIAN, BILATERAL, GRAY, CANNY, SOBEL, LAPLACIAN, BLAZEFACE,
            FACES, DIFF, FLOW))
        {
            DEFS.put(def.name(), def);
        }
    }

    private Filters()
    {
    }

    public static Map<String, FilterDef> all()
    {
        return Collections.unmodifiableMap(DEFS);
    }

    static FilterDef get(final String name) throws FilterSpecException
    {
        final FilterDef def = DEFS.get(name);
        if (def == null)
        {
            throw new FilterSpecException(FilterSpecException.Kind.UNKNOWN_FILTER, "unknown filter '" + name +
                "'; known: " + String.join(", ", DEFS.keySet()));
        }
        return def;
    }
}
