package io.framewire.worker.filter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every filter a pipeline can name, with its parameters, ranges and defaults. docs/filters.md lists the same. */
public final class Filters
{
    private static final Map<String, FilterDef> DEFS = new LinkedHashMap<>();

    static
    {
        add(new FilterDef("gaussian", "Gaussian blur", List.of(
            ParamDef.odd("ksize", 1, 31, 7, "kernel size"),
            ParamDef.real("sigma", 0, 50, 0, "standard deviation; 0 derives it from ksize")),
            GaussianBlurFilter::new));
        add(new FilterDef("median", "median blur", List.of(
            ParamDef.odd("ksize", 3, 15, 5, "neighbourhood size")),
            MedianBlurFilter::new));
        add(new FilterDef("bilateral", "edge-preserving bilateral blur", List.of(
            ParamDef.integer("d", 1, 15, 9, "neighbourhood diameter"),
            ParamDef.real("sigma_color", 1, 250, 75, "how different colours may be and still mix"),
            ParamDef.real("sigma_space", 1, 250, 75, "how far pixels may be and still mix")),
            BilateralFilter::new));
        add(new FilterDef("gray", "grey levels", List.of(), params -> new GrayFilter()));
        add(new FilterDef("canny", "Canny edges, binary", List.of(
            ParamDef.real("low", 0, 1000, 50, "lower hysteresis threshold"),
            ParamDef.real("high", 0, 1000, 150, "upper hysteresis threshold"),
            ParamDef.odd("aperture", 3, 7, 3, "Sobel aperture")),
            false, CannyFilter::check, CannyFilter::new));
        add(new FilterDef("sobel", "Sobel gradient magnitude", List.of(
            ParamDef.odd("ksize", 1, 7, 3, "Sobel kernel size"),
            ParamDef.real("scale", 0.01, 100, 1, "multiplier before saturation to 8 bits")),
            SobelFilter::new));
        add(new FilterDef("laplacian", "absolute Laplacian", List.of(
            ParamDef.odd("ksize", 1, 7, 3, "aperture"),
            ParamDef.real("scale", 0.01, 100, 1, "multiplier before saturation to 8 bits")),
            LaplacianFilter::new));
        add(new FilterDef("faces", "Haar frontal faces, boxed and reported", List.of(
            ParamDef.real("scale", 0.1, 1, 0.75, "detect on a copy downscaled by this factor"),
            ParamDef.integer("neighbors", 1, 20, 3, "detections needed to keep a face"),
            ParamDef.integer("min_size", 8, 1024, 24, "smallest face, in frame pixels")),
            FaceDetectionFilter::new));
        add(new FilterDef("diff", "difference with the previous frame", List.of(
            ParamDef.integer("threshold", 0, 255, 0, "differences up to this become 0")),
            true, p -> { }, FrameDifferenceFilter::new));
        add(new FilterDef("flow", "dense optical flow as a colour field", List.of(
            ParamDef.integer("algorithm", 0, 1, 0, "0 DIS; 1 Farneback, which the GPU worker runs on CUDA"),
            ParamDef.integer("preset", 0, 2, 0, "DIS only: 0 ultrafast, 1 fast, 2 medium"),
            ParamDef.real("gain", 0.1, 255, 8, "brightness per pixel of motion per frame")),
            true, p -> { }, OpticalFlowFilter::new));
    }

    private Filters()
    {
    }

    private static void add(final FilterDef def)
    {
        DEFS.put(def.name(), def);
    }

    public static Map<String, FilterDef> all()
    {
        return java.util.Collections.unmodifiableMap(DEFS);
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
