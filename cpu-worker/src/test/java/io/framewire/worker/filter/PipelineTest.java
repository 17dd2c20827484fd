package io.framewire.worker.filter;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.junit.jupiter.api.function.Executable;

class PipelineTest
{
    @Test
    void canonicalFormSpellsOutEveryParameter() throws FilterSpecException
    {
        assertEquals("gray|gaussian:ksize=5,sigma=0|canny:low=50,high=150,aperture=3",
            Pipeline.parse(" gray | gaussian:ksize=5 | canny:low=50,high=150 ").spec());
        assertEquals("bilateral:d=9,sigma_color=75,sigma_space=75", Pipeline.parse("bilateral").spec());
        assertEquals("faces:scale=0.75,neighbors=3,min_size=24", Pipeline.parse("faces").spec());
        final String spec = Pipeline.parse("sobel:scale=2.5|median").spec();
        assertEquals(spec, Pipeline.parse(spec).spec(), "the canonical form parses to itself");
    }

    @Test
    void aPipelineWithAFaceDetectorReportsDetections() throws FilterSpecException
    {
        assertTrue(ProcessingTypes.pipeline("faces", Map.of()).reportsDetections(), "BlazeFace, the default");
        assertTrue(ProcessingTypes.pipeline("faces", Map.of("method", "haar")).reportsDetections());
        assertTrue(Pipeline.parse("gray|faces").reportsDetections());
        assertFalse(ProcessingTypes.pipeline("blur", Map.of()).reportsDetections());
        assertFalse(Pipeline.parse("gray|canny|diff").reportsDetections());
    }

    @Test
    void processingTypesMapToPipelines() throws FilterSpecException
    {
        assertEquals("gaussian:ksize=7,sigma=0", ProcessingTypes.pipeline("blur", Map.of()).spec());
        assertEquals("median:ksize=3", ProcessingTypes.pipeline("blur", Map.of("method", "median", "ksize",
            "3")).spec());
        assertEquals("gray|gaussian:ksize=5,sigma=0|canny:low=50,high=150,aperture=3",
            ProcessingTypes.pipeline("edges", Map.of()).spec());
        assertEquals("gray|gaussian:ksize=5,sigma=0|canny:low=20,high=150,aperture=3",
            ProcessingTypes.pipeline("edges", Map.of("low", "20")).spec(), "parameters go to canny");
        assertEquals("laplacian:ksize=3,scale=1", ProcessingTypes.pipeline("edges", Map.of("method",
            "laplacian")).spec());
        assertEquals("blazeface:score=0.5,iou=0.3,min_face=0", ProcessingTypes.pipeline("faces", Map.of()).spec(),
            "faces by BlazeFace unless told otherwise");
        assertEquals("faces:scale=0.75,neighbors=3,min_size=24",
            ProcessingTypes.pipeline("faces", Map.of("method", "haar")).spec());
        assertEquals("blazeface:score=0.7,iou=0.3,min_face=0",
            ProcessingTypes.pipeline("faces", Map.of("method", "dnn", "score", "0.7")).spec());
        assertEquals("diff:threshold=0", ProcessingTypes.pipeline("motion", Map.of()).spec());
        assertTrue(ProcessingTypes.pipeline("motion", Map.of("method", "flow")).needsPrevious());
        assertFalse(ProcessingTypes.pipeline("blur", Map.of()).needsPrevious());
        assertEquals("flow:algorithm=1,preset=0,gain=8", ProcessingTypes.pipeline("motion",
            Map.of("method", "flow", "algorithm", "1")).spec(), "the GPU's flow, asked for through the type");
        assertEquals(2, Pipeline.parse("gray|diff|diff|gaussian").lastStepNeedingPrevious());
        assertEquals(-1, Pipeline.parse("gray|gaussian").lastStepNeedingPrevious());
        assertEquals("gray|median:ksize=5", ProcessingTypes.pipeline("custom", Map.of("pipeline",
            "gray|median")).spec());
    }

    @Test
    void everyMistakeIsRefusedNamingWhatIsWrong()
    {
        assertRefused(FilterSpecException.Kind.UNKNOWN_FILTER, "sharpen", () -> Pipeline.parse("gray|sharpen"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "radius", () -> Pipeline.parse("gaussian:radius=3"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "ksize", () -> Pipeline.parse("gaussian:ksize=4"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "ksize", () -> Pipeline.parse("median:ksize=99"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "sigma", () -> Pipeline.parse("gaussian:sigma=abc"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "low", () -> Pipeline.parse("canny:low=200,high=100"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "key=value", () -> Pipeline.parse("canny:low"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "empty", () -> Pipeline.parse("gray||canny"));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "empty", () -> Pipeline.parse(""));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "takes none", () -> Pipeline.parse("gray:x=1"));
        assertRefused(FilterSpecException.Kind.UNKNOWN_PROCESSING, "sepia",
            () -> ProcessingTypes.pipeline("sepia", Map.of()));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "method 'canny'",
            () -> ProcessingTypes.pipeline("blur", Map.of("method", "canny")));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "pipeline",
            () -> ProcessingTypes.pipeline("custom", Map.of()));
        assertRefused(FilterSpecException.Kind.BAD_PARAMETER, "high",
            () -> ProcessingTypes.pipeline("edges", Map.of("high", "5000")));
    }

    private static void assertRefused(final FilterSpecException.Kind kind, final String named,
        final Executable parse)
    {
        final FilterSpecException ex = assertThrows(FilterSpecException.class, parse);
        assertEquals(kind, ex.kind(), ex.getMessage());
        assertTrue(ex.getMessage().contains(named), ex.getMessage() + " should name " + named);
    }
}
